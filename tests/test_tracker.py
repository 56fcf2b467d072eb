"""`peelgraph tracker`: one row per area for improvement, cause of concern and recommendation in the store, as
CSV or as an XLSX workbook that opens in a spreadsheet."""

import csv
import io

import pytest
from click.testing import CliRunner
from test_cycles import DROPPED, NEW, REWORDED, two_cycles  # noqa: F401 - the two-cycle store fixture

from peelgraph import query
from peelgraph.cli import main
from peelgraph.tracker import COLUMNS, to_csv, to_xlsx

COUNT = """SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE {
  VALUES ?k { peel:AreaForImprovement peel:CauseOfConcern peel:Recommendation } ?st a ?k }"""


def statements(st) -> int:
    return int(query.rows(st, COUNT)[0]["n"])


def read_xlsx(path):
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


def test_tracker_xlsx_opens_with_one_row_per_statement(seed_store, open_seed_store, tmp_path):
    out = tmp_path / "afis.xlsx"
    r = CliRunner().invoke(main, ["tracker", "--store", str(seed_store), "--out", str(out)])
    assert r.exit_code == 0, r.output
    ws, cells = read_xlsx(out)
    assert tuple(cells[0]) == COLUMNS
    assert len(cells) - 1 == statements(open_seed_store) == 22
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:O{len(cells)}"
    assert ws.column_dimensions["F"].width == 60 and ws["A1"].font.bold
    rows = [dict(zip(COLUMNS, c)) for c in cells[1:]]
    assert {r["kind"] for r in rows} == {"area for improvement"}
    assert all(r["force"] == "Derbyshire Constabulary" and r["cycle"] == "2021/22" for r in rows)
    assert all(r["grade"] in ("Adequate", "Requires improvement") for r in rows)
    assert any(r["figures"] and "of" in r["figures"] for r in rows) and any(r["factors"] for r in rows)
    assert all(r["status"] is None and r["next cycle"] is None and r["page"] is None for r in rows)  # one cycle, text


def test_tracker_is_deterministic_and_csv_matches(seed_store, tmp_path):
    runner = CliRunner()
    for name in ("a.xlsx", "b.xlsx", "a.csv"):
        assert runner.invoke(main, ["tracker", "--store", str(seed_store), "--out", str(tmp_path / name)]).exit_code == 0
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    from_csv = list(csv.reader(io.StringIO((tmp_path / "a.csv").read_text(encoding="utf-8"))))
    _, from_xlsx = read_xlsx(tmp_path / "a.xlsx")
    assert from_csv[0] == list(COLUMNS) and len(from_csv) == len(from_xlsx)
    assert [r[5] for r in from_csv[1:]] == [r[5] for r in from_xlsx[1:]]


def test_tracker_status_across_two_cycles(two_cycles, tmp_path):  # noqa: F811
    folder, st = two_cycles
    out = tmp_path / "afis.xlsx"
    assert CliRunner().invoke(main, ["tracker", "--store", str(folder / "store"), "--out", str(out)]).exit_code == 0
    _, cells = read_xlsx(out)
    rows = [dict(zip(COLUMNS, c)) for c in cells[1:]]
    assert len(rows) == statements(st) == 22 + 22
    first, second = [r for r in rows if r["cycle"] == "2021/22"], [r for r in rows if r["cycle"] == "2023-25"]
    assert all(r["status"] is None for r in first)
    assert sorted((r["next cycle"], r["statement"].split(". ")[0]) for r in first if r["next cycle"] != "repeated") == [
        ("not repeated", DROPPED.split(". ")[0])]
    assert [r["statement"] for r in second if r["status"] == "new"] == [NEW[0]]
    reworded = next(r for r in second if r["statement"].startswith(REWORDED[1]))
    assert reworded["status"] == "repeated" and reworded["repeats"].startswith(REWORDED[0]) and reworded["similarity"] < 1
    assert all(r["next cycle"] is None for r in second)


def test_tracker_pdf_rows_have_pages(tmp_path, seed_text):
    import pdfmake

    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(pdfmake.render(seed_text))
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(pdf), "--store", str(tmp_path / "s")]).exit_code == 0
    assert runner.invoke(main, ["tracker", "--store", str(tmp_path / "s"), "--out", str(tmp_path / "t.csv")]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 22 and all(r["page"].isdigit() for r in rows)


@pytest.mark.parametrize("out, says", [("afis.txt", "unknown format"), ("missing/dir/afis.csv", None)])
def test_tracker_bad_out(seed_store, tmp_path, out, says):
    r = CliRunner().invoke(main, ["tracker", "--store", str(seed_store), "--out", str(tmp_path / out)])
    if says:
        assert r.exit_code == 2 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1
    else:  # a missing folder is made, as for build --out
        assert r.exit_code == 0 and (tmp_path / out).exists()


def test_tracker_without_store_is_exit_2(tmp_path):
    r = CliRunner().invoke(main, ["tracker", "--store", str(tmp_path / "none"), "--out", str(tmp_path / "a.csv")])
    assert r.exit_code == 2 and not (tmp_path / "a.csv").exists()


@pytest.mark.parametrize("text", ['=HYPERLINK("http://example.org","x")', "+1+2", "-3+4", "@SUM(A1)", "\t=1"])
def test_tracker_text_that_looks_like_a_formula_stays_text(text):
    record = dict.fromkeys(COLUMNS) | {"text": text, "page": 7}
    row = list(csv.reader(io.StringIO(to_csv([record]).decode("utf-8"))))[1]
    assert row[COLUMNS.index("text")] == "'" + text and row[COLUMNS.index("page")] == "7"
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(to_xlsx([record]))).active
    cell = ws.cell(row=2, column=COLUMNS.index("text") + 1)
    assert cell.value == text and cell.data_type == "s"
