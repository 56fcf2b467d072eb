"""The AFI tracker: one row per area for improvement, cause of concern and recommendation in the store, as
the spreadsheet performance teams keep by hand (CSV or XLSX).

Each row: force, cycle, area, the area's grade in that inspection, kind, the statement's heading and text,
the page it starts on (reports read from a PDF), the figures that back it (the metrics that
``peel:supports`` it, quoted), the factors it names, its status against the force's previous inspection in
the store (``new`` or ``repeated``, with the earlier heading and the similarity) and what became of it in the
next one (``repeated`` or ``not repeated``; empty when the store has no later inspection of the force), and
its IRI.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from . import query
from .errors import PeelgraphError

COLUMNS = ("force", "cycle", "area", "grade", "kind", "statement", "text", "page", "figures", "factors",
           "status", "repeats", "similarity", "next cycle", "iri")
WIDTHS = {"force": 22, "cycle": 9, "area": 30, "grade": 20, "kind": 20, "statement": 60, "text": 80, "page": 6,
          "figures": 40, "factors": 40, "status": 10, "repeats": 50, "similarity": 10, "next cycle": 13, "iri": 50}
KIND = {"AreaForImprovement": "area for improvement", "CauseOfConcern": "cause of concern",
        "Recommendation": "recommendation"}
KIND_ORDER = {k: n for n, k in enumerate(("CauseOfConcern", "Recommendation", "AreaForImprovement"))}
FORMATS = (".csv", ".xlsx")

STATEMENTS = """
SELECT DISTINCT ?st ?kind ?force ?cycle ?insp ?areaLabel ?order ?ordinal ?label ?context ?page ?grade ?start WHERE {
  VALUES ?kind { peel:AreaForImprovement peel:CauseOfConcern peel:Recommendation }
  ?st a ?kind ; rdfs:label ?label ; peel:area ?a ; peel:inInspection ?insp ; peel:ordinal ?ordinal ; peel:evidence ?p .
  ?p peel:start ?start .
  OPTIONAL { ?p peel:page ?page }
  OPTIONAL { ?st peel:context/peel:text ?context }
  ?insp peel:cycle ?cycle ; peel:ofForce/skos:prefLabel ?force .
  ?a skos:prefLabel ?areaLabel .
  OPTIONAL { ?a peel:order ?order }
  OPTIONAL { ?j a peel:Judgment ; peel:inInspection ?insp ; peel:area ?a ; peel:grade/skos:prefLabel ?grade }
}
"""
FIGURES = """
SELECT DISTINCT ?st ?quote ?start WHERE {
  ?m a peel:Metric ; peel:supports ?st ; peel:evidence ?p . ?p peel:text ?quote ; peel:start ?start .
}
"""
FACTORS = """
SELECT DISTINCT ?st ?label WHERE { ?st peel:mentions ?f . ?f a peel:Factor ; skos:prefLabel ?label . }
"""
REPEATS = """
SELECT DISTINCT ?st ?earlier ?sim WHERE { ?r a peel:Repetition ; peel:later ?st ; peel:earlierText ?earlier ; peel:similarity ?sim }
"""
LATER = """
SELECT DISTINCT ?st ?next WHERE {
  { ?st peel:notRepeatedIn ?i . BIND("not repeated" AS ?next) }
  UNION { ?x peel:repeats ?st . BIND("repeated" AS ?next) }
}
"""
PREVIOUS = """SELECT DISTINCT ?insp WHERE { ?insp peel:previousInspection ?e }"""


def rows(store) -> list[dict]:
    """Every tracked statement as a dict keyed by ``COLUMNS``, in a stable order (force, cycle, kind, area)."""
    from .cycles import cycle_key

    figures: dict[str, list[tuple[int, str]]] = {}
    for r in query.rows(store, FIGURES):
        figures.setdefault(r["st"], []).append((int(r["start"]), " ".join(r["quote"].split())))
    factors: dict[str, set[str]] = {}
    for r in query.rows(store, FACTORS):
        factors.setdefault(r["st"], set()).add(r["label"])
    repeats = {r["st"]: r for r in query.rows(store, REPEATS)}
    later = {r["st"]: r["next"] for r in query.rows(store, LATER)}
    has_previous = {r["insp"] for r in query.rows(store, PREVIOUS)}
    out = []
    for r in query.rows(store, STATEMENTS):
        st = r["st"]
        kind = r["kind"].rsplit("#", 1)[-1]
        rep = repeats.get(st)
        status = "repeated" if rep else "new" if r["insp"] in has_previous else ""
        out.append({
            "force": r["force"], "cycle": r["cycle"], "area": r["areaLabel"], "grade": r["grade"] or "",
            "kind": KIND[kind], "statement": r["label"], "text": " ".join((r["context"] or r["label"]).split()),
            "page": int(r["page"]) if r["page"] else None,
            "figures": "; ".join(q for _, q in sorted(set(figures.get(st, ())))),
            "factors": "; ".join(sorted(factors.get(st, ()))),
            "status": status, "repeats": " ".join(rep["earlier"].split()) if rep else "",
            "similarity": float(rep["sim"]) if rep else None, "next cycle": later.get(st, ""), "iri": st,
            "_key": (r["force"], cycle_key(r["cycle"]), KIND_ORDER[kind], int(r["order"] or 99), r["areaLabel"],
                     int(r["ordinal"]), int(r["start"]), st),
        })
    out.sort(key=lambda row: row["_key"])
    for row in out:
        del row["_key"]
    return out


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str | int | float:
    """A cell a spreadsheet shows as the text it is: text that starts like a formula ("=HYPERLINK(...)",
    "+1", "@SUM") gets a leading apostrophe, as OWASP advises for CSV; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(records: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in records:
        w.writerow([_csv_cell(r[c]) for c in COLUMNS])
    return buf.getvalue().encode("utf-8")


def to_xlsx(records: list[dict]) -> bytes:
    """A workbook with one sheet: a bold, frozen header row with filters, set column widths, wrapped text.
    Deterministic: fixed document dates and zip entry times, so the same store gives the same bytes."""
    import datetime as dt
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Tracker"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r in records:
        ws.append([r[c] for c in COLUMNS])
    for k, c in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(k)].width = WIDTHS[c]
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
            if cell.data_type == "f":  # report text that starts with "=" is text, never a formula
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(records) + 1}"
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "peelgraph"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving as "modified"
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data)
            dst.writestr(entry, data)
    return out.getvalue()


def write(store, out: str | Path) -> tuple[Path, int]:
    """Write the tracker to ``out`` (.csv or .xlsx, atomically); returns the path and the number of rows."""
    from .store import write_atomic

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise PeelgraphError(f"--out {out}: unknown format; use a .csv or .xlsx file.")
    records = rows(store)
    data = to_csv(records) if suffix == ".csv" else to_xlsx(records)
    try:
        write_atomic(out, data)
    except OSError as e:
        raise PeelgraphError(f"--out {out}: cannot write ({e.strerror or e}).") from None
    return out, len(records)
