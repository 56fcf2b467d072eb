"""The national picture: what it shows, gathered from the store in a few aggregate queries, and the page that shows
it, one self-contained, offline HTML file: a forces x areas table of grades (sortable, coloured by grade) and a
forces x root causes matrix (cell = poor grades the factor's chains reach in that force's report; a click opens
that force's report page at the factor's chains, the sentences behind the cell are shown beside the matrix).
Plain HTML built by the page's script from inlined JSON, with ``textContent`` only; the same
Content-Security-Policy as the network pages (no fetch, only the page's own script by hash).

Record (``records``; ``render`` takes it)::

    {"forces": [{"id": str, "label": str, "href": str | None}],     # href: the report's network page
     "areas": [str],                                                # column order
     "grades": {force id: {area: grade or status}},
     "causes": [{"id": str, "label": str,
                 "cells": {force id: {"poor": int, "areas": [str], "claims": [int]}}}],
     "quotes": [str]}                                               # claims' exact sentences, by index

A root cause's chains are what ``peelgraph.trace.reach`` walks (every claim whose cause is an instance of the
factor or lies on a ``peel:causes`` chain from one), materialised in each report's graph when it is built:
``peel:reachesArea`` (the areas of those claims) ranks the factors and ``peel:reachesClaim`` (the claims) gives
each cell's sentences, so no query here walks a chain. The other joins are written as subqueries of one triple
pattern, which Oxigraph joins by hash (a pattern group is joined by an index lookup per row, far slower at 400
reports); only labels, grades and the quotes shown are read as text. When the tables are built the page sets
``window.peelgraphReady = true``.
Same store, same bytes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import query
from .errors import StoreError
from .viz import GRADE_COLOURS, UNGRADED, _csp, _inline, _script_json, _template
from .vocab import PID

_TEMPLATES = Path(__file__).with_name("templates")
CAUSES = 25  # root causes (columns): those whose chains reach the most poor grades
POOR = ("Requires improvement", "Inadequate")


def _p(s: str, p: str, o: str) -> str:
    """One triple pattern as a subquery, so that the store joins it to the rest by hash."""
    return f"{{ SELECT {' '.join(v for v in (s, o) if v.startswith('?'))} WHERE {{ {s} {p} {o} }} }}"


# what each factor's chains reach in a report (peel:reachesArea, peel:reachesClaim) is materialised in the report's
# graph at build time, from peel:reaches: the factors whose chains reach a poor grade, and how many (report, area)
RANKING = ("SELECT ?f ?label (COUNT(*) AS ?poor) WHERE {{ {{ SELECT DISTINCT ?f ?g ?area WHERE {{ "
           "GRAPH ?g {{ ?f peel:reachesArea ?area }} }} }} VALUES (?g ?area) {{ {poor} }} ?f skos:prefLabel ?label }} "
           "GROUP BY ?f ?label")

def _cells(factors: str) -> str:
    """For the factors shown (IRIs in angle brackets): each (report, area) their chains reach, and the sentences
    of each claim there."""
    return ("SELECT ?f ?g ?area (GROUP_CONCAT(?claimQuotes; separator=\"\\u001e\") AS ?quotes) WHERE { { "
            "SELECT ?f ?g ?area (GROUP_CONCAT(?q; separator=\"\\u001f\") AS ?claimQuotes) WHERE { "
            f"{{ SELECT ?f ?g ?claim WHERE {{ VALUES ?f {{ {factors} }} GRAPH ?g {{ ?f peel:reachesClaim ?claim }} }} }} "
            f"{_p('?claim', 'peel:area', '?area')} {_p('?claim', 'peel:evidence', '?ev')} {_p('?ev', 'peel:text', '?q')} "
            "} GROUP BY ?f ?g ?area ?claim } } GROUP BY ?f ?g ?area")


# each report's named graph holds its one inspection (checked): claims and judgments are placed by their graph
INSPECTIONS = """SELECT ?g ?i ?label WHERE { GRAPH ?g { ?i a peel:Inspection ; rdfs:label ?label } }"""
# a judgment's area and status looked up in its report's graph (a few thousand lookups beat scanning peel:area, which
# every statement, mention and claim has); labels and grades are small parts, hash-joined
JUDGMENTS = """SELECT ?g ?area ?areaLabel ?grade ?status WHERE {
  { SELECT ?g ?j ?area ?st WHERE { GRAPH ?g { ?j a peel:Judgment ; peel:area ?area ; peel:status ?st } } }
  { SELECT ?st ?status WHERE { { SELECT DISTINCT ?st WHERE { ?x peel:status ?st } } ?st rdfs:label ?status } }
  { SELECT ?area ?areaLabel WHERE { ?area a peel:Area ; skos:prefLabel ?areaLabel } }
  OPTIONAL { { SELECT ?j ?grade WHERE { %s { SELECT ?gr ?grade WHERE { ?gr a peel:Grade ; skos:prefLabel ?grade } } } } }
}""" % _p("?j", "peel:grade", "?gr")
AREA_ORDER = """SELECT ?label ?order WHERE { ?a skos:prefLabel ?label ; peel:order ?order }"""


def report_file(inspection: str) -> str:
    """The file name of a report's network page beside the national page: pid:northmoor/2023-25 ->
    northmoor-2023-25.html."""
    return inspection.removeprefix(PID).strip("/").replace("/", "-") + ".html"


def records(store, link: bool = True) -> dict:
    """The records of the national page: every inspection's grades by area, and the CAUSES root causes whose
    chains reach the most poor grades, with each force's count, the areas and the claims' sentences behind it."""
    reports = query.rows(store, INSPECTIONS)
    insp = {r["g"]: r["i"] for r in reports}
    if len(insp) != len(reports):
        raise StoreError("a report's graph holds more than one inspection; rebuild the store with `peelgraph build`")
    forces = sorted(({"id": r["i"], "label": r["label"], "href": report_file(r["i"]) if link else None}
                     for r in reports), key=lambda f: (f["label"], f["id"]))
    order = {r["label"]: int(r["order"]) for r in query.rows(store, AREA_ORDER)}
    grades: dict[str, dict[str, str]] = {}
    judged: dict[tuple[str, str], tuple[str, str | None]] = {}
    for r in query.rows(store, JUDGMENTS):
        if r["g"] in insp:
            grades.setdefault(insp[r["g"]], {})[r["areaLabel"]] = r["grade"] or r["status"]
            judged[(r["g"], r["area"])] = (r["areaLabel"], r["grade"])
    areas = sorted({a for g in grades.values() for a in g}, key=lambda a: (order.get(a, 99), a))
    pairs = lambda keep: " ".join(f"(<{g}> <{a}>)" for (g, a), (_, grade) in sorted(judged.items()) if keep(grade))
    poor = pairs(lambda grade: grade in POOR)
    ranked = sorted((-int(r["poor"]), r["label"], r["f"]) for r in query.rows(store, RANKING.format(poor=poor))) if poor else []
    ranked = ranked[:CAUSES]
    cells: dict[tuple[str, str], dict[str, dict]] = {(f, label): {} for _, label, f in ranked}
    if ranked:
        rows = query.rows(store, _cells(" ".join(f"<{f}>" for _, _, f in ranked)))
        for r in rows:
            where = judged.get((r["g"], r["area"]))
            if where is None:
                continue
            for label in {l for _, l, f in ranked if f == r["f"]}:
                cell = cells[(r["f"], label)].setdefault(insp[r["g"]], {"areas": {}, "claims": set()})
                cell["areas"][where[0]] = where[1]
                cell["claims"].update("\n".join(sorted(set(q.split("\x1f")))) for q in r["quotes"].split("\x1e"))
    quotes: list[str] = []
    at: dict[str, int] = {}
    out = []
    for _, label, factor in ranked:
        shown = {}
        for insp, cell in sorted(cells[(factor, label)].items()):
            for q in sorted(cell["claims"]):
                at.setdefault(q, len(at))
            shown[insp] = {"poor": sum(1 for g in cell["areas"].values() if g in POOR),
                           "claims": sorted(at[q] for q in cell["claims"]),
                           "areas": [f"{a}: {g or 'ungraded'}" for a, g in
                                     sorted(cell["areas"].items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))]}
        out.append({"id": factor, "label": label, "cells": shown})
    quotes = sorted(at, key=at.get)
    return {"forces": forces, "areas": areas, "grades": grades, "causes": out, "quotes": quotes}


def page(store, link: bool = True) -> str:
    record = records(store, link)
    return render(record, title=f"peelgraph: the national picture \u2014 {len(record['forces'])} reports")


def render(record: dict[str, Any], *, title: str) -> str:
    forces = {f["id"] for f in record["forces"]}
    for cause in record["causes"]:
        if set(cause["cells"]) - forces:
            raise ValueError(f"root cause {cause['label']!r} has cells for forces not listed")
        for cell in cause["cells"].values():
            if any(not 0 <= i < len(record["quotes"]) for i in cell["claims"]):
                raise ValueError(f"root cause {cause['label']!r} refers to a quote that is not there")
    payload = {**record, "colours": {**GRADE_COLOURS, "": UNGRADED}}
    template, parts = _static()
    return template.render(title=title, payload=Markup(_script_json(payload)), **parts)


@lru_cache(maxsize=1)
def _static() -> tuple[jinja2.Template, dict[str, Any]]:
    app_js = (_TEMPLATES / "national.js").read_text(encoding="utf-8")
    return _template("national.html.j2"), {
        "csp": _csp(app_js),
        "app_js": _inline(app_js, "</script", "national.js"),
        "app_css": _inline((_TEMPLATES / "national.css").read_text(encoding="utf-8"), "</style", "national.css"),
    }
