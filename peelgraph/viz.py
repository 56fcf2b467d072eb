"""Render node and edge records as one self-contained, offline, interactive HTML page (vis-network via pyvis).

This module only renders: the graph-to-records step (SPARQL) lives elsewhere. It takes plain records, either
dicts (``Mapping``) or the :class:`Node` / :class:`Edge` dataclasses below, which have the same fields.

Node record::

    {"id": str,                 # the node's IRI; unique
     "label": str,              # short display text
     "kind": str,               # one of NODE_KINDS: "area", "judgment", "afi", "concern", "recommendation",
                                #   "finding", "metric", "standard", "factor", "condition", "team",
                                #   "initiative", "theme", "inspection", "force"
     "grade": str | None,       # e.g. "Requires improvement"; colours "area" and "judgment" nodes
     "area": str | None,        # label of the assessment area the node belongs to (area filter)
     "quote": str | None,       # the exact sentence(s) from the report (tooltip)
     "weight": float,           # >= 0, how much flows through the node; sets its size (default 1.0)
     "note": str | None,        # a line drawn under the label in flow views, e.g. "3 AFIs · 5 findings"
     "page": int | None}        # the report page the quote is on (reports read from PDF)

Edge record::

    {"source": str, "target": str,   # node ids; both must be among the nodes
     "kind": str,                    # one of EDGE_KINDS: "structural", "causal", "thematic"
     "label": str,                   # e.g. "causes", "has AFI", "related to"
     "quote": str | None,
     "modality": str | None,         # causal edges only: "asserted", "hedged" or "predicted"
     "count": int | None,            # causal edges only: a summary of this many claims (width by count)
     "page": int | None}             # the report page the quote is on (reports read from PDF)

Every field but ``id``/``kind`` (nodes) and ``source``/``target``/``kind`` (edges) may be omitted. A hedged or predicted causal edge is
drawn dashed (an arrow, unlike the dashed thematic links) and its tooltip says which. An "area" node with no
``area`` belongs to the area named by its own label. Identical edge records are drawn once. Malformed records
raise ``ValueError``.

API: ``render(nodes, edges, *, title, focus=None, views=None) -> str`` and ``write(path, html)``. ``focus`` is a set of node
ids (a trace): those nodes and the edges between them are drawn normally, every other node and edge faded, and
the page offers a "Trace only" switch that hides the rest; ``None`` or empty means no trace. ``write`` creates
missing parent folders.

The page: vis-network 9.1.2 and its CSS are inlined from pyvis's own ``templates/lib`` (no CDN, no Bootstrap);
a Content-Security-Policy forbids every network fetch and any script but the page's own (by hash). All report
text travels as JSON in a ``<script type="application/json">`` with ``<``, ``>`` and ``&`` escaped, and the
page's script builds tooltips, legend and filters with ``textContent`` only. Up to PHYSICS_MAX_NODES nodes are
laid out by the browser (forceAtlas2Based, fixed random seed, stabilised, then physics off); bigger graphs get
positions computed in linear time (``peelgraph.layout.clusters``: area clusters, sunflower spirals) and no physics; graphs of more than
SEEDED_MIN_NODES start their physics from those positions. When the page is drawn it sets
``window.peelgraphReady = true``; the network and its DataSets are ``window.peelgraphNetwork``,
``window.peelgraphNodes`` and ``window.peelgraphEdges``. Output is deterministic: same records, same bytes.

Flow views. ``views`` is a list of ``{"key": str, "title": str, "nodes": [(id, column group), ...],
"summary": bool, "fixed": [group, ...], "opener": id | None, "context": bool}``; with it the page draws every
node as a box (label wrapped by ``peelgraph.layout``, by the widths of DejaVu Sans, so the browser never wraps it
again), lays each view out there (columns left to right by group, a group split into more columns where its causal edges chain,
rows ordered by barycentre sweeps except in the ``fixed`` groups), turns physics off and opens on the first
view, showing only its nodes. A summary view draws only the edges with a ``count``, the others only edges
without one (thematic links only in context). Clicking a view's ``opener`` node opens that view; "Overview"
goes back to the first. A ``context`` view offers "Show in context": every other node, faded, under the view.
``window.peelgraphView(key)`` switches view, ``window.peelgraphReveal(id)`` opens a view holding node ``id``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import pyvis
from markupsafe import Markup
from pyvis.network import Network

from . import layout

__all__ = ["Node", "Edge", "NODE_KINDS", "EDGE_KINDS", "GRADE_COLOURS", "render", "write"]

#: kind -> (legend name, vis shape, colour); legend order. Only shapes that draw the label outside the shape, so
#: that ``size`` applies. The colours avoid the grade palette (greens, amber, orange, red, grey).
KIND_STYLES: dict[str, tuple[str, str, str]] = {
    "force": ("Force", "star", "#1a237e"),
    "inspection": ("Inspection", "star", "#6a1b9a"),
    "area": ("Assessment area", "hexagon", ""),
    "judgment": ("Judgment", "diamond", ""),
    "afi": ("Area for improvement", "triangleDown", "#d81b60"),
    "concern": ("Cause of concern", "triangle", "#8e24aa"),
    "recommendation": ("Recommendation", "square", "#1565c0"),
    "finding": ("Finding", "dot", "#3949ab"),
    "metric": ("Metric", "square", "#00838f"),
    "standard": ("Standard", "diamond", "#5d4037"),
    "factor": ("Factor", "dot", "#0097a7"),
    "condition": ("Condition", "triangleDown", "#7e57c2"),
    "team": ("Team", "dot", "#4fc3f7"),
    "initiative": ("Initiative", "triangle", "#0277bd"),
    "theme": ("Theme", "hexagon", "#ad1457"),
}
NODE_KINDS = tuple(KIND_STYLES)
GRADED_KINDS = frozenset({"area", "judgment"})
GRADE_COLOURS: dict[str, str] = {"Outstanding": "#1b5e20", "Good": "#43a047", "Adequate": "#fbc02d",
                                  "Requires improvement": "#ef6c00", "Inadequate": "#c62828"}
UNGRADED = "#9e9e9e"
#: kind -> (legend name, colour, width, dashed, arrow)
EDGE_STYLES: dict[str, tuple[str, str, float, bool, bool]] = {
    "causal": ("Causal (arrow)", "#37474f", 2.0, False, True),
    "thematic": ("Thematic (dashed)", "#9575cd", 1.5, True, False),
    "structural": ("Structural", "#bdbdbd", 1.0, False, False),
}
EDGE_KINDS = tuple(EDGE_STYLES)
MODALITIES = ("asserted", "hedged", "predicted")  # of a causal edge; all but "asserted" are drawn dashed
UNCERTAIN_LEGEND = "Causal, hedged or predicted (dashed arrow)"

SUMMARY_LEGEND = "Causal, summed over claims (width = claims)"
SUMMARY_MAX_WIDTH = 14.0
MAX_CUE = 24  # characters of a cue written on an arrow in a flow view
CUE_FONT = 12
PHYSICS_MAX_NODES = 1000  # above this, positions are computed here and physics is off
SEEDED_MIN_NODES = 300  # above this, physics starts from the computed positions (fewer iterations needed)
MAX_LABEL = 48  # characters drawn on the canvas; the tooltip shows the whole label
#: larger canvas labels for the kinds that orient a reader, so they stay legible when the whole graph is in view
LABEL_SIZES = {"inspection": 34, "force": 34, "area": 30, "judgment": 30, "afi": 20, "concern": 20, "factor": 17}
RANDOM_SEED = 20240601  # vis-network layout seed: the same records give the same picture
_TEMPLATES = Path(__file__).with_name("templates")
_VIS_LIB = Path(pyvis.__file__).with_name("templates") / "lib" / "vis-9.1.2"


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str
    grade: str | None = None
    area: str | None = None
    quote: str | None = None
    weight: float = 1.0
    note: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str
    label: str
    quote: str | None = None
    modality: str | None = None
    count: int | None = None
    page: int | None = None


def render(
    nodes: Iterable[Mapping[str, Any] | Node],
    edges: Iterable[Mapping[str, Any] | Edge],
    *,
    title: str,
    focus: set[str] | None = None,
    views: list[Mapping[str, Any]] | None = None,
) -> str:
    """Return the HTML text of an interactive page showing ``nodes`` and ``edges`` (see the module docstring)."""
    node_recs = sorted((_node_record(n) for n in nodes), key=lambda r: r["id"])
    ids = {r["id"] for r in node_recs}
    if len(ids) != len(node_recs):
        dup = next(a["id"] for a, b in zip(node_recs, node_recs[1:]) if a["id"] == b["id"])
        raise ValueError(f"duplicate node id {dup!r}: node ids must be unique")
    edge_recs = sorted({_edge_record(e) for e in edges},
                       key=lambda t: (*t[:4], t[4] is not None, t[4] or "", t[5] or "", t[6] or 0, t[7] or 0))
    missing = sorted({end for e in edge_recs for end in e[:2] if end not in ids})
    if missing:
        raise ValueError(f"{len(missing)} edge end(s) are not among the nodes, e.g. {missing[:3]!r}")
    focus_ids = set(focus or ())
    if focus_ids - ids:
        raise ValueError(f"focus ids not among the nodes: {sorted(focus_ids - ids)[:3]!r}")
    if not isinstance(title, str):
        raise ValueError("title must be a str")
    flows = [_view_record(v, ids) for v in views or ()]

    big = len(node_recs) > PHYSICS_MAX_NODES
    max_weight = max((r["weight"] for r in node_recs), default=0.0)
    net = Network(height="100%", width="100%", directed=True, heading=title)  # used for options, not HTML
    payload: dict[str, Any] = {}
    if flows:
        by_id = {r["id"]: r for r in node_recs}
        boxes = {r["id"]: layout.box_lines(r["label"], r["note"], r["kind"] in GRADED_KINDS) for r in node_recs}
        laid = [layout.flow(v, edge_recs, boxes) for v in flows]
        inside = next((pos for v, pos in zip(flows, laid) if v["context"]), None)
        context = layout.context(node_recs, inside, NODE_KINDS) if inside is not None else {}
        first = laid[0]
        net.nodes = [_box_node(by_id[i], boxes[i], focus_ids, first.get(i)) for i in sorted(ids)]
        net.edges = [_vis_edge(i, e, focus_ids, flow=True) for i, e in enumerate(edge_recs)]
        _configure(net, True, len(node_recs), len(edge_recs))
        net.options.edges.smooth.enabled = True
        net.options.edges.smooth.type = "cubicBezier"
        net.options.edges.smooth.forceDirection = "horizontal"
        net.options.edges.smooth.roundness = 0.45
        net.options.nodes["widthConstraint"] = False
        payload["views"] = [{"key": v["key"], "title": v["title"], "summary": v["summary"], "context": v["context"],
                             "pos": {i: list(p) for i, p in sorted(pos.items())}} for v, pos in zip(flows, laid)]
        payload["opens"] = {v["opener"]: v["key"] for v in flows if v["opener"]}
        payload["ctx"] = {i: list(p) for i, p in sorted(context.items())}
    else:
        positions = layout.clusters(node_recs, NODE_KINDS) if len(node_recs) > SEEDED_MIN_NODES else {}
        # Fill the lists directly: pyvis's add_edge scans every edge on each call (quadratic).
        net.nodes = [_vis_node(r, max_weight, focus_ids, positions.get(r["id"])) for r in node_recs]
        net.edges = [_vis_edge(i, e, focus_ids) for i, e in enumerate(edge_recs)]
        _configure(net, big, len(node_recs), len(edge_recs))

    areas = sorted({r["_area"] for r in node_recs if r["_area"]})
    counts = {k: sum(1 for r in node_recs if r["kind"] == k) for k in NODE_KINDS}
    payload.update({
        "nodes": net.nodes,
        "edges": net.edges,
        "options": json.loads(net.options.to_json()),
        "areas": areas,
        "noArea": any(not r["_area"] for r in node_recs),
        "focus": sorted(focus_ids),
        "physics": not big and not flows,
        "legend": {
            "kinds": [
                {"kind": k, "name": n, "shape": "square" if flows else s, "colour": c or UNGRADED, "count": counts[k]}
                for k, (n, s, c) in KIND_STYLES.items() if counts[k]
            ],
            "grades": [{"name": g, "colour": c} for g, c in GRADE_COLOURS.items()]
            + [{"name": "Ungraded", "colour": UNGRADED}],
            "edges": [{"kind": k, "name": s[0], "colour": s[1], "dashed": s[3], "arrow": s[4]}
                      for k, s in EDGE_STYLES.items()]
            + [{"kind": "causal", "name": UNCERTAIN_LEGEND, "colour": EDGE_STYLES["causal"][1], "dashed": True,
                "arrow": True}]
            + ([{"kind": "causal", "name": SUMMARY_LEGEND, "colour": EDGE_STYLES["causal"][1], "dashed": False,
                 "arrow": True, "wide": True}] if any(e[6] for e in edge_recs) else []),
        },
    })
    template, parts = _static()
    return template.render(title=net.heading, payload=Markup(_script_json(payload)), **parts)


def write(path: str | os.PathLike[str], html: str) -> Path:
    """Write ``html`` to ``path`` atomically (temporary file in the same folder, then ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(html)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


# --- records -------------------------------------------------------------------------------------------------


def _field(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict) or isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _text(obj: Any, name: str, what: str, *, required: bool = False) -> str | None:
    value = _field(obj, name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise ValueError(f"{what} field {name!r} must be a {'non-empty ' if required else ''}str, got {value!r}")
    return value


def _node_record(obj: Any) -> dict[str, Any]:
    node_id = _text(obj, "id", "node", required=True)
    what = f"node {node_id!r}"
    kind = _field(obj, "kind")
    if kind not in KIND_STYLES:
        raise ValueError(f"{what}: kind {kind!r} is not one of {', '.join(NODE_KINDS)}")
    label = _text(obj, "label", what) or node_id
    weight = _field(obj, "weight", 1.0)
    weight = 1.0 if weight is None else weight
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
        raise ValueError(f"{what}: weight must be a finite number >= 0, got {weight!r}")
    area = _text(obj, "area", what)
    return {
        "id": node_id,
        "label": label,
        "kind": kind,
        "grade": _text(obj, "grade", what),
        "area": area,
        "quote": _text(obj, "quote", what),
        "weight": float(weight),
        "note": _text(obj, "note", what),
        "page": _page(obj, what),
        "_area": area or (label if kind == "area" else None),
    }


def _page(obj: Any, what: str) -> int | None:
    page = _field(obj, "page")
    if page is not None and (isinstance(page, bool) or not isinstance(page, int) or page < 1):
        raise ValueError(f"{what}: page {page!r} must be an int >= 1")
    return page


def _edge_record(obj: Any) -> tuple[str, str, str, str, str | None, str | None, int | None, int | None]:
    """(source, target, kind, label, quote, modality, count, page): hashable, so identical edges collapse."""
    source = _text(obj, "source", "edge", required=True)
    target = _text(obj, "target", "edge", required=True)
    what = f"edge {source!r} -> {target!r}"
    kind = _field(obj, "kind")
    if kind not in EDGE_STYLES:
        raise ValueError(f"{what}: kind {kind!r} is not one of {', '.join(EDGE_KINDS)}")
    modality = _text(obj, "modality", what)
    if modality is not None and (kind != "causal" or modality not in MODALITIES):
        raise ValueError(f"{what}: modality {modality!r} is not one of {', '.join(MODALITIES)} on a causal edge")
    count = _field(obj, "count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1 or kind != "causal"):
        raise ValueError(f"{what}: count {count!r} must be an int >= 1 on a causal edge")
    return (source, target, kind, _text(obj, "label", what) or kind, _text(obj, "quote", what), modality, count,
            _page(obj, what))


def _view_record(obj: Any, ids: set[str]) -> dict[str, Any]:
    key = _text(obj, "key", "view", required=True)
    what = f"view {key!r}"
    members = []
    for item in _field(obj, "nodes") or ():
        if not (isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[1], int)):
            raise ValueError(f"{what}: nodes must be (id, column group) pairs, got {item!r}")
        if item[0] not in ids:
            raise ValueError(f"{what}: node {item[0]!r} is not among the nodes")
        members.append((item[0], item[1]))
    if len({i for i, _ in members}) != len(members):
        raise ValueError(f"{what}: a node is listed twice")
    opener = _text(obj, "opener", what)
    if opener is not None and opener not in ids:
        raise ValueError(f"{what}: opener {opener!r} is not among the nodes")
    return {"key": key, "title": _text(obj, "title", what) or key, "nodes": members, "opener": opener,
            "summary": bool(_field(obj, "summary", False)), "context": bool(_field(obj, "context", False)),
            "fixed": frozenset(_field(obj, "fixed") or ())}


# --- vis data ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _grade_colour(grade: str | None) -> str:
    wanted = " ".join((grade or "").split()).casefold()
    return next((c for g, c in GRADE_COLOURS.items() if g.casefold() == wanted), UNGRADED)


@lru_cache(maxsize=256)
def _darker(colour: str, factor: float = 0.7) -> str:
    rgb = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(v * factor):02x}" for v in rgb)


def _vis_node(r: dict[str, Any], max_weight: float, focus: set[str], pos: tuple[int, int] | None) -> dict:
    _, shape, colour = KIND_STYLES[r["kind"]]
    if r["kind"] in GRADED_KINDS:
        colour = _grade_colour(r["grade"])
    border = _darker(colour)
    label = r["label"] if len(r["label"]) <= MAX_LABEL else r["label"][: MAX_LABEL - 1].rstrip() + "\u2026"
    share = math.sqrt(r["weight"] / max_weight) if max_weight > 0 else 0.0
    node = {
        "id": r["id"],
        "label": label,
        "shape": shape,
        "size": round(10 + 24 * share, 2),
        "color": {"background": colour, "border": border,
                  "highlight": {"background": colour, "border": "#000000"},
                  "hover": {"background": colour, "border": "#000000"}},
        "borderWidth": 2 if r["kind"] in GRADED_KINDS else 1,
        # data for the page's tooltip, filters and search (vis ignores these)
        "kind": r["kind"],
        "name": r["label"],
        "grade": r["grade"],
        "area": r["area"],
        "areaKey": r["_area"],
        "quote": r["quote"],
        "weight": r["weight"],
    }
    if r["page"]:
        node["page"] = r["page"]
    if r["kind"] in LABEL_SIZES:
        node["font"] = {"size": LABEL_SIZES[r["kind"]]}
        node["widthConstraint"] = {"maximum": 12 * LABEL_SIZES[r["kind"]]}
    if focus:
        node["focus"] = r["id"] in focus
        if not node["focus"]:
            node["opacity"] = 0.18
            node["font"] = {**node.get("font", {}), "color": "#b0b7bd"}
        else:
            node["borderWidth"] = 3
    if pos is not None:
        node["x"], node["y"] = pos
    return node


def _vis_edge(index: int, e: tuple, focus: set[str], flow: bool = False) -> dict:
    source, target, kind, label, quote, modality, count, page = e
    _, colour, width, dashed, arrow = EDGE_STYLES[kind]
    dashed = dashed or modality in ("hedged", "predicted")
    faded = bool(focus) and not (source in focus and target in focus)
    if count:
        width = min(SUMMARY_MAX_WIDTH, 1.5 + 1.5 * count)
    extra: dict[str, Any] = {"count": count} if count else {}
    if page:
        extra["page"] = page
    if flow and kind == "causal" and modality and not count:  # a claim: its cue is written on the arrow
        extra.update(label=label if len(label) <= MAX_CUE else label[: MAX_CUE - 1] + "\u2026",
                     font={"size": CUE_FONT, "color": "#37474f", "strokeWidth": 4, "strokeColor": "#ffffff",
                           "align": "horizontal"})
    return {**extra,
        "id": f"e{index}",
        "from": source,
        "to": target,
        "kind": kind,
        "name": label,
        "quote": quote,
        "modality": modality,
        "color": {"color": colour, "highlight": "#000000", "hover": "#000000", "opacity": 0.15 if faded else 1.0},
        "width": width + (1.0 if focus and not faded else 0.0),
        "dashes": dashed,
        "arrows": {"to": {"enabled": arrow, "scaleFactor": 0.6}},
    }


def _configure(net: Network, big: bool, n_nodes: int, n_edges: int) -> None:
    """Set vis options through pyvis's option objects, then the few it has no setter for."""
    net.force_atlas_2based(gravity=-70, central_gravity=0.012, spring_length=110, spring_strength=0.06,
                           damping=0.55, overlap=0.5)
    net.toggle_physics(not big)
    net.toggle_stabilization(not big)
    stabilization = net.options.physics.stabilization
    # vis stops early once stable; graphs seeded with computed positions need few iterations
    seeded = n_nodes > SEEDED_MIN_NODES
    stabilization.iterations = 100 if seeded else max(200, min(600, 120_000 // max(n_nodes, 1)))
    stabilization.updateInterval = 25
    net.set_edge_smooth("continuous")
    net.options.edges.smooth.enabled = n_edges <= 2000
    net.inherit_edge_colors(False)
    net.toggle_hide_edges_on_drag(n_edges > 2000)
    opts = net.options
    opts.layout = {"randomSeed": RANDOM_SEED, "improvedLayout": not seeded}
    opts.interaction.hover = True
    opts.interaction.tooltipDelay = 120
    opts.interaction.hideEdgesOnZoom = big
    opts.nodes = {"font": {"size": 13, "face": "DejaVu Sans, Arial, sans-serif", "color": "#263238",
                           "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "widthConstraint": {"maximum": 170}}



def _ink(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "#1b1b1b" if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else "#ffffff"


def _box_node(r: dict[str, Any], lines: list[str], focus: set[str], pos: tuple[int, int] | None) -> dict:
    colour = _grade_colour(r["grade"]) if r["kind"] in GRADED_KINDS else KIND_STYLES[r["kind"]][2]
    node = {
        "id": r["id"],
        "label": "\n".join(lines),
        "shape": "box",
        "margin": layout.BOX_MARGIN,
        "color": {"background": colour, "border": _darker(colour),
                  "highlight": {"background": colour, "border": "#000000"},
                  "hover": {"background": colour, "border": "#000000"}},
        "borderWidth": 2 if r["kind"] in GRADED_KINDS else 1,
        "font": {"size": layout.BOX_FONT, "color": _ink(colour), "strokeWidth": 0, "face": layout.FACE},
        "widthConstraint": {"minimum": layout.BOX_WIDTH},  # no maximum: vis-network would wrap again, narrower each update
        "kind": r["kind"], "name": r["label"], "grade": r["grade"], "area": r["area"], "areaKey": r["_area"],
        "quote": r["quote"], "weight": r["weight"], "note": r["note"], "lines": len(lines),
    }
    if r["page"]:
        node["page"] = r["page"]
    if focus:
        node["focus"] = r["id"] in focus
        if not node["focus"]:
            node["opacity"] = 0.25
    if pos is not None:
        node["x"], node["y"] = pos
    return node



# --- page ----------------------------------------------------------------------------------------------------


def _script_json(data: Any) -> str:
    """JSON that is inert inside <script>: no '<', '>' or '&' survives, so no '</script>' or '<!--'."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _inline(text: str, end_tag: str, name: str) -> Markup:
    if end_tag in text.lower() or "<!--" in text:
        raise RuntimeError(f"{name} contains {end_tag!r} or '<!--' and cannot be inlined")
    return Markup(text)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _csp(*scripts: str) -> str:
    """A Content-Security-Policy that allows exactly these inline scripts and no request at all."""
    return ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            f"script-src {' '.join(_sha256(x) for x in scripts)}; base-uri 'none'; form-action 'none'")


def _template(name: str) -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.get_template(name)


@lru_cache(maxsize=1)
def _static() -> tuple[jinja2.Template, dict[str, Any]]:
    vis_js = (_VIS_LIB / "vis-network.min.js").read_text(encoding="utf-8")
    app_js = (_TEMPLATES / "viz.js").read_text(encoding="utf-8")
    return _template("viz.html.j2"), {
        "csp": _csp(vis_js, app_js),
        "vis_js": _inline(vis_js, "</script", "vis-network.min.js"),
        "app_js": _inline(app_js, "</script", "viz.js"),
        "vis_css": _inline((_VIS_LIB / "vis-network.css").read_text(encoding="utf-8"), "</style", "vis CSS"),
        "app_css": _inline((_TEMPLATES / "viz.css").read_text(encoding="utf-8"), "</style", "viz.css"),
    }
