"""The trace module as it was before queries were made fast on large stores (commit 877ffef), kept as the
reference that tests/test_query_scale.py compares peelgraph.trace with. Not used by peelgraph itself.

Trace a cause: the factors a user's words name, every causal path from them (over peel:causes) to the
areas it reaches, with the grade and the exact quote behind each step; thematic links listed apart.

The store is queried three times (causal edges, factor instances, judgments); paths are enumerated in Python
as simple paths, so a cycle in the text can never loop. Every causal step carries its claim's modality
(asserted, hedged, predicted); ``asserted_only`` walks asserted claims only. ``root_causes`` ranks factors by
the areas their chains reach, as ``queries/root-causes.rq`` does, with the same choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from peelgraph import query
from peelgraph.errors import NotFoundError
from peelgraph.vocab import MODALITY_TERMS, PFAC

EDGES = """
SELECT ?claim ?cause ?effect ?area ?insp ?modality ?st WHERE {
  ?claim peel:cause ?cause ; peel:effect ?effect ; peel:inInspection ?insp .
  OPTIONAL { ?claim peel:area ?area } OPTIONAL { ?claim peel:modality ?modality } OPTIONAL { ?claim peel:statement ?st }
}
"""
INSTANCES = """SELECT ?c ?f ?label WHERE { ?c peel:instanceOf ?f . ?f skos:prefLabel ?label }"""
MODALITY = {v: k for k, v in MODALITY_TERMS.items()}
WEIGHT = {1: 4, 2: 3, 3: 1}  # grade rank -> weight in the ranking; any other rank (or none) weighs 0.5
DETAILS = """
SELECT ?claim ?cue ?quote ?st ?effectLabel ?page WHERE {
  VALUES ?claim { %s }
  ?claim peel:cue ?cue ; peel:evidence ?p ; peel:effect ?e .
  ?p peel:text ?quote . ?e rdfs:label ?effectLabel .
  OPTIONAL { ?claim peel:statement ?st } OPTIONAL { ?p peel:page ?page }
}
"""
STATEMENTS = """
SELECT ?st ?stLabel ?stType ?stQuote ?stPage WHERE {
  VALUES ?st { %s }
  ?st rdfs:label ?stLabel ; a ?stType ; peel:evidence ?p . ?p peel:text ?stQuote . OPTIONAL { ?p peel:page ?stPage }
  FILTER(?stType != peel:Statement)
}
"""
STARTS = """
SELECT ?c ?f ?label ?quote ?cause ?page WHERE {
  VALUES ?f { %s }
  ?c a peel:Condition ; peel:instanceOf ?f ; rdfs:label ?label ; peel:evidence ?cp . ?cp peel:text ?quote .
  OPTIONAL { ?cp peel:page ?page }
  OPTIONAL { ?x peel:cause ?c BIND(true AS ?cause) }
}
"""
JUDGMENTS = """
SELECT ?j ?insp ?inspLabel ?area ?areaLabel ?grade ?rank ?status ?quote WHERE {
  ?j a peel:Judgment ; peel:inInspection ?insp ; peel:area ?area ; peel:status/rdfs:label ?status .
  ?insp rdfs:label ?inspLabel . ?area skos:prefLabel ?areaLabel .
  OPTIONAL { ?j peel:grade ?g . ?g skos:prefLabel ?grade ; peel:rank ?rank . }
  OPTIONAL { ?j peel:evidence/peel:text ?quote FILTER(?quote = ?grade) }
}
"""
THEMATIC = """
SELECT DISTINCT ?st ?stLabel ?stType ?area ?insp ?f ?quote WHERE {
  VALUES ?f { %s }
  ?m a peel:Mention ; peel:concept ?f ; peel:statement ?st ; peel:inInspection ?insp ; peel:evidence/peel:text ?quote .
  ?st rdfs:label ?stLabel ; peel:area ?area ; a ?stType . FILTER(?stType != peel:Statement)
}
"""
MAX_DEPTH = 8


@dataclass
class _Edge:
    claim: str
    cause: str
    effect: str
    row: dict



def _local(iri: str | None) -> str | None:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri else None


def _edges(store, asserted_only: bool) -> list[_Edge]:
    """Every causal claim as an edge, with its modality (a claim written before modalities were recorded
    was asserted: hedged claims were not extracted then)."""
    out = []
    for r in query.rows(store, EDGES):
        r["modality"] = MODALITY.get(r["modality"], "asserted")
        if not asserted_only or r["modality"] == "asserted":
            out.append(_Edge(r["claim"], r["cause"], r["effect"], r))
    return out


def trace(store, text: str, asserted_only: bool = False) -> dict:
    """The answer to `peelgraph trace TEXT` as plain data (the JSON the CLI prints); with ``asserted_only``,
    hedged and predicted claims are not walked."""
    from peelgraph.extract.entities import match_query, suggest

    factors = match_query(text)
    if not factors:
        hint = suggest(text)
        raise NotFoundError(f"no factor matches {text!r}" + (f"; did you mean: {'; '.join(hint)}?" if hint else "; try `peelgraph query factors`."))
    values = " ".join(f"<{f.iri}>" for f in factors)
    label = {f.iri: f.pref for f in factors}
    starts = query.rows(store, STARTS % values)
    edges: dict[str, list[_Edge]] = {}
    for e in _edges(store, asserted_only):
        edges.setdefault(e.cause, []).append(e)
    for out in edges.values():
        out.sort(key=lambda e: e.claim)
    judgments = {(r["insp"], r["area"]): r for r in query.rows(store, JUDGMENTS)}

    found: list[tuple[dict, list[_Edge]]] = []  # (start row, claims along the path)
    for start in sorted(starts, key=lambda r: (r["c"], r["f"])):
        if start["cause"]:
            _walk(start["c"], edges, [start["c"]], [], lambda claims, st=start: found.append((st, claims)))
    claims = sorted({e.claim for _, path in found for e in path})
    details = {r["claim"]: r for r in query.rows(store, DETAILS % " ".join(f"<{c}>" for c in claims))} if claims else {}
    sts = sorted({d["st"] for d in details.values() if d["st"]})
    statements = {r["st"]: r for r in query.rows(store, STATEMENTS % " ".join(f"<{x}>" for x in sts))} if sts else {}
    for d in details.values():
        d.update(statements.get(d["st"], {}))

    reached: dict[tuple[str, str], list[list[dict]]] = {}
    seen: set[tuple] = set()
    for start, path in found:
        steps = [
            {"node": label[start["f"]], "type": "Factor", "quote": start["quote"], "iri": start["f"]},
            {"node": start["label"], "type": "Condition", "quote": start["quote"], "iri": start["c"]},
        ]
        for e in path:
            d = details[e.claim]
            steps.append({"node": d["effectLabel"], "type": "Condition", "quote": d["quote"], "cue": d["cue"],
                          "modality": e.row["modality"], "iri": e.effect})
            _page(steps[-1], d.get("page"))
        _page(steps[0], start.get("page"))
        _page(steps[1], start.get("page"))
        last, d = path[-1], details[path[-1].claim]
        key = (last.row["insp"], last.row["area"])
        if d["st"]:
            steps.append({"node": d["stLabel"], "type": _local(d["stType"]), "quote": d["stQuote"], "iri": d["st"]})
            _page(steps[-1], d.get("stPage"))
        j = judgments.get(key)
        if j:
            steps.append({"node": f"{j['areaLabel']}: {j['grade'] or j['status']}", "type": "Judgment",
                          "quote": j.get("quote") or j["areaLabel"], "iri": j["j"]})
        ident = tuple(step["iri"] for step in steps)
        if ident not in seen:
            seen.add(ident)
            reached.setdefault(key, []).append(steps)

    areas = []
    for (insp, area), paths in sorted(reached.items(), key=lambda kv: _area_order(kv[0], judgments)):
        j = judgments.get((insp, area), {})
        areas.append({
            "area": j.get("areaLabel") or _local(area), "grade": j.get("grade"), "status": j.get("status"),
            "inspection": j.get("inspLabel"), "paths": paths,
        })
    thematic: dict[str, dict] = {}
    for r in sorted(query.rows(store, THEMATIC % values), key=lambda r: (r["insp"], r["area"], r["st"], r["quote"])):
        j = judgments.get((r["insp"], r["area"]), {})
        t = thematic.setdefault(r["st"], {
            "statement": r["stLabel"], "type": _local(r["stType"]), "area": j.get("areaLabel") or _local(r["area"]),
            "grade": j.get("grade"), "inspection": j.get("inspLabel"), "factors": [], "quotes": [], "link": "thematic"})
        if label[r["f"]] not in t["factors"]:
            t["factors"].append(label[r["f"]])
        if r["quote"] not in t["quotes"]:
            t["quotes"].append(r["quote"])
    return {
        "query": text,
        "asserted_only": asserted_only,
        "factors": [{"key": f.key, "label": f.pref, "iri": f.iri} for f in factors],
        "areas": areas,
        "thematic": list(thematic.values()),
    }


def _page(step: dict, page) -> None:
    """A step quoted from a PDF says its page (``"page": N``); steps from text have no page key."""
    if page is not None:
        step["page"] = int(page)


def _walk(node, edges, visited, claims, emit):
    """Depth-first over causal edges; a path is emitted where it ends a run of claims in one area (the chain
    stops, or goes on into another area)."""
    for e in edges.get(node, []):
        if e.effect in visited:
            continue
        path = claims + [e]
        nxt = [x for x in edges.get(e.effect, []) if x.effect not in visited and x.effect != e.effect]
        area = e.row["area"]
        if area and (not nxt or len(path) >= MAX_DEPTH or any(x.row["area"] != area for x in nxt)):
            emit(path)
        if len(path) < MAX_DEPTH:
            _walk(e.effect, edges, visited + [e.effect], path, emit)


def _area_order(key, judgments):
    j = judgments.get(key, {})
    return (j.get("inspLabel") or "", int(j["rank"]) if j.get("rank") else 9, j.get("areaLabel") or key[1])


def root_causes(store, asserted_only: bool = False) -> query.Result:
    """Factors ranked by the areas their causal chains reach, weighted towards poor grades: the rows of
    queries/root-causes.rq (which walks every claim), computed here so that ``asserted_only`` can walk
    asserted claims only (a SPARQL property path cannot look at the claim behind each step)."""
    out: dict[str, set[str]] = {}
    into: dict[str, list[_Edge]] = {}
    for e in _edges(store, asserted_only):
        if e.cause != e.effect:  # peel:causes is written only between different nodes
            out.setdefault(e.cause, set()).add(e.effect)
        into.setdefault(e.effect, []).append(e)
    rank = {(r["insp"], r["area"]): int(r["rank"]) for r in query.rows(store, JUDGMENTS) if r["rank"]}
    starts: dict[tuple[str, str], set[str]] = {}
    for r in query.rows(store, INSTANCES):
        starts.setdefault((r["f"], r["label"]), set()).add(r["c"])
    rows = []
    for (f, label), nodes in starts.items():
        reached, todo = set(), [x for c in nodes for x in out.get(c, ())]
        while todo:  # every node one or more steps on (peel:causes+)
            x = todo.pop()
            if x not in reached:
                reached.add(x)
                todo.extend(out.get(x, ()))
        areas: dict[tuple[str, str], set[str]] = {}
        for x in reached:
            for e in into.get(x, ()):
                if e.row["area"]:
                    areas.setdefault((e.row["insp"], e.row["area"]), set()).update([e.row["st"]] if e.row["st"] else [])
        if not areas:
            continue
        weights = [WEIGHT.get(rank.get(key, 0), 0.5) for key in areas]
        score = sum(weights)
        rows.append([label, f.removeprefix(PFAC), int(score) if score == int(score) else score, len(areas),
                     sum(1 for key in areas if rank.get(key, 0) in (1, 2)), sum(len(s) for s in areas.values())])
    rows.sort(key=lambda r: (-r[2], -r[4], r[0], r[1]))
    return query.Result(["factor", "key", "score", "areas", "poorAreas", "statements"], rows)
