"""PDF input: reports rendered by the tests with reportlab in the inspectorate's print layout (A4, two-line
headings, the judgments table, a running footer and page numbers, paragraphs cut by page breaks) read as the
text is, with exact offsets into the text `peelgraph text` prints and the page of every passage."""

import re

import pdfmake
import pyoxigraph as ox
import pytest
import scoring
from click.testing import CliRunner
from test_extract import assert_scores

from peelgraph.build import extract_file
from peelgraph.cli import main
from peelgraph.graph import document_quads
from peelgraph.vocab import PEEL, RDF


@pytest.fixture(scope="session")
def seed_pdf(tmp_path_factory, seed_text):
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(pdfmake.render(seed_text))
    return path


@pytest.fixture(scope="session")
def pdf_doc(seed_pdf):
    return extract_file(seed_pdf)


def page_texts(path) -> list[str]:
    """Each page's text as PDFium gives it, white space collapsed (independent of peelgraph's layout)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    return [" ".join(p.get_textpage().get_text_range().split()) for p in pdf]


def test_pdf_render_is_in_the_inspectorate_layout(seed_pdf, seed_text):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(seed_pdf)
    assert len(pdf) > 20 and all(round(p.get_size()[0]) == 595 and round(p.get_size()[1]) == 842 for p in pdf)  # A4
    assert pdfmake.render(seed_text) == seed_pdf.read_bytes()  # the test input is itself deterministic


def test_pdf_seed_scores_as_the_text_does(pdf_doc, seed_doc, seed_gold):
    from_pdf, from_text = scoring.evaluate(pdf_doc, seed_gold), scoring.evaluate(seed_doc, seed_gold)
    assert_scores(from_pdf)
    for cat in from_text:
        assert (from_pdf[cat]["tp"], from_pdf[cat]["pred"]) == (from_text[cat]["tp"], from_text[cat]["pred"]), cat
    i, g = pdf_doc.inspection, seed_gold["inspection"]
    assert (i.force, i.cycle, i.issued, i.inspector) == (g["force"], g["cycle"], g["issued"], g["inspector"])


def test_pdf_judgments_table_is_read_by_column(pdf_doc, seed_gold):
    assert {(t.area, t.grade) for t in pdf_doc.table} == {(j["area"], j["grade"]) for j in seed_gold["judgments"]}


def test_pdf_text_command_prints_the_text_offsets_refer_to(seed_pdf, pdf_doc):
    result = CliRunner().invoke(main, ["text", str(seed_pdf)])
    assert result.exit_code == 0 and result.stdout == pdf_doc.source
    shown = result.stdout
    assert shown.count("\f") == len(pdf_doc.pages) and shown.endswith("\f")
    quads = document_quads(pdf_doc)
    passages = {q.subject for q in quads if q.predicate.value == RDF.type and q.object.value == PEEL.Passage}
    props = {}
    for q in quads:
        if q.subject in passages:
            props.setdefault(q.subject, {})[q.predicate.value] = q.object.value
    assert len(passages) > 500
    for p in props.values():
        start, end = int(p[PEEL.start]), int(p[PEEL.end])
        assert shown[start:end] == p[PEEL.text]
        assert int(p[PEEL.page]) == shown.count("\f", 0, start) + 1  # the page it starts on


def test_pdf_every_afi_is_on_its_page(seed_pdf, pdf_doc):
    pages = page_texts(seed_pdf)
    afis = [st for st in pdf_doc.statements if st.kind == "AreaForImprovement"]
    assert len(afis) == 22
    for st in afis:
        words = " ".join(pdf_doc.quote(st.heading).split())
        on = [n for n, text in enumerate(pages, 1) if words in text]
        page = pdf_doc.page_of(st.heading.start)
        assert on == [page], (st.label, on, page)


def test_pdf_page_furniture_is_dropped_and_page_splits_rejoined(pdf_doc):
    src = pdf_doc.source
    footer = "PEEL 2021/22 \u2013 Derbyshire Constabulary"
    pages = src.split("\f")[:-1]
    for n, page in enumerate(pages, 1):  # every page ends with the running footer and its number
        assert page.rstrip().endswith(f"{footer}\n\n{n}"), n
    assert all(page.startswith("HMICFRS \u2013 inspection report\n") for page in pages[1:])  # the running header
    assert not any(footer in b.text or "inspection report" in b.text or re.fullmatch(r"\d+", b.text) for b in pdf_doc.blocks)
    cut = [b for b in pdf_doc.blocks if b.kind == "paragraph" and "\f" in src[b.span.start:b.span.end]]
    assert cut, "the layout has paragraphs cut by a page break"
    for b in cut:
        assert b.page == pdf_doc.page_of(b.span.start) and src.count("\f", 0, b.span.start) + 1 == b.page
        assert footer not in b.text and b.text[0].isupper() and b.text.endswith(".")


def test_pdf_two_line_headings_are_one_heading(pdf_doc):
    heading = "Strategic planning, organisational management and value for money"
    sec = [s for s in pdf_doc.sections if s.heading == heading]
    assert sec and "\n" in pdf_doc.quote(sec[0].span)  # wrapped over two lines in the PDF, read as one


def test_pdf_build_is_deterministic_and_pages_are_in_the_graph(seed_pdf, tmp_path):
    runner = CliRunner()
    outs = []
    for k in range(2):
        r = runner.invoke(main, ["build", str(seed_pdf), "--store", str(tmp_path / f"s{k}"), "--out", str(tmp_path / f"g{k}.nq")])
        assert r.exit_code == 0, r.output
        outs.append((tmp_path / f"g{k}.nq").read_bytes())
    assert outs[0] == outs[1]
    r = runner.invoke(main, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?p peel:page ?page }", "--store", str(tmp_path / "s0"),
                             "--format", "csv"])
    assert int(r.stdout.split()[-1]) > 500
    r = runner.invoke(main, ["trace", "neighbourhood vacancies", "--store", str(tmp_path / "s0")])
    assert r.exit_code == 0 and re.search(r"\[AreaForImprovement\] .+  \(p\. \d+\)", r.stdout)
    r = runner.invoke(main, ["trace", "neighbourhood vacancies", "--store", str(tmp_path / "s0"), "--format", "json"])
    assert '"page":' in r.stdout


def test_pdf_text_reports_have_no_pages(open_seed_store):
    from peelgraph import query

    assert query.rows(open_seed_store, "SELECT ?p WHERE { ?p peel:page ?n } LIMIT 1") == []


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 3]


BAD = {
    "scanned": (lambda text: pdfmake.scanned(), "no text layer"),
    "encrypted": (lambda text: pdfmake.render(text, encrypt="secret"), "encrypted"),
    "corrupt": (lambda text: _truncated(pdfmake.render(text)), "damaged"),
    "garbage": (lambda text: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "damaged"),
}


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("command", ["build", "text"])
def test_pdf_bad_pdf_is_one_line_and_exit_2(kind, command, seed_text, seed_store, tmp_path):
    make, says = BAD[kind]
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(make(seed_text[:6000] if kind == "encrypted" else seed_text))
    store_dir = tmp_path / "store"
    import shutil

    shutil.copytree(seed_store, store_dir)
    before = sorted((p.name, p.stat().st_size) for p in store_dir.rglob("*"))
    args = ["build", str(path), "--store", str(store_dir)] if command == "build" else ["text", str(path)]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2, r.output
    assert r.stdout == "" and len(r.stderr.strip().splitlines()) == 1 and says in r.stderr and "Traceback" not in r.stderr
    assert sorted((p.name, p.stat().st_size) for p in store_dir.rglob("*")) == before
    q = CliRunner().invoke(main, ["query", "grades", "--store", str(store_dir)])
    assert q.exit_code == 0 and "Derbyshire" in q.stdout


def test_pdf_folder_of_reports_includes_pdfs(tmp_path, seed_pdf):
    from peelgraph.build import sources

    (tmp_path / "a.pdf").write_bytes(seed_pdf.read_bytes())
    (tmp_path / "b.txt").write_text("x")
    assert [p.name for p in sources([tmp_path])] == ["a.pdf", "b.txt"]


def test_pdf_store_validates(seed_pdf, tmp_path):
    from peelgraph import store
    from peelgraph.build import build
    from peelgraph.validate import validate

    build([seed_pdf], tmp_path / "s")
    v = validate(store.open_store(tmp_path / "s"))
    assert v.conforms, v.text()


@pytest.mark.parametrize("report, annotation", [
    ("northmoor-peel-2023-25", "heldout-northmoor"),  # 2023-25 layout: a cause of concern, recommendations,
    ("eastvale-peel-2021-22", "heldout-eastvale"),    # judgments-table cells in the first column that wrap
])
def test_pdf_heldout_scores_as_its_text(report, annotation, tmp_path):
    import json

    text = scoring.ROOT / "tests" / "heldout" / f"{report}.txt"
    gold = json.loads((scoring.ROOT / "tests" / "annotations" / f"{annotation}.json").read_text(encoding="utf-8"))
    pdf = tmp_path / f"{report}.pdf"
    pdf.write_bytes(pdfmake.render(text.read_text(encoding="utf-8")))
    from_pdf, from_text = scoring.evaluate(extract_file(pdf), gold), scoring.evaluate(extract_file(text), gold)
    for cat in from_text:
        assert (from_pdf[cat]["tp"], from_pdf[cat]["pred"]) == (from_text[cat]["tp"], from_text[cat]["pred"]), cat
