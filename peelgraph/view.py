"""Store to view records: the nodes and edges `peelgraph viz` draws, each with the exact quote behind it.

The records follow the shape viz.render takes; the trace view marks the nodes on the causal paths from the
factors a text names (peelgraph.trace) as the focus.
"""

from __future__ import annotations

from collections import Counter

from pathlib import Path

from . import query
from .vocab import MODALITY_TERMS

KIND = {"AreaForImprovement": "afi", "CauseOfConcern": "concern", "Recommendation": "recommendation", "Finding": "finding"}

JUDGMENTS = """
SELECT ?j ?area ?areaLabel ?grade ?status ?insp ?inspLabel ?quote WHERE {
  ?j a peel:Judgment ; peel:area ?area ; peel:inInspection ?insp ; peel:status/rdfs:label ?status .
  ?area skos:prefLabel ?areaLabel . ?insp rdfs:label ?inspLabel .
  OPTIONAL { ?j peel:grade/skos:prefLabel ?grade }
  OPTIONAL { ?j peel:evidence/peel:text ?quote FILTER(?quote = ?grade) }
}"""
STATEMENTS = """
SELECT ?s ?type ?label ?area ?insp ?quote ?page WHERE {
  ?s a peel:Statement, ?type ; rdfs:label ?label ; peel:area ?area ; peel:inInspection ?insp ;
     peel:context ?cx . ?cx peel:text ?quote . FILTER(?type != peel:Statement)
  OPTIONAL { ?cx peel:page ?page }
}"""
METRICS = """
SELECT ?m ?label ?area ?supports ?standard ?quote ?context ?page WHERE {
  ?m a peel:Metric ; rdfs:label ?label ; peel:inInspection ?insp ; peel:evidence ?ev . ?ev peel:text ?quote ; peel:start ?s .
  OPTIONAL { ?ev peel:page ?page }
  FILTER NOT EXISTS { ?m peel:evidence/peel:start ?s2 FILTER(?s2 < ?s) }
  OPTIONAL { ?m peel:area ?area } OPTIONAL { ?m peel:supports ?supports } OPTIONAL { ?m peel:comparedTo ?standard }
}"""
STANDARDS = """SELECT ?s ?label ?quote WHERE { ?s a peel:NationalStandard ; rdfs:label ?label ; peel:evidence/peel:text ?quote }"""
MENTIONS = """
SELECT ?st ?concept ?quote ?page WHERE {
  ?m a peel:Mention ; peel:statement ?st ; peel:concept ?concept ; peel:evidence ?ev . ?ev peel:text ?quote .
  OPTIONAL { ?ev peel:page ?page }
}"""
# what a mention names, read apart from the mentions (joined to them in the store, this took seconds on one report)
CONCEPTS = """SELECT ?c ?label ?kind WHERE {
  { ?c skos:prefLabel ?label BIND("factor" AS ?kind) } UNION
  { ?c a peel:Team ; rdfs:label ?label BIND("team" AS ?kind) } UNION
  { ?c a peel:Initiative ; rdfs:label ?label BIND("initiative" AS ?kind) }
}"""
CLAIMS = """
SELECT ?claim ?cause ?effect ?cue ?quote ?area ?st ?insp ?modality ?page WHERE {
  ?claim a peel:CausalClaim ; peel:cause ?cause ; peel:effect ?effect ; peel:cue ?cue ; peel:evidence ?ev ;
         peel:inInspection ?insp . ?ev peel:text ?quote . OPTIONAL { ?ev peel:page ?page }
  OPTIONAL { ?claim peel:area ?area } OPTIONAL { ?claim peel:statement ?st } OPTIONAL { ?claim peel:modality ?modality }
}"""
CONDITIONS = """SELECT ?c ?label ?quote WHERE { ?c a peel:Condition ; rdfs:label ?label ; peel:evidence/peel:text ?quote }"""
MODALITY = {v: k for k, v in MODALITY_TERMS.items()}
INSTANCES = """SELECT ?c ?f ?label WHERE { ?c a peel:Condition ; peel:instanceOf ?f . ?f skos:prefLabel ?label }"""
RELATED = """SELECT ?a ?b WHERE { ?a peel:relatedTo ?b FILTER(STR(?a) < STR(?b)) }"""
AREA_GRADES = """SELECT DISTINCT ?label ?grade WHERE { ?j a peel:Judgment ; peel:area/skos:prefLabel ?label ;
  peel:inInspection/rdfs:label ?insp ; peel:status/rdfs:label ?status OPTIONAL { ?j peel:grade/skos:prefLabel ?grade } }"""
