"""Extraction scored against the hand annotation of the seed, and against variants made from it."""

import pytest
import scoring
import variants as v
from conftest import extract_text

FLOORS = {"polarity": 0.90}  # every other category must be exact


def assert_scores(results):
    for cat, s in results.items():
        floor = FLOORS.get(cat, 1.0)
        assert s["precision"] >= floor and s["recall"] >= floor, (cat, s["missing"], s["extra"])


def test_extract_seed_matches_annotation(seed_doc, seed_gold):
    assert_scores(scoring.evaluate(seed_doc, seed_gold))


def test_extract_seed_inspection(seed_doc, seed_gold):
    i, g = seed_doc.inspection, seed_gold["inspection"]
    assert (i.force, i.cycle, i.issued, i.inspector) == (g["force"], g["cycle"], g["issued"], g["inspector"])


def test_extract_seed_quotes_are_exact(seed_doc, seed_gold):
    for m in seed_gold["metrics"]:
        hits = [x for x in seed_doc.metrics if x.span.start == m["offset"]]
        assert hits and seed_doc.quote(hits[0].span) == m["quote"], m
    for st in seed_doc.statements:
        assert " ".join(seed_doc.quote(st.heading).split()).startswith(st.label[:10])


NEW_GRADES = {
    "Preventing crime": "Outstanding", "Investigating crime": "Good", "Recording data about crime": "Inadequate",
    "Responding to the public": "Adequate", "Treatment of the public": "Requires improvement",
    "Protecting vulnerable people": "Good", "Managing offenders": "Inadequate",
    "Developing a positive workplace": "Outstanding", "Good use of resources": "Adequate",
}


def regraded_gold(gold, grades):
    by_label = {j["table_label"]: j for j in gold["judgments"]}
    out = dict(gold)
    out["judgments"] = [dict(by_label[label], grade=g) for label, g in grades.items()]
    return out


def renamed(text):
    return v.rename_force(text, "Derbyshire Constabulary", "Wessex Police", ("Roy Wilsher", "Jane Marlow"))


VARIANTS = {
    "renamed-regraded-reordered": lambda t: v.reorder_sections(
        v.regrade(renamed(t), NEW_GRADES), ["Managing offenders", "Preventing crime", "Good use of resources", "Investigating crime"]),
    "pdf-like": lambda t: v.pdf_like(renamed(t)),
    "pdf-like-narrow": lambda t: v.pdf_like(renamed(t), width=52, page_style="of"),
    "crlf-curly": lambda t: v.windows(v.curly(t)),
    "everything": lambda t: v.windows(v.curly(v.pdf_like(v.regrade(renamed(t), NEW_GRADES), width=70))),
    "web-page": lambda t: v.html_page(renamed(t)),
}


@pytest.mark.parametrize("name", VARIANTS)
def test_extract_variant_scores_like_seed(name, seed_text, seed_gold):
    text = VARIANTS[name](seed_text)
    doc = extract_text(text)
    gold = regraded_gold(seed_gold, NEW_GRADES) if name in ("renamed-regraded-reordered", "everything") else seed_gold
    assert_scores(scoring.evaluate(doc, gold, rename=renamed))
    for b in doc.blocks:  # offsets stay exact whatever the layout
        assert len(b.offsets) == len(b.text) + 1


@pytest.mark.parametrize("name", ["renamed-regraded-reordered", "pdf-like", "everything"])
def test_extract_variant_names_the_new_force(name, seed_text):
    doc = extract_text(VARIANTS[name](seed_text))
    assert (doc.inspection.force, doc.inspection.inspector) == ("Wessex Police", "Jane Marlow")


def test_extract_variant_spans_point_at_their_text(seed_text):
    doc = extract_text(VARIANTS["everything"](seed_text))
    for m in doc.metrics:
        assert scoring.norm(doc.quote(m.span)) in scoring.norm(doc.blocks[m.block].text)
    for st in doc.statements:
        assert scoring.norm(doc.quote(st.heading)) == scoring.norm(st.label)


def test_extract_html_passages_point_into_the_text_peelgraph_shows(seed_text, write_report):
    from click.testing import CliRunner

    from peelgraph.build import extract_file
    from peelgraph.cli import main

    page = write_report(v.html_page(seed_text), "report.html")
    doc = extract_file(page)
    shown = CliRunner().invoke(main, ["text", str(page)]).stdout
    assert shown == doc.source and "tracking" not in shown and "alert" not in shown
    for st in doc.statements:
        assert scoring.norm(shown[st.heading.start:st.heading.end]) == scoring.norm(st.label)


@pytest.mark.parametrize("width", [60, 72, 90])
def test_extract_tight_pdf_text_keeps_grades_and_never_invents_statements(width, seed_text, seed_gold):
    """Headings that run into their paragraph with no blank line: grades and areas stay exact and no
    statement is invented. A heading that happens to fill the wrap width cannot be told from a wrapped line,
    so some statements are missed (and their figures then count towards the statement before): a known
    limit, measured here."""
    doc = extract_text(v.tight(v.pdf_like(renamed(seed_text), width=width)))
    res = scoring.evaluate(doc, seed_gold, rename=renamed)
    for cat in ("judgments", "ungraded", "standards", "comparisons"):
        assert res[cat]["precision"] == res[cat]["recall"] == 1.0, (cat, res[cat])
    assert res["afis"]["precision"] == 1.0 and res["afis"]["recall"] >= 0.85
    assert res["findings"]["precision"] >= 0.97 and res["findings"]["recall"] >= 0.85


def test_extract_layout_table_is_read_by_column(seed_text, seed_gold):
    doc = extract_text(v.layout_table(renamed(seed_text)))
    assert {(t.area, t.grade) for t in doc.table} == {(j["area"], j["grade"]) for j in seed_gold["judgments"]}
    assert_scores(scoring.evaluate(doc, seed_gold, rename=renamed))


def test_extract_layout_table_conflict_is_reported(seed_text):
    from peelgraph.errors import ReportError

    text, _ = v.conflicting_grades(seed_text)
    with pytest.raises(ReportError, match="conflicting grades"):
        extract_text(v.layout_table(text))


def test_extract_table_whose_columns_do_not_line_up_is_not_guessed(seed_text):
    doc = extract_text(v.pdf_like(seed_text))  # cells joined by three spaces: positions mean nothing
    assert doc.table == [] and any("do not line up" in w for w in doc.warnings)
    assert len([j for j in doc.judgments if j.grade]) == 9


def test_extract_force_from_a_one_line_title(seed_text):
    title = "PEEL 2021/22\n\nPolice effectiveness, efficiency and legitimacy\n\nAn inspection of Derbyshire Constabulary"
    text = renamed(seed_text.replace(title, "PEEL 2021/22 \u2013 Police effectiveness, efficiency and legitimacy: "
                                            "an inspection of Derbyshire Constabulary", 1))
    doc = extract_text(text)
    assert doc.inspection.force == "Wessex Police" and doc.quote(doc.inspection.force_span) == "Wessex Police"
