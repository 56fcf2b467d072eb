"""Tests of the variant generators themselves (not of any extractor)."""
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import variants as v  # noqa: E402

SEED = (Path(__file__).resolve().parents[1] / "seeds" / "derbyshire-peel-2021-22.txt").read_text(encoding="utf-8")
ORIGINAL = {"Preventing crime": "Adequate", "Investigating crime": "Requires improvement",
            "Recording data about crime": "Adequate", "Responding to the public": "Requires improvement",
            "Treatment of the public": "Adequate", "Protecting vulnerable people": "Requires improvement",
            "Managing offenders": "Adequate", "Developing a positive workplace": "Requires improvement",
            "Good use of resources": "Requires improvement"}
NEW = {"Preventing crime": "Outstanding", "Investigating crime": "Good",
       "Recording data about crime": "Inadequate", "Responding to the public": "Adequate",
       "Treatment of the public": "Requires improvement", "Protecting vulnerable people": "Good",
       "Managing offenders": "Requires improvement", "Developing a positive workplace": "Outstanding",
       "Good use of resources": "Inadequate"}


def table_rows(text):
    """Independent parse: the tab rows under the header line."""
    lines = text.split("\n")
    i = lines.index(v.TABLE_HEADER)
    rows = []
    for line in lines[i + 1:]:
        if "\t" not in line:
            break
        rows.append(line.split("\t"))
    return rows


def column_of(text):
    return {cell: v.GRADES[j] for row in table_rows(text) for j, cell in enumerate(row) if cell}


def grade_under(text, heading):
    m = re.search(r"^%s\n\n(.+?)\n\n" % re.escape(heading), text, re.M | re.S)
    return m.group(1)


def strip_pagebreaks(pdf, footer):
    body = re.sub(re.escape(footer) + r"\n(?:\d+|Page \d+ of \d+)\n\f", "", pdf)
    return body


def paragraphs(text):
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def test_seed_baseline():
    assert column_of(SEED) == ORIGINAL
    assert v.table_grades(SEED) == ORIGINAL
    assert v.section_grades(SEED) == ORIGINAL


def test_rename_force():
    out = v.rename_force(SEED, "Derbyshire Constabulary", "Wessex Police",
                         inspector=("Roy Wilsher", "Jane Marlow"), published="March 2023")
    assert "Derbyshire" not in out and "Roy Wilsher" not in out
    assert out.count("Wessex Police") == SEED.count("Derbyshire Constabulary")
    assert "Wessex Fire and Rescue Service" in out
    assert "\nJane Marlow\n" in out
    assert "\nMarch 2023 | © HMICFRS 2023\n" in out and "November 2022" not in out
    assert "An inspection of Wessex Police" in out
    assert out.count("\n") == SEED.count("\n")
    assert v.table_grades(out) == ORIGINAL


@pytest.mark.parametrize("split", [None, True, False])
def test_regrade_all_five_grades(split):
    out = v.regrade(SEED, NEW, split=split)
    assert column_of(out) == NEW
    assert v.section_grades(out) == NEW
    assert set(NEW.values()) == set(v.GRADES)
    rows = table_rows(out)
    assert all(len(r) == 5 for r in rows)
    for j in range(5):  # columns packed top to bottom, no holes
        col = [r[j] for r in rows]
        assert col == sorted(col, key=lambda c: c == "")
    assert len(rows) == max(list(NEW.values()).count(g) for g in v.GRADES)
    for label, heading in v.AREAS.items():
        line = grade_under(out, heading)
        assert line.replace("\n", " ") == NEW[label]
        verb = v._VERB[NEW[label]]
        assert re.search(r"^%s\n\n(?:Requires\n)?[^\n]+\n\n[^\n]* %s at " % (re.escape(heading), verb), out, re.M)
    ri = [grade_under(out, v.AREAS[lab]) for lab, g in NEW.items() if g == "Requires improvement"]
    if split is None:
        assert "Requires\nimprovement" in ri and "Requires improvement" in ri
    else:
        assert set(ri) == {"Requires\nimprovement" if split else "Requires improvement"}


def test_regrade_partial_and_noop():
    assert v.regrade(SEED, {}) == SEED
    assert v.regrade(SEED, {"Preventing crime": "Adequate"}) == SEED
    out = v.regrade(SEED, {"Good use of resources": "Outstanding"})
    assert column_of(out) == {**ORIGINAL, "Good use of resources": "Outstanding"}
    assert grade_under(out, v.AREAS["Good use of resources"]) == "Outstanding"
    assert "Derbyshire Constabulary is outstanding at operating efficiently." in out
    # everything else unchanged
    assert grade_under(out, "Investigating crime") == "Requires\nimprovement"


