"""Trace a cause: the factors a user's words name, every causal path from them (over peel:causes) to the
areas it reaches, with the grade and the exact quote behind each step; thematic links listed apart.

The store is asked only about what the factors reach: their clauses, the causal edges out of those clauses
and the nodes they reach (peel:reaches, peel:causes+ written out at build time), and the judgments of the
inspections reached; paths are enumerated in Python as simple paths, so a cycle in the text can never loop.
Every causal step carries its claim's modality (asserted, hedged, predicted); ``asserted_only`` walks asserted
claims only. ``root_causes`` ranks factors by the areas their chains reach: the rows of
``queries/root-causes.rq``, over peel:reachesAsserted and asserted claims with ``asserted_only``.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import query
from .errors import NotFoundError
from .vocab import MODALITY_TERMS, PFAC

EDGES = """
SELECT ?claim ?cause ?effect ?area ?insp ?modality ?st WHERE {
  ?claim peel:cause ?cause ; peel:effect ?effect ; peel:inInspection ?insp .
  OPTIONAL { ?claim peel:area ?area } OPTIONAL { ?claim peel:modality ?modality } OPTIONAL { ?claim peel:statement ?st }
}
"""
REACHED_EDGES = """
SELECT ?claim ?cause ?effect ?area ?insp ?modality ?st WHERE {
  { SELECT DISTINCT ?cause WHERE { { VALUES ?cause { %(starts)s } } UNION { VALUES ?start { %(starts)s } GRAPH ?r { ?start peel:reaches ?cause } } } }
  GRAPH ?g { ?claim peel:cause ?cause ; peel:effect ?effect ; peel:inInspection ?insp .
             OPTIONAL { ?claim peel:area ?area } OPTIONAL { ?claim peel:modality ?modality } OPTIONAL { ?claim peel:statement ?st } }
}
"""
INSTANCES = """SELECT ?c ?f ?label WHERE { ?c peel:instanceOf ?f . ?f skos:prefLabel ?label }"""
MODALITY = {v: k for k, v in MODALITY_TERMS.items()}
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
  GRAPH ?g { ?st rdfs:label ?stLabel ; a ?stType ; peel:evidence ?p . ?p peel:text ?stQuote . OPTIONAL { ?p peel:page ?stPage } }
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
SELECT ?j ?insp ?inspLabel ?area ?areaLabel ?grade ?rank ?status WHERE {
  { SELECT ?j ?insp ?inspLabel ?area ?st WHERE {
      VALUES ?insp { %s } GRAPH ?report { ?insp a peel:Inspection ; rdfs:label ?inspLabel . ?j a peel:Judgment ; peel:area ?area ; peel:status ?st } } }
  { SELECT ?st ?status WHERE { { SELECT DISTINCT ?st WHERE { ?x peel:status ?st } } ?st rdfs:label ?status } }
  { SELECT ?area ?areaLabel WHERE { ?area skos:prefLabel ?areaLabel } }
  OPTIONAL { { SELECT ?j ?grade ?rank WHERE { { SELECT ?j ?g WHERE { ?j peel:grade ?g } } { SELECT ?g ?grade ?rank WHERE { ?g skos:prefLabel ?grade ; peel:rank ?rank } } } } }
}
"""  # the inspections' graphs looked into (a few lookups a judgment); labels are small parts, hash-joined
JUDGMENT_TEXTS = """
SELECT ?j ?text WHERE {
  VALUES ?insp { %s } GRAPH ?report { ?insp a peel:Inspection . ?j a peel:Judgment ; peel:evidence ?p . ?p peel:text ?text }
  { SELECT DISTINCT ?text WHERE { ?g peel:rank ?r ; skos:prefLabel ?text } }
}
"""  # the judgments' passages that read as a grade: the one that is the judgment's grade is its quote
THEMATIC = """
SELECT DISTINCT ?st ?stLabel ?stType ?area ?insp ?f ?quote WHERE {
  VALUES ?f { %s }
  GRAPH ?report { ?m peel:concept ?f ; a peel:Mention ; peel:statement ?st ; peel:inInspection ?insp ; peel:evidence ?p .
                  ?p peel:text ?quote . ?st rdfs:label ?stLabel ; peel:area ?area ; a ?stType . }
  FILTER(?stType != peel:Statement)
}
"""  # a mention, its statement and its passage are in the report's graph: looked up there
MAX_DEPTH = 8
# queries/root-causes.rq with a choice of chains and claims (the file is this with peel:reaches and every claim)
ROOT_CAUSES = """
SELECT ?factor ?key ?score ?areas ?poorAreas ?statements WHERE {
  {
    SELECT ?f (SUM(?w) AS ?score) (COUNT(?a) AS ?areas) (SUM(IF(?rank >= 1 && ?rank <= 2, 1, 0)) AS ?poorAreas) (SUM(?n) AS ?statements) WHERE {
      {
        SELECT ?f ?report ?a (COUNT(DISTINCT ?st) AS ?n) WHERE {
          { SELECT ?report ?claim WHERE { GRAPH ?report { ?claim a peel:CausalClaim } %(claims)s } }
          { SELECT ?claim ?e WHERE { ?claim peel:effect ?e } }
          { SELECT ?f ?e WHERE { { SELECT ?c ?f WHERE { ?c peel:instanceOf ?f } } { SELECT ?c ?e WHERE { ?c %(reach)s ?e } } } }
          { SELECT ?claim ?a WHERE { ?claim peel:area ?a } }
          OPTIONAL { { SELECT ?claim ?st WHERE { { SELECT ?claim WHERE { ?claim a peel:CausalClaim } } { SELECT ?claim ?st WHERE { ?claim peel:statement ?st } } } } }
        }
        GROUP BY ?f ?report ?a
      }
      OPTIONAL {
        SELECT ?report ?a (MAX(?r) AS ?graded) WHERE { GRAPH ?report { ?j a peel:Judgment ; peel:area ?a ; peel:grade ?g } ?g peel:rank ?r }
        GROUP BY ?report ?a
      }
      BIND(COALESCE(?graded, 0) AS ?rank)
      BIND(IF(?rank = 1, 4, IF(?rank = 2, 3, IF(?rank = 3, 1, 0.5))) AS ?w)
    }
    GROUP BY ?f
  }
  { SELECT ?f ?label WHERE { ?f skos:prefLabel ?label } }
  BIND(STR(?label) AS ?factor)
  BIND(STRAFTER(STR(?f), "/factor/") AS ?key)
}
"""
ASSERTED = "MINUS { ?claim peel:modality ?m FILTER(?m != peel:Asserted) }"  # no modality: asserted (older graphs)