# the grades of each area over the whole store, as JUDGMENTS reads them



def records(store) -> tuple[list[dict], list[dict]]:
    nodes, edges, _ = _records(store)
    return nodes, edges


def _records(store) -> tuple[list[dict], list[dict], dict]:
    """The records, and an index of what the views need: judgment of (inspection, area), the quote of each
    claim, the (inspection, area) of each clause."""
    nodes: dict[str, dict] = {}
    edges: list[dict] = []

    def node(id_, label, kind, quote=None, area=None, grade=None, page=None):
        nodes.setdefault(id_, {"id": id_, "label": label, "kind": kind, "quote": quote, "area": area, "grade": grade,
                               "page": int(page) if page is not None else None})

    def edge(a, b, kind, label, quote=None, modality=None, page=None):
        edges.append({"source": a, "target": b, "kind": kind, "label": label, "quote": quote, "modality": modality,
                      "page": int(page) if page is not None else None})

    area_label, judgment_of = {}, {}
    for r in query.rows(store, JUDGMENTS):
        area_label[r["area"]] = r["areaLabel"]
        node(r["area"], r["areaLabel"], "area", area=r["areaLabel"])
        node(r["insp"], r["inspLabel"], "inspection")
        node(r["j"], f"{r['areaLabel']}: {r['grade'] or r['status']}", "judgment", r["quote"] or r["grade"] or r["status"],
             r["areaLabel"], r["grade"])
        edge(r["insp"], r["j"], "structural", "judged")
        edge(r["area"], r["j"], "structural", "judgment")
        judgment_of[(r["insp"], r["area"])] = r["j"]
    for r in query.rows(store, STATEMENTS):
        kind = KIND.get(r["type"].rsplit("#", 1)[-1])
        if kind is None:
            continue
        node(r["s"], r["label"], kind, r["quote"], area_label.get(r["area"]), page=r["page"])
        target = judgment_of.get((r["insp"], r["area"]), r["area"])
        edge(target, r["s"], "structural", {"afi": "has AFI", "finding": "has finding"}.get(kind, f"has {kind}"))
    for r in query.rows(store, STANDARDS):
        node(r["s"], r["label"], "standard", r["quote"])
    for r in query.rows(store, METRICS):
        node(r["m"], r["label"], "metric", r["quote"], area_label.get(r["area"]), page=r["page"])
        if r["supports"] in nodes:
            edge(r["m"], r["supports"], "structural", "supports")
        if r["standard"] in nodes:
            edge(r["m"], r["standard"], "structural", "compared to")
    concepts: dict[str, list[tuple[str, str]]] = {}
    kind_order = {"factor": 0, "team": 1, "initiative": 2}
    for r in sorted(query.rows(store, CONCEPTS), key=lambda r: (kind_order[r["kind"]], r["label"])):
        concepts.setdefault(r["c"], []).append((r["label"], r["kind"]))
    for r in query.rows(store, MENTIONS):
        if r["st"] not in nodes:
            continue
        for label, kind in concepts.get(r["concept"], ()):
            node(r["concept"], label, kind)
            edge(r["st"], r["concept"], "thematic", "mentions", r["quote"], page=r["page"])
    claim_quote: dict[str, set] = {}
    clause_of: dict[str, set] = {}
    condition = {}
    for r in sorted(query.rows(store, CONDITIONS), key=lambda r: (r["c"], r["quote"])):
        condition.setdefault(r["c"], (r["label"], r["quote"]))
    for r in query.rows(store, CLAIMS):
        if r["cause"] not in condition or r["effect"] not in condition:
            continue
        (r["causeLabel"], r["causeQuote"]), (r["effectLabel"], r["effectQuote"]) = condition[r["cause"]], condition[r["effect"]]
        claim_quote.setdefault(r["claim"], set()).add(r["quote"])  # a list item's claim quotes its lead-in too
        for c in (r["cause"], r["effect"]):
            clause_of.setdefault(c, set()).add((r["insp"], r["area"]))
        area = area_label.get(r["area"])
        node(r["cause"], r["causeLabel"], "condition", r["causeQuote"], area)
        node(r["effect"], r["effectLabel"], "condition", r["effectQuote"], area)
        edge(r["cause"], r["effect"], "causal", r["cue"], r["quote"], MODALITY.get(r["modality"], "asserted"), r["page"])
        if r["st"] in nodes:
            edge(r["effect"], r["st"], "structural", "stated in")
        elif (r["insp"], r["area"]) in judgment_of:
            edge(r["effect"], judgment_of[(r["insp"], r["area"])], "structural", "stated in")
    for r in query.rows(store, INSTANCES):
        if r["c"] in nodes:
            node(r["f"], r["label"], "factor")
            edge(r["f"], r["c"], "causal", "instance")
    for r in query.rows(store, RELATED):
        if r["a"] in nodes and r["b"] in nodes:
            edge(r["a"], r["b"], "thematic", "related to")
    grades: dict[str, set] = {}
    for n in nodes.values():
        if n["kind"] == "judgment":
            grades.setdefault(n["area"], set()).add(n["grade"])
    for n in nodes.values():  # with one inspection in the store, an area takes the colour of its grade
        if n["kind"] == "area" and len(grades.get(n["label"], ())) == 1:
            n["grade"] = next(iter(grades[n["label"]]))
    degree = Counter()
    for e in edges:
        degree[e["source"]] += 1
        degree[e["target"]] += 1
    for n in nodes.values():
        n["weight"] = float(degree[n["id"]])
    index = {"judgment_of": judgment_of, "claim_quote": claim_quote, "clause_of": clause_of}
    return list(nodes.values()), edges, index


