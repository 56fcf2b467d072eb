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
SELECT ?claim ?cause ?effect ?cue ?quote ?qs ?qe ?area ?insp ?st ?stLabel ?stType ?stQuote ?effectLabel ?effectQuote WHERE {
  ?claim a peel:CausalClaim ; peel:cause ?cause ; peel:effect ?effect ; peel:cue ?cue ; peel:inInspection ?insp ;
         peel:evidence [ peel:text ?quote ; peel:start ?qs ; peel:end ?qe ] .
  ?effect rdfs:label ?effectLabel ; peel:evidence/peel:text ?effectQuote .
  OPTIONAL { ?claim peel:area ?area }
  OPTIONAL { ?claim peel:statement ?st . ?st rdfs:label ?stLabel ; a ?stType ; peel:evidence/peel:text ?stQuote .
             FILTER(?stType != peel:Statement) }
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


def _rows(store, text: str) -> list[dict]:
    res = query.run(store, text)
    return [{v: (t.value if t is not None else None) for v, t in zip(res.variables, row)} for row in res.rows]


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
    starts = _rows(store, STARTS % values)
    edges: dict[str, list[_Edge]] = {}
    for r in _rows(store, EDGES):
        edges.setdefault(r["cause"], []).append(_Edge(r["claim"], r["cause"], r["effect"], r))
    for out in edges.values():
        out.sort(key=lambda e: (int(e.row["qs"]), e.claim))
    judgments = {(r["insp"], r["area"]): r for r in _rows(store, JUDGMENTS)}

    reached: dict[tuple[str, str], list[list[dict]]] = {}
    seen_paths: set[tuple] = set()
    for s in sorted(starts, key=lambda r: (r["c"], r["f"])):
        if not s["cause"]:
            continue
        first = [
            {"node": label[s["f"]], "type": "Factor", "quote": s["quote"], "iri": s["f"]},
            {"node": s["label"], "type": "Condition", "quote": s["quote"], "iri": s["c"]},
        ]
        _walk(s["c"], edges, first, [s["c"]], [], reached, judgments, seen_paths)

    areas = []
    for (insp, area), paths in sorted(reached.items(), key=lambda kv: _area_order(kv[0], judgments)):
        j = judgments.get((insp, area), {})
        areas.append({
            "area": j.get("areaLabel") or _local(area), "grade": j.get("grade"), "status": j.get("status"),
            "inspection": j.get("inspLabel"), "paths": paths,
        })
    thematic: dict[str, dict] = {}
    for r in sorted(_rows(store, THEMATIC % values), key=lambda r: (r["insp"], r["area"], r["st"], r["quote"])):
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


def _walk(node, edges, path, visited, claims, reached, judgments, seen_paths):
    """Depth-first over causal edges; every prefix that ends a run of claims in one area reaches it."""
    out = [e for e in edges.get(node, []) if e.effect not in visited]
    for e in out:
        r = e.row
        step = {"node": r["effectLabel"], "type": "Condition", "quote": r["quote"], "cue": r["cue"], "iri": e.effect}
        new_path = path + [step]
        new_claims = claims + [e]
        nxt = [x for x in edges.get(e.effect, []) if x.effect not in visited + [e.effect]]
        if r["area"] and (not nxt or len(new_claims) >= MAX_DEPTH or any(x.row["area"] != r["area"] for x in nxt)):
            key = (r["insp"], r["area"])
            tail = []
            if r["st"]:
                tail.append({"node": r["stLabel"], "type": _local(r["stType"]), "quote": r["stQuote"], "iri": r["st"]})
            j = judgments.get(key)
            if j:
                tail.append({"node": f"{j['areaLabel']}: {j['grade'] or j['status']}", "type": "Judgment",
                             "quote": j.get("quote") or j["areaLabel"], "iri": j["j"]})
            full = new_path + tail
            ident = tuple(s["iri"] for s in full)
            if ident not in seen_paths:
                seen_paths.add(ident)
                reached.setdefault(key, []).append(full)
        if len(new_claims) < MAX_DEPTH:
            _walk(e.effect, edges, new_path, visited + [e.effect], new_claims, reached, judgments, seen_paths)


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