@dataclass
class _Edge:
    claim: str
    cause: str
    effect: str
    row: dict



def _local(iri: str | None) -> str | None:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri else None


def _edges(store, asserted_only: bool, text: str = EDGES) -> list[_Edge]:
    """Every causal claim (or those ``text`` selects) as an edge, with its modality (a claim written before
    modalities were recorded was asserted: hedged claims were not extracted then)."""
    out = []
    for r in query.rows(store, text):
        r["modality"] = MODALITY.get(r["modality"], "asserted")
        if not asserted_only or r["modality"] == "asserted":
            out.append(_Edge(r["claim"], r["cause"], r["effect"], r))
    return out


def trace(store, text: str, asserted_only: bool = False) -> dict:
    """The answer to `peelgraph trace TEXT` as plain data (the JSON the CLI prints); with ``asserted_only``,
    hedged and predicted claims are not walked."""
    from .extract.entities import match_query, suggest

    factors = match_query(text)
    if not factors:
        hint = suggest(text)
        raise NotFoundError(f"no factor matches {text!r}" + (f"; did you mean: {'; '.join(hint)}?" if hint else "; try `peelgraph query factors`."))
    values = " ".join(f"<{f.iri}>" for f in factors)
    label = {f.iri: f.pref for f in factors}
    starts = query.rows(store, STARTS % values)
    causing = sorted({r["c"] for r in starts if r["cause"]})
    edges: dict[str, list[_Edge]] = {}  # the edges out of the clauses and of every node they reach
    for e in _edges(store, asserted_only, REACHED_EDGES % {"starts": _iris(causing)}) if causing else []:
        edges.setdefault(e.cause, []).append(e)
    for out in edges.values():
        out.sort(key=lambda e: e.claim)

    found: list[tuple[dict, list[_Edge]]] = []  # (start row, claims along the path)
    for start in sorted(starts, key=lambda r: (r["c"], r["f"])):
        if start["cause"]:
            _walk(start["c"], edges, [start["c"]], [], lambda claims, st=start: found.append((st, claims)))
    thematic_rows = query.rows(store, THEMATIC % values)
    judgments = _judgments(store, {path[-1].row["insp"] for _, path in found} | {r["insp"] for r in thematic_rows})
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
    for r in sorted(thematic_rows, key=lambda r: (r["insp"], r["area"], r["st"], r["quote"])):
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


def _iris(iris) -> str:
    return " ".join(f"<{x}>" for x in iris)