def page(store, trace_text: str | None = None) -> str:
    """The page `peelgraph viz` writes: the overview by area (with a view per area and per factor to open), or
    with ``trace_text`` the trace of the factors it names, left to right, the rest of the graph behind it."""
    from .trace import reach

    nodes, edges, index = _records(store)
    return _page(store, nodes, edges, index, reach(store) if not trace_text else [], trace_text)


def _page(store, nodes, edges, index, reached, trace_text=None, single=None) -> str:
    """The page of these records; ``single`` (one report's records, so no report named on each area box) is
    decided from the records unless given."""
    from . import viz
    from .trace import trace

    title = "peelgraph: " + ", ".join(sorted({n["label"] for n in nodes if n["kind"] == "inspection"}))
    if trace_text:
        view = _trace_view(trace(store, trace_text), {n["id"] for n in nodes}, trace_text)
        title += f" \u2014 trace: {trace_text}"
        return viz.render(nodes, edges, title=title, focus={i for i, _ in view["nodes"]}, views=[view])
    views, summary = _overview(nodes, edges, index, [r for r in reached if r["claims"]], single)
    return viz.render(nodes, edges + summary, title=title, views=views)


GRADE_ORDER = {"Inadequate": 0, "Requires improvement": 1, "Adequate": 2, "Good": 3, "Outstanding": 4}
MAX_FACTORS = 16  # on the overview: the factors first in the root-cause ranking, plus the first to reach any other area
STATEMENT_ORDER = {"concern": 0, "afi": 1, "recommendation": 2, "finding": 3}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _judgment_order(n: dict) -> tuple:
    return (GRADE_ORDER.get(n["grade"], 9), n["label"], n["id"])


