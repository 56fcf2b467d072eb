"""Store to view records: the nodes and edges `peelgraph viz` draws, each with the exact quote behind it.

The records follow the shape viz.render takes; the trace view marks the nodes on the causal paths from the
factors a text names (peelgraph.trace) as the focus.
"""

from __future__ import annotations

from collections import Counter

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
SELECT ?s ?type ?label ?area ?insp ?quote WHERE {
  ?s a peel:Statement, ?type ; rdfs:label ?label ; peel:area ?area ; peel:inInspection ?insp ;
     peel:context/peel:text ?quote . FILTER(?type != peel:Statement)
}"""
METRICS = """
SELECT ?m ?label ?area ?supports ?standard ?quote ?context WHERE {
  ?m a peel:Metric ; rdfs:label ?label ; peel:inInspection ?insp ; peel:evidence [ peel:text ?quote ; peel:start ?s ] .
  FILTER NOT EXISTS { ?m peel:evidence/peel:start ?s2 FILTER(?s2 < ?s) }
  OPTIONAL { ?m peel:area ?area } OPTIONAL { ?m peel:supports ?supports } OPTIONAL { ?m peel:comparedTo ?standard }
}"""
STANDARDS = """SELECT ?s ?label ?quote WHERE { ?s a peel:NationalStandard ; rdfs:label ?label ; peel:evidence/peel:text ?quote }"""
MENTIONS = """
SELECT ?st ?concept ?label ?kind ?quote WHERE {
  ?m a peel:Mention ; peel:statement ?st ; peel:concept ?concept ; peel:evidence/peel:text ?quote .
  { ?concept skos:prefLabel ?label BIND("factor" AS ?kind) } UNION
  { ?concept a peel:Team ; rdfs:label ?label BIND("team" AS ?kind) } UNION
  { ?concept a peel:Initiative ; rdfs:label ?label BIND("initiative" AS ?kind) }
}"""
CLAIMS = """
SELECT ?claim ?cause ?effect ?cue ?quote ?causeLabel ?effectLabel ?causeQuote ?effectQuote ?area ?st ?insp ?modality WHERE {
  ?claim a peel:CausalClaim ; peel:cause ?cause ; peel:effect ?effect ; peel:cue ?cue ; peel:evidence/peel:text ?quote ;
         peel:inInspection ?insp .
  ?cause rdfs:label ?causeLabel ; peel:evidence/peel:text ?causeQuote .
  ?effect rdfs:label ?effectLabel ; peel:evidence/peel:text ?effectQuote .
  OPTIONAL { ?claim peel:area ?area } OPTIONAL { ?claim peel:statement ?st } OPTIONAL { ?claim peel:modality ?modality }
}"""
MODALITY = {v: k for k, v in MODALITY_TERMS.items()}
INSTANCES = """SELECT ?c ?f ?label WHERE { ?c a peel:Condition ; peel:instanceOf ?f . ?f skos:prefLabel ?label }"""
RELATED = """SELECT ?a ?b WHERE { ?a peel:relatedTo ?b FILTER(STR(?a) < STR(?b)) }"""



def records(store) -> tuple[list[dict], list[dict]]:
    nodes: dict[str, dict] = {}
    edges: list[dict] = []

    def node(id_, label, kind, quote=None, area=None, grade=None):
        nodes.setdefault(id_, {"id": id_, "label": label, "kind": kind, "quote": quote, "area": area, "grade": grade})

    def edge(a, b, kind, label, quote=None, modality=None):
        edges.append({"source": a, "target": b, "kind": kind, "label": label, "quote": quote, "modality": modality})

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
        node(r["s"], r["label"], kind, r["quote"], area_label.get(r["area"]))
        target = judgment_of.get((r["insp"], r["area"]), r["area"])
        edge(target, r["s"], "structural", {"afi": "has AFI", "finding": "has finding"}.get(kind, f"has {kind}"))
    for r in query.rows(store, STANDARDS):
        node(r["s"], r["label"], "standard", r["quote"])
    for r in query.rows(store, METRICS):
        node(r["m"], r["label"], "metric", r["quote"], area_label.get(r["area"]))
        if r["supports"] in nodes:
            edge(r["m"], r["supports"], "structural", "supports")
        if r["standard"] in nodes:
            edge(r["m"], r["standard"], "structural", "compared to")
    for r in query.rows(store, MENTIONS):
        if r["st"] not in nodes:
            continue
        node(r["concept"], r["label"], r["kind"])
        edge(r["st"], r["concept"], "thematic", "mentions", r["quote"])
    for r in query.rows(store, CLAIMS):
        area = area_label.get(r["area"])
        node(r["cause"], r["causeLabel"], "condition", r["causeQuote"], area)
        node(r["effect"], r["effectLabel"], "condition", r["effectQuote"], area)
        edge(r["cause"], r["effect"], "causal", r["cue"], r["quote"], MODALITY.get(r["modality"], "asserted"))
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
    return list(nodes.values()), edges


def page(store, trace_text: str | None = None) -> str:
    from . import viz

    nodes, edges = records(store)
    focus = None
    title = "peelgraph: " + ", ".join(sorted({n["label"] for n in nodes if n["kind"] == "inspection"}))
    if trace_text:
        from .trace import trace

        result = trace(store, trace_text)
        ids = {n["id"] for n in nodes}
        focus = {step["iri"] for a in result["areas"] for path in a["paths"] for step in path if step.get("iri") in ids}
        title += f" \u2014 trace: {trace_text}"
    return viz.render(nodes, edges, title=title, focus=focus)