def _judgments(store, inspections: set[str]) -> dict[tuple[str, str], dict]:
    """The judgments of these inspections by (inspection, area)."""
    if not inspections:
        return {}
    values = _iris(sorted(inspections))
    texts: dict[str, set[str]] = {}
    for r in query.rows(store, JUDGMENT_TEXTS % values):
        texts.setdefault(r["j"], set()).add(r["text"])
    rows = query.rows(store, JUDGMENTS % values)
    for r in rows:  # the quote of a graded judgment: its passage that is the grade as written
        r["quote"] = r["grade"] if r["grade"] is not None and r["grade"] in texts.get(r["j"], ()) else None
    return {(r["insp"], r["area"]): r for r in rows}


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
    queries/root-causes.rq (which walks every claim); with ``asserted_only``, the same over asserted claims
    and the chains of asserted claims (peel:reachesAsserted) only."""
    text = ROOT_CAUSES % ({"reach": "peel:reachesAsserted", "claims": ASSERTED} if asserted_only
                          else {"reach": "peel:reaches", "claims": ""})
    rows = []
    for r in query.rows(store, text):
        score = float(r["score"])
        rows.append([r["factor"], r["key"], int(score) if score == int(score) else score, int(r["areas"]),
                     int(r["poorAreas"]), int(r["statements"])])
    rows.sort(key=lambda r: (-r[2], -r[4], r[0], r[1]))
    return query.Result(["factor", "key", "score", "areas", "poorAreas", "statements"], rows)


def _arrow(step: dict) -> str:
    """The cue of a causal step as an arrow, its modality shown when the claim is not asserted."""
    modality = step.get("modality", "asserted")
    return f"--{step['cue']}{'' if modality == 'asserted' else f' ({modality})'}-->"


def render_text(result: dict) -> str:
    lines = [f"Factors matching {result['query']!r}: " + "; ".join(f"{f['label']} (pfac:{f['key']})" for f in result["factors"])
             + ("  (asserted claims only)" if result.get("asserted_only") else "")]
    if not result["areas"]:
        lines.append("No causal path from these factors is stated in the reports.")
    for a in result["areas"]:
        grade = a["grade"] or (a["status"] or "").lower()
        lines.append("")
        lines.append(f"{a['area']}: {grade}  [{a['inspection']}]  ({len(a['paths'])} path{'s' if len(a['paths']) != 1 else ''})")
        for k, path in enumerate(a["paths"], 1):
            lines.append(f"  path {k}")
            for step in path:
                at = f"  (p. {step['page']})" if step.get("page") and step["type"] not in ("Condition", "Factor") else ""
                lines.append(f"   {_arrow(step) + ' ' if step.get('cue') else ''}[{step['type']}] {step['node']}{at}")
                if step["type"] in ("Condition", "Factor") and step.get("quote") and (step.get("cue") or step["type"] == "Factor"):
                    at = f"  (p. {step['page']})" if step.get("page") else ""
                    lines.append(f"       \u201c{' '.join(step['quote'].split())}\u201d{at}")
    if result["thematic"]:
        lines.append("")
        lines.append("Thematic links (the statement names the factor; no causal cue is written):")
        for t in result["thematic"]:
            lines.append(f"  [{t['type']}] {t['statement']}  \u2014 {t['area']}: {t['grade'] or 'ungraded'}")
            for q in t["quotes"]:
                lines.append(f"       \u201c{' '.join(q.split())}\u201d")
    return "\n".join(lines)


def reach(store, asserted_only: bool = False) -> list[dict]:
    """Every factor whose causal chains reach an area, in ``root_causes`` order (then by label): its starting
    clauses, and each claim along its chains (``peel:causes+`` from the clauses that are instances of it) with
    the inspection and area the claim is stated in. One walk per factor, so linear in the claims it reaches."""
    order = {row[1]: i for i, row in enumerate(root_causes(store, asserted_only).rows)}
    out: dict[str, list[_Edge]] = {}
    for e in _edges(store, asserted_only):
        out.setdefault(e.cause, []).append(e)
    starts: dict[tuple[str, str], set[str]] = {}
    for r in query.rows(store, INSTANCES):
        starts.setdefault((r["f"], r["label"]), set()).add(r["c"])
    found = []
    for (f, label), clauses in starts.items():
        seen, claims, todo = set(clauses), {}, sorted(clauses)
        while todo:
            for e in out.get(todo.pop(), ()):
                claims[e.claim] = e
                if e.effect not in seen:
                    seen.add(e.effect)
                    todo.append(e.effect)
        steps = [{"claim": e.claim, "cause": e.cause, "effect": e.effect, "inspection": e.row["insp"],
                  "area": e.row["area"], "statement": e.row["st"], "modality": e.row["modality"]}
                 for _, e in sorted(claims.items())]
        if any(s["area"] for s in steps):
            found.append({"factor": f, "label": label, "starts": sorted(c for c in clauses if c in out),
                          "claims": steps})
    found.sort(key=lambda r: (order.get(r["factor"].removeprefix(PFAC), len(order)), r["label"], r["factor"]))
    return found