def _overview(nodes: list[dict], edges: list[dict], index: dict, reached: list[dict],
              single: bool | None = None) -> tuple[list[dict], list[dict]]:
    """The overview (one box per judgment, the factors whose chains reach it, one summed arrow per factor and
    judgment), a view per judgment (its statements, figures and causes) and one per factor (its chains)."""
    by_id = {n["id"]: n for n in nodes}
    judgment_of = index["judgment_of"]
    judgments = sorted((n for n in nodes if n["kind"] == "judgment"), key=_judgment_order)
    if single is None:
        single = len({insp for insp, _ in judgment_of}) == 1
    statements: dict[str, list[str]] = {}
    supports: dict[str, list[str]] = {}
    stated: dict[str, list[str]] = {}
    instance: dict[str, list[str]] = {}
    for e in edges:
        a, b = e["source"], e["target"]
        if e["label"] == "supports":
            supports.setdefault(b, []).append(a)
        elif e["label"] == "stated in":
            stated.setdefault(b, []).append(a)
        elif e["label"] == "instance":
            instance.setdefault(b, []).append(a)
        elif by_id[a]["kind"] == "judgment" and by_id[b]["kind"] in STATEMENT_ORDER:
            statements.setdefault(a, []).append(b)
    views = [None]
    for j in judgments:
        sts = sorted(set(statements.get(j["id"], ())), key=lambda i: (STATEMENT_ORDER[by_id[i]["kind"]], by_id[i]["label"], i))
        metrics = {m for s in sts for m in supports.get(s, ())}
        if single:
            metrics |= {n["id"] for n in nodes if n["kind"] == "metric" and n["area"] == j["area"]}
        key = next(k for k, v in judgment_of.items() if v == j["id"])
        clauses = sorted(c for c, where in index["clause_of"].items() if key in where)
        factors = sorted({f for c in clauses for f in instance.get(c, ())}, key=lambda i: (by_id[i]["label"], i))
        kinds = Counter(by_id[s]["kind"] for s in sts)
        j["note"] = " \u00b7 ".join(([] if single else [by_id[key[0]]["label"]])  # several reports: say whose
                                     + [_plural(kinds["afi"] + kinds["concern"], "AFI"), _plural(kinds["finding"], "finding"),
                                        _plural(len(metrics), "figure")])
        views.append({
            "key": "area:" + j["id"], "opener": j["id"], "fixed": [4],
            "title": f"{j['label']}: its statements, figures and the causes the report gives (click a factor for its chains)",
            "nodes": [(f, 0) for f in factors] + [(c, 1) for c in clauses]
            + [(m, 2) for m in sorted(metrics, key=lambda i: (by_id[i]["label"], i))] + [(s, 3) for s in sts]
            + [(j["id"], 4)],
        })
    summary, chosen, covered = [], [], set()
    by_factor = {}
    for r in reached:
        counts: dict[str, list[str]] = {}
        for c in r["claims"]:
            target = judgment_of.get((c["inspection"], c["area"]))
            if target:
                counts.setdefault(target, []).append(c["claim"])
        by_factor[r["factor"]] = counts
        if r["factor"] in by_id and counts and len(chosen) < MAX_FACTORS:
            chosen.append(r["factor"])
            covered |= set(counts)
    for j in judgments:
        if j["id"] not in covered:
            first = next((r["factor"] for r in reached if r["factor"] in by_id and j["id"] in by_factor[r["factor"]]), None)
            if first and first not in chosen:
                chosen.append(first)
                covered |= set(by_factor[first])
    for f in chosen:
        for target, claims in sorted(by_factor[f].items()):
            quotes = list(dict.fromkeys("\n".join(sorted(index["claim_quote"][c])) for c in sorted(claims)))
            summary.append({"source": f, "target": target, "kind": "causal", "count": len(claims),
                            "label": f"{_plural(len(claims), 'causal claim')} from {by_id[f]['label']}",
                            "quote": "\n\n".join(quotes)})
    views[0] = {
        "key": "overview", "summary": True, "fixed": [0, 2],
        "title": "Overview: graded areas on the right (worst first), ungraded on the left, and the factors whose "
                 "causal chains reach them; arrow width = claims. Click an area or a factor.",
        "nodes": [(j["id"], 0 if j["grade"] is None else 2) for j in judgments] + [(f, 1) for f in chosen],
    }
    for r in reached:
        if r["factor"] not in by_id:
            continue
        cl = [c for c in r["claims"] if c["cause"] in by_id and c["effect"] in by_id]
        conds = list(dict.fromkeys([*r["starts"], *(x for c in cl for x in (c["cause"], c["effect"]))]))
        conds = [c for c in conds if c in by_id]
        sts = list(dict.fromkeys(c["statement"] for c in cl if c["statement"] in by_id))
        js = sorted({judgment_of[(c["inspection"], c["area"])] for c in cl if (c["inspection"], c["area"]) in judgment_of},
                    key=lambda i: _judgment_order(by_id[i]))
        views.append({
            "key": "factor:" + r["factor"], "opener": r["factor"], "fixed": [3],
            "title": f"{r['label']}: its causal chains, left to right, to the areas they reach",
            "nodes": [(r["factor"], 0)] + [(c, 1) for c in conds] + [(s, 2) for s in sts] + [(j, 3) for j in js],
        })
    return views, summary


