"""Trace a cause: the factors a user's words name, every causal path from them (over peel:causes) to the
areas it reaches, with the grade and the exact quote behind each step; thematic links listed apart.

The store is queried three times (causal edges, factor instances, judgments); paths are enumerated in Python
as simple paths, so a cycle in the text can never loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import query
from .errors import NotFoundError

EDGES = """
SELECT ?claim ?cause ?effect ?area ?insp WHERE {
  ?claim peel:cause ?cause ; peel:effect ?effect ; peel:inInspection ?insp .
  OPTIONAL { ?claim peel:area ?area }
}
"""
DETAILS = """
SELECT ?claim ?cue ?quote ?st ?effectLabel WHERE {
  VALUES ?claim { %s }
  ?claim peel:cue ?cue ; peel:evidence ?p ; peel:effect ?e .
  ?p peel:text ?quote . ?e rdfs:label ?effectLabel .
  OPTIONAL { ?claim peel:statement ?st }
}
"""
STATEMENTS = """
SELECT ?st ?stLabel ?stType ?stQuote WHERE {
  VALUES ?st { %s }
  ?st rdfs:label ?stLabel ; a ?stType ; peel:evidence ?p . ?p peel:text ?stQuote .
  FILTER(?stType != peel:Statement)
}
"""
STARTS = """
SELECT ?c ?f ?label ?quote ?cause WHERE {
  VALUES ?f { %s }
  ?c a peel:Condition ; peel:instanceOf ?f ; rdfs:label ?label ; peel:evidence/peel:text ?quote .
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


def trace(store, text: str) -> dict:
    """The answer to `peelgraph trace TEXT` as plain data (the JSON the CLI prints)."""
    from .extract.entities import match_query, suggest

    factors = match_query(text)
    if not factors:
        hint = suggest(text)
        raise NotFoundError(f"no factor matches {text!r}" + (f"; did you mean: {'; '.join(hint)}?" if hint else "; try `peelgraph query factors`."))
    values = " ".join(f"<{f.iri}>" for f in factors)
    label = {f.iri: f.pref for f in factors}
    starts = query.rows(store, STARTS % values)
    edges: dict[str, list[_Edge]] = {}
    for r in query.rows(store, EDGES):
        edges.setdefault(r["cause"], []).append(_Edge(r["claim"], r["cause"], r["effect"], r))
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
            steps.append({"node": d["effectLabel"], "type": "Condition", "quote": d["quote"], "cue": d["cue"], "iri": e.effect})
        last, d = path[-1], details[path[-1].claim]
        key = (last.row["insp"], last.row["area"])
        if d["st"]:
            steps.append({"node": d["stLabel"], "type": _local(d["stType"]), "quote": d["stQuote"], "iri": d["st"]})
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
        "factors": [{"key": f.key, "label": f.pref, "iri": f.iri} for f in factors],
        "areas": areas,
        "thematic": list(thematic.values()),
    }


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


def render_text(result: dict) -> str:
    lines = [f"Factors matching {result['query']!r}: " + "; ".join(f"{f['label']} (pfac:{f['key']})" for f in result["factors"])]
    if not result["areas"]:
        lines.append("No causal path from these factors is stated in the reports.")
    for a in result["areas"]:
        grade = a["grade"] or (a["status"] or "").lower()
        lines.append("")
        lines.append(f"{a['area']}: {grade}  [{a['inspection']}]  ({len(a['paths'])} path{'s' if len(a['paths']) != 1 else ''})")
        for k, path in enumerate(a["paths"], 1):
            lines.append(f"  path {k}")
            for step in path:
                cue = f" --{step['cue']}--> " if step.get("cue") else " "
                lines.append(f"   {cue.strip() + ' ' if step.get('cue') else ''}[{step['type']}] {step['node']}")
                if step["type"] in ("Condition", "Factor") and step.get("quote") and (step.get("cue") or step["type"] == "Factor"):
                    lines.append(f"       \u201c{' '.join(step['quote'].split())}\u201d")
    if result["thematic"]:
        lines.append("")
        lines.append("Thematic links (the statement names the factor; no causal cue is written):")
        for t in result["thematic"]:
            lines.append(f"  [{t['type']}] {t['statement']}  \u2014 {t['area']}: {t['grade'] or 'ungraded'}")
            for q in t["quotes"]:
                lines.append(f"       \u201c{' '.join(q.split())}\u201d")
    return "\n".join(lines)