def test_regrade_all_in_one_column():
    out = v.regrade(SEED, {lab: "Inadequate" for lab in v.LABELS})
    assert len(table_rows(out)) == 9
    assert set(column_of(out).values()) == {"Inadequate"}
    assert set(v.section_grades(out).values()) == {"Inadequate"}


def test_reorder_sections():
    order = list(reversed(v.LABELS))
    out = v.reorder_sections(SEED, order)
    pos = [re.search(r"^%s$" % re.escape(v.AREAS[lab]), out, re.M).start() for lab in order]
    assert pos == sorted(pos)
    assert sorted(out.split("\n")) == sorted(SEED.split("\n"))
    first = SEED.index("\nCrime data integrity\n\nAdequate") + 1
    assert out[:first] == SEED[:first]
    assert out.endswith(SEED[SEED.rindex("November 2022"):])
    assert v.section_grades(out) == ORIGINAL
    # sub-sections without a grade travel with their area
    assert out.index("Disrupting serious organised crime\n") > out.index("Managing offenders and suspects\n")
    seed_order = sorted(v.AREAS.values(), key=lambda h: SEED.index("\n%s\n\n" % h))
    assert v.reorder_sections(out, seed_order) == SEED


def test_reorder_partial_by_heading():
    out = v.reorder_sections(SEED, ["Strategic planning, organisational management and value for money"])
    assert out.index("Strategic planning, organisational management and value for money\n\nRequires") \
        < out.index("Crime data integrity\n\nAdequate")
    assert sorted(out.split("\n")) == sorted(SEED.split("\n"))


@pytest.mark.parametrize("width,style", [(78, "number"), (60, "of"), (40, "number")])
def test_pdf_like(width, style):
    text = v.rename_force(SEED)
    pdf = v.pdf_like(text, width=width, page_style=style)
    footer = "PEEL 2021/22 – Wessex Police"
    pages = pdf.count("\f")
    assert pages > 5 and pdf.endswith("\f")
    nums = re.findall(r"^" + re.escape(footer) + r"\n(\d+|Page \d+ of \d+)\n\f", pdf, re.M)
    assert len(nums) == pages
    if style == "of":
        assert nums[0] == f"Page 1 of {pages}" and nums[-1] == f"Page {pages} of {pages}"
    else:
        assert nums == [str(i) for i in range(1, pages + 1)]
    for line in pdf.replace("\f", "").split("\n"):
        assert len(line) <= width or " " not in line.strip(), line
    assert "\t" not in pdf
    body = strip_pagebreaks(pdf, footer)
    assert body.split() == text.split()          # every word, in order
    assert paragraphs(body) == paragraphs(text)  # blank lines kept, nothing joined
    # some page break falls inside a paragraph
    breaks = re.findall(r"([^\n]*)\n" + re.escape(footer) + r"\n[^\n]+\n\f([^\n]*)", pdf)
    assert any(a.strip() and b.strip() for a, b in breaks)
    assert re.search(r"^- .+\n  \S", pdf, re.M)  # hanging list text
    assert re.search(r"^Outstanding {2,}Good {2,}Adequate", pdf, re.M)


def test_pdf_like_default_footer():
    pdf = v.pdf_like("Hello world.\n\nSecond paragraph.\n")
    assert pdf.startswith("Hello world.\n\nSecond paragraph.\n\n")
    assert "Police effectiveness, efficiency and legitimacy\n1\n\f" in pdf


def test_windows():
    out = v.windows(SEED)
    assert out.count("\r\n") == SEED.count("\n")
    assert re.search(r"(?<!\r)\n", out) is None
    assert v.windows(out) == out
    assert out.replace("\r\n", "\n") == SEED


def test_curly():
    out = v.curly(SEED)
    assert "'" not in out and '"' not in out
    assert out.count("’") + out.count("‘") == SEED.count("'")
    assert "doesn’t" in out and "‘outcome type’" in out
    assert "[‘outcome 15’](#)" in out and "officers’ performance" in out
    assert "+/- 2.5" in out
    assert out.replace("’", "'").replace("‘", "'") == SEED
    assert v.curly('He said "yes" - then left; +/- 3 "a"') == "He said “yes” – then left; +/- 3 “a”"