def _trace_view(result: dict, ids: set[str], text: str) -> dict:
    """The trace as a flow: factor, clauses (each step by its cue), statements, judgments at the right."""
    group = {"Factor": 0, "Condition": 1, "Judgment": 3}
    members: dict[str, int] = {}
    for area in result["areas"]:
        for path in area["paths"]:
            for step in path:
                if step.get("iri") in ids:
                    members.setdefault(step["iri"], group.get(step["type"], 2))
    order = sorted(members.items(), key=lambda kv: kv[1])  # stable: path order within a group
    return {"key": "trace", "context": True, "fixed": [3], "nodes": order,
            "title": f"Trace of \u201c{text}\u201d: factor \u2192 clauses (each step by its cue) \u2192 statements "
                     "\u2192 judgments"}


# --- the national picture ------------------------------------------------------------------------------------


def write_national(store, out) -> Path:
    """Write the national page (``peelgraph.national``) to ``out`` and each report's network page beside it
    (``national.report_file``); returns ``out``. Pages are written atomically, one at a time.

    A report's page holds what that report's graph says, as it appears in the whole store: the chains are
    walked once over the store (``trace.reach``, so factors come in the store's root-cause order) and split by
    report; each report's records are read from a small in-memory store of its graph and the shared ones
    (ontology, areas, factors), so no query reads another report. An area is coloured by its grade only where
    every report gives that area the same grade, and every area box names its report, as on a page of the whole
    store."""
    import pyoxigraph as ox

    from . import national, viz
    from .trace import reach

    folder = Path(out).parent
    index = viz.write(out, national.page(store))
    reports = {r["g"]: r["i"] for r in query.rows(store, national.INSPECTIONS)}
    reached: dict[str, list[dict]] = {i: [] for i in reports.values()}
    for r in reach(store):
        by_report: dict[str, list[dict]] = {}
        for c in r["claims"]:
            by_report.setdefault(c["inspection"], []).append(c)
        for insp, claims in by_report.items():
            if insp in reached:
                reached[insp].append({**r, "claims": claims})
    grades: dict[str, set] = {}
    for r in query.rows(store, AREA_GRADES):
        grades.setdefault(r["label"], set()).add(r["grade"])
    shared = [(g, store.dump(format=ox.RdfFormat.N_QUADS, from_graph=g)) for g in
              [ox.DefaultGraph(), *sorted((g for g in store.named_graphs() if g.value not in reports), key=str)]]
    for g, insp in sorted(reports.items(), key=lambda kv: kv[1]):
        one = ox.Store()  # a fresh one each time: an in-memory store keeps what is removed from it
        for graph, data in [*shared, (ox.NamedNode(g), store.dump(format=ox.RdfFormat.N_QUADS, from_graph=ox.NamedNode(g)))]:
            one.bulk_load(data, format=ox.RdfFormat.N_QUADS, to_graph=graph)
        nodes, edges, idx = _records(one)
        for n in nodes:
            if n["kind"] == "area":
                n["grade"] = next(iter(grades[n["label"]])) if len(grades.get(n["label"], ())) == 1 else None
        viz.write(folder / national.report_file(insp), _page(one, nodes, edges, idx, reached[insp], single=False))
    return index
