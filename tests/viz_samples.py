"""Synthetic node/edge records for the viz tests and benchmarks/bench_viz.py (no report parsing involved)."""

from __future__ import annotations

import random

from peelgraph.viz import EDGE_KINDS, NODE_KINDS

AREAS = [
    "Engaging with and treating the public with fairness and respect",
    "Preventing crime and anti-social behaviour",
    "Responding to the public",
    "Investigating crime",
    "Protecting vulnerable people",
    "Managing offenders and suspects",
    "Disrupting serious organised crime",
    "Building, supporting and protecting the workforce",
    "Vetting and counter corruption",
    "Strategic planning, organisational management and value for money",
    "Crime data integrity",
]
GRADES = ["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate", None]
EDGE_LABELS = {"structural": "has part", "causal": "causes", "thematic": "related to"}
BASE = "https://peelgraph.example/id/"

HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">'
HOSTILE_SCRIPT = "<script>window.__pwned=2</script>"
HOSTILE_HREF = 'see "href" <a href="javascript:window.__pwned=3">here</a>'
HOSTILE_END = "</script><script>window.__pwned=4</script><!--"


def synthetic(n_nodes: int, n_edges: int, *, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """A force, an inspection, one node per area and judgment, then findings of every kind spread over the areas;
    structural edges tie each node to its area, the rest are random causal/thematic/structural links."""
    rng = random.Random(seed)
    nodes: list[dict] = [
        {"id": BASE + "force", "label": "Derbyshire Constabulary", "kind": "force", "weight": 5.0},
        {"id": BASE + "inspection", "label": "PEEL 2021/22", "kind": "inspection", "weight": 4.0},
    ]
    edges: list[dict] = [{"source": BASE + "inspection", "target": BASE + "force", "kind": "structural",
                          "label": "inspects", "quote": None}]
    for i, area in enumerate(AREAS):
        grade = GRADES[i % len(GRADES)]
        nodes.append({"id": f"{BASE}area/{i}", "label": area, "kind": "area", "grade": grade, "weight": 8.0})
        nodes.append({"id": f"{BASE}judgment/{i}", "label": f"{grade or 'Not graded'}: {area}", "kind": "judgment",
                      "grade": grade, "area": area, "weight": 3.0,
                      "quote": f"We found the force {(grade or 'not graded').lower()} at {area.lower()}."})
        edges.append({"source": BASE + "inspection", "target": f"{BASE}area/{i}", "kind": "structural",
                      "label": "assesses", "quote": None})
        edges.append({"source": f"{BASE}area/{i}", "target": f"{BASE}judgment/{i}", "kind": "structural",
                      "label": "has judgment", "quote": None})
    other_kinds = [k for k in NODE_KINDS if k not in ("area", "judgment", "force", "inspection")]
    i = 0
    while len(nodes) < n_nodes:
        kind = other_kinds[i % len(other_kinds)]
        a = rng.randrange(len(AREAS))
        nid = f"{BASE}{kind}/{i}"
        nodes.append({"id": nid, "label": f"{kind.title()} {i}: {AREAS[a].split()[0].lower()} work", "kind": kind,
                      "grade": None, "area": AREAS[a], "weight": round(rng.uniform(0.2, 6.0), 2),
                      "quote": f"The force should improve how it handles {kind} number {i}."})
        edges.append({"source": f"{BASE}area/{a}", "target": nid, "kind": "structural",
                      "label": f"has {kind}", "quote": None})
        i += 1
    ids = [n["id"] for n in nodes]
    while len(edges) < n_edges:
        s, t = rng.sample(ids, 2)
        kind = EDGE_KINDS[rng.randrange(len(EDGE_KINDS))]
        edges.append({"source": s, "target": t, "kind": kind, "label": EDGE_LABELS[kind],
                      "quote": "Because of this, victims wait too long." if kind == "causal" else None})
    return nodes[:n_nodes], edges


def hostile() -> tuple[list[dict], list[dict]]:
    """A small graph whose text tries every markup trick."""
    nodes, edges = synthetic(30, 45, seed=3)
    nodes[5]["label"] = HOSTILE_IMG
    nodes[5]["quote"] = HOSTILE_SCRIPT
    nodes[6]["label"] = HOSTILE_HREF
    nodes[6]["quote"] = HOSTILE_END
    nodes[7]["area"] = HOSTILE_IMG
    edges[3]["label"] = HOSTILE_HREF
    edges[3]["quote"] = HOSTILE_IMG
    return nodes, edges


FORCES = ["Wessex Police", "Borsetshire Constabulary", "Midsomer Police", "Casterbridge Constabulary",
          "Sandford Police", "Holby Constabulary", "Ambridge Police", "Fulchester Constabulary", "Brigadoon Police",
          "Melchester Constabulary", "Denton Police", "Walford Police", "Oxbridge Constabulary", "Lochdubh Police",
          "Gotham Constabulary", "Bluewater Police"]


def national_reports(folder, n_renamed: int = 16):
    """Report files for a store of several forces: the seed, the three held-out reports, and the seed renamed
    to other (fictional) forces, two in three of them regraded in turn; returns the folder."""
    import shutil
    from pathlib import Path

    import scoring
    import variants

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    seed = scoring.SEED.read_text(encoding="utf-8")
    areas = list(variants.AREAS)
    for k, name in enumerate(FORCES[:n_renamed]):
        text = variants.rename_force(seed, new=name)
        if k % 3:
            text = variants.regrade(text, {a: variants.GRADES[(k + i) % 5] for i, a in enumerate(areas[:9])})
        (folder / f"{name.split()[0].lower()}-peel-2021-22.txt").write_text(text, encoding="utf-8")
    for source in [scoring.SEED, *sorted((Path(__file__).parent / "heldout").glob("*.txt"))]:
        shutil.copy(source, folder / source.name)
    return folder