def test_bad_inputs():
    assert v.empty() == ""
    b = v.binary()
    assert isinstance(b, bytes) and b.startswith(b"\x89PNG") and b"\x00" in b
    with pytest.raises(UnicodeDecodeError):
        b.decode("utf-8")
    lat = v.latin1(SEED)
    assert b"\xa3" in lat
    with pytest.raises(UnicodeDecodeError):
        lat.decode("utf-8")
    assert lat.decode("cp1252") == SEED
    assert v.latin1("plain").decode("cp1252").endswith("£70m.\n")
    prose = v.not_a_report()
    assert len(paragraphs(prose)) >= 3
    assert not any(w in prose for w in ["Constabulary", "Police", "PEEL", "Adequate"] + list(v.AREAS.values()))


def test_truncated():
    out = v.truncated(SEED)
    assert SEED.startswith(out) and len(out) < len(SEED)
    assert "\nInvestigating crime\n\nRequires\nimprovement\n" in out
    assert "Protecting vulnerable people\n\nRequires" not in out
    last = out.split("\n")[-1]
    assert len(last) > 50 and last[-1] not in ".!?" and not out.endswith(" ")
    assert last.startswith("In 17 of 68 cases reviewed") and "Main findings" not in out[-3000:]
    out2 = v.truncated(SEED, "Recording data about crime")
    assert "\nCrime data integrity\n\nAdequate\n" in out2
    assert "\nEngaging with and treating the public with fairness and respect\n\n" not in out2
    assert out2.split("\n")[-1][-1] not in ".!?"


@pytest.mark.parametrize("drop", [False, True])
def test_no_grades(drop):
    out = v.no_grades(SEED, drop_sentences=drop)
    assert v.TABLE_HEADER not in out and "\t\tPreventing crime" not in out
    assert v.table_grades(out) == {} and v.section_grades(out) == {}
    for heading in v.AREAS.values():
        nxt = re.search(r"^%s\n\n([^\n]+)" % re.escape(heading), out, re.M).group(1)
        assert nxt not in v.GRADES and nxt != "Requires"
        assert (" at " in nxt) != drop
    assert "as follows:\n\nWe also inspected" in out
    assert not re.search(r"^(Outstanding|Good|Adequate|Requires( improvement)?|improvement|Inadequate)$", out, re.M)
    assert out.count("\n\n\n") == SEED.count("\n\n\n")  # no extra gaps left behind


def test_conflicting_grades():
    out, info = v.conflicting_grades(SEED)
    assert info == {"Investigating crime": ("Good", "Inadequate")}
    assert column_of(out)["Investigating crime"] == "Good"
    assert v.section_grades(out)["Investigating crime"] == "Inadequate"
    others = {k: g for k, g in ORIGINAL.items() if k != "Investigating crime"}
    assert {k: column_of(out)[k] for k in others} == others
    out2, _ = v.conflicting_grades(SEED, "Managing offenders", "Outstanding", "Requires improvement")
    assert column_of(out2)["Managing offenders"] == "Outstanding"
    assert v.section_grades(out2)["Managing offenders"] == "Requires improvement"


def test_hostile():
    out = v.hostile(SEED)
    assert v.XSS_IMG in out and v.XSS_SCRIPT in out and "href" in out
    heading_line = next(line for line in out.split("\n") if v.XSS_IMG in line)
    para_line = next(line for line in out.split("\n") if v.XSS_SCRIPT in line)
    assert "Areas for improvement\n\n" + heading_line + "\n\n" in out
    assert para_line.startswith("In 17 of 68 cases reviewed") and para_line.endswith(v.XSS_SCRIPT)
    assert heading_line in out.split("Investigating crime\n\nRequires\nimprovement")[1]
    # still a valid report
    assert v.table_grades(out) == ORIGINAL and v.section_grades(out) == ORIGINAL
    assert out.count("\n") == SEED.count("\n")


def test_composition():
    """Variants compose: rename + regrade + reorder + curly + pdf + CRLF."""
    t = v.rename_force(SEED)
    t = v.regrade(t, NEW)
    t = v.reorder_sections(t, list(reversed(v.LABELS)))
    assert v.table_grades(t) == NEW and v.section_grades(t) == NEW
    assert "Wessex Police is outstanding at prevention" in t
    pdf = v.windows(v.pdf_like(v.curly(t)))
    assert "\r\n" in pdf and "\f" in pdf and "’" in pdf
