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
positions computed here in linear time (area clusters, sunflower spirals) and no physics; graphs of more than
SEEDED_MIN_NODES start their physics from those positions. When the page is drawn it sets
``window.peelgraphReady = true``; the network and its DataSets are ``window.peelgraphNetwork``,
``window.peelgraphNodes`` and ``window.peelgraphEdges``. Output is deterministic: same records, same bytes.

Flow views. ``views`` is a list of ``{"key": str, "title": str, "nodes": [(id, column group), ...],
"summary": bool, "fixed": [group, ...], "opener": id | None, "context": bool}``; with it the page draws every
node as a box (label wrapped here, by the widths of DejaVu Sans, so the browser never wraps it again), lays each
view out here (columns left to right by group, a group split into more columns where its causal edges chain,
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
#: flow views (``views``): every node is a box of BOX_WIDTH px, its label wrapped here at WRAP characters,
#: columns BOX_WIDTH + COL_GAP apart (SUMMARY_GAP in summary views), boxes ROW_GAP apart in a column
BOX_FONT = 13
BOX_WIDTH = 180
BOX_MARGIN = 7
WRAP = BOX_WIDTH - 2 * BOX_MARGIN - 8  # px of text per line, measured with DEJAVU_WIDTHS
MAX_LINES = 4
LINE_HEIGHT = 15  # px per label line at BOX_FONT: vis-network draws 13, the font's ascent + descent is 15.1
COL_GAP = 50
CUE_GAP = 120  # between columns that a claim's arrow, with its cue written on it, joins
SUMMARY_GAP = 260
ROW_GAP = 10
#: advance widths of DejaVu Sans (the page's first font; Debian's Chromium has it) in thousandths of an em, as
#: Chromium measures them; any other character counts as a full em, so a wrapped line is never wider than WRAP
DEJAVU_WIDTHS = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
    "\u2019\u2018\u201c\u201d\u2013\u2014\u2026\u00b7\u00a3\u00e9",
    (318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, *[636] * 10, 337, 337, 838,
     838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695,
     635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634,
     278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
     318, 318, 518, 518, 500, 1000, 1000, 318, 636, 615)))
FACE = "DejaVu Sans, Arial, sans-serif"
CONTEXT_COLUMNS = 4  # boxes across an area's block in context
CONTEXT_BLOCKS = 4  # area blocks across a row in context
PHYSICS_MAX_NODES = 1000  # above this, positions are computed here and physics is off
SEEDED_MIN_NODES = 300  # above this, physics starts from the computed positions (fewer iterations needed)
MAX_LABEL = 48  # characters drawn on the canvas; the tooltip shows the whole label
#: larger canvas labels for the kinds that orient a reader, so they stay legible when the whole graph is in view
LABEL_SIZES = {"inspection": 34, "force": 34, "area": 30, "judgment": 30, "afi": 20, "concern": 20, "factor": 17}
RANDOM_SEED = 20240601  # vis-network layout seed: the same records give the same picture
SPACING = 34.0  # px between neighbours in the computed layout
_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
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
        boxes = {r["id"]: _box_lines(r) for r in node_recs}
        laid = [_flow_layout(v, edge_recs, boxes) for v in flows]
        inside = next((pos for v, pos in zip(flows, laid) if v["context"]), None)
        context = _context_layout(node_recs, inside, boxes) if inside is not None else {}
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
        positions = _cluster_layout(node_recs) if len(node_recs) > SEEDED_MIN_NODES else {}
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


def _width(text: str, size: int = BOX_FONT) -> float:
    return sum(DEJAVU_WIDTHS.get(ch, 1000) for ch in text) * size / 1000


def _cut(text: str, width: float, end: str) -> str:
    while text and _width(text + end) > width:
        text = text[:-1]
    return text.rstrip() + end


def _wrap(text: str, width: float = WRAP, max_lines: int = MAX_LINES) -> list[str]:
    """Greedy word wrap to ``width`` px at BOX_FONT; a word longer than a line is cut with a hyphen, and a text
    longer than max_lines ends in an ellipsis."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while _width(word) > width:
            if current:
                lines.append(current)
                current = ""
            head = _cut(word, width, "-")
            lines.append(head)
            word = word[len(head) - 1:]
        joined = f"{current} {word}" if current else word
        if current and _width(joined) > width:
            lines.append(current)
            current = word
        else:
            current = joined
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _cut(lines[-1], width, "\u2026")
    return lines or [""]


def _box_lines(r: dict[str, Any]) -> list[str]:
    return _wrap(r["label"], max_lines=MAX_LINES + (r["kind"] in GRADED_KINDS)) + (
        _wrap(r["note"], max_lines=2) if r["note"] else [])


def _box_height(lines: list[str]) -> int:
    return LINE_HEIGHT * len(lines) + 2 * BOX_MARGIN


def _ink(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "#1b1b1b" if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else "#ffffff"


def _box_node(r: dict[str, Any], lines: list[str], focus: set[str], pos: tuple[int, int] | None) -> dict:
    colour = _grade_colour(r["grade"]) if r["kind"] in GRADED_KINDS else KIND_STYLES[r["kind"]][2]
    node = {
        "id": r["id"],
        "label": "\n".join(lines),
        "shape": "box",
        "margin": BOX_MARGIN,
        "color": {"background": colour, "border": _darker(colour),
                  "highlight": {"background": colour, "border": "#000000"},
                  "hover": {"background": colour, "border": "#000000"}},
        "borderWidth": 2 if r["kind"] in GRADED_KINDS else 1,
        "font": {"size": BOX_FONT, "color": _ink(colour), "strokeWidth": 0, "face": FACE},
        "widthConstraint": {"minimum": BOX_WIDTH},  # no maximum: vis-network would wrap again, narrower each update
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


def _longest_path(ids: list[str], succ: dict[str, list[str]]) -> dict[str, int]:
    """Layer of each node: the longest path to it over ``succ``, edges that close a cycle (found depth first,
    from the sources, then in the order given) left out."""
    state: dict[str, int] = {}
    kept: dict[str, list[str]] = {i: [] for i in ids}
    finished: list[str] = []
    entered = {b for out in succ.values() for b in out}
    for root in [i for i in ids if i not in entered] + ids:  # sources first
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ.get(root, ())))]
        while stack:
            node, rest = stack[-1]
            for nxt in rest:
                if state.get(nxt) == 1:
                    continue
                kept[node].append(nxt)
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(succ.get(nxt, ()))))
                    break
            else:
                state[node] = 2
                finished.append(node)
                stack.pop()
    layer = dict.fromkeys(ids, 0)
    for node in reversed(finished):
        for nxt in kept[node]:
            layer[nxt] = max(layer[nxt], layer[node] + 1)
    return layer


def _flow_layout(view: dict[str, Any], edge_recs: list[tuple], boxes: dict[str, list[str]]) -> dict[str, tuple[int, int]]:
    """Positions for a flow view: columns left to right by column group, a group split into more columns where
    its own edges chain (longest path), rows ordered to cross little (barycentre sweeps; groups in ``fixed``
    keep the order given), boxes stacked and centred on y = 0. Every drawn edge within and between groups runs
    left to right unless it closes a cycle."""
    group = dict(view["nodes"])
    order = {i: k for k, (i, _) in enumerate(view["nodes"])}
    drawn_recs = [e for e in edge_recs if e[0] in group and e[1] in group and bool(e[6]) == view["summary"]
                  and e[2] != "thematic"]  # thematic links are drawn only in context
    drawn = [(e[0], e[1]) for e in drawn_recs]
    same: dict[str, list[str]] = {}
    for a, b, kind in ((e[0], e[1], e[2]) for e in edge_recs if e[0] in group and e[1] in group):
        if kind == "causal" and group[a] == group[b] and a != b:
            same.setdefault(a, []).append(b)
    layer = _longest_path([i for i, _ in view["nodes"]], same)
    keys = sorted({(group[i], layer[i]) for i in group})
    col = {k: n for n, k in enumerate(keys)}
    columns: list[list[str]] = [[] for _ in keys]
    for i, _ in view["nodes"]:
        columns[col[(group[i], layer[i])]].append(i)
    fixed = {n for n, k in enumerate(keys) if k[0] in view["fixed"]}
    neighbours: dict[str, list[str]] = {}
    for a, b in drawn:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    where: dict[str, tuple[int, float]] = {}

    def place(c: int) -> None:
        for k, i in enumerate(columns[c]):
            where[i] = (c, (k + 0.5) / len(columns[c]))

    for c in range(len(columns)):
        place(c)
    last = len(columns) - 1
    for sweep, side in ((range(last - 1, -1, -1), 1), (range(1, last + 1), -1), (range(last - 1, -1, -1), 1)):
        for c in sweep:
            if c in fixed:
                continue

            def key(i: str, c: int = c, side: int = side) -> tuple[float, int]:
                ys = [where[j][1] for j in neighbours.get(i, ()) if (where[j][0] - c) * side > 0]
                return (sum(ys) / len(ys) if ys else where[i][1], order[i])

            columns[c].sort(key=key)
            place(c)
    cued = {min(where[e[0]][0], where[e[1]][0]) for e in drawn_recs if e[2] == "causal" and e[5] and not e[6]
            and abs(where[e[0]][0] - where[e[1]][0]) == 1}
    gap = [SUMMARY_GAP if view["summary"] else CUE_GAP if c in cued else COL_GAP for c in range(len(columns))]
    left = [0]
    for c in range(1, len(columns)):
        left.append(left[-1] + BOX_WIDTH + gap[c - 1])
    pos: dict[str, tuple[int, int]] = {}
    for c, column in enumerate(columns):
        heights = [_box_height(boxes[i]) for i in column]
        y = -(sum(heights) + ROW_GAP * (len(column) - 1)) / 2
        for i, h in zip(column, heights):
            pos[i] = (left[c], round(y + h / 2))
            y += h + ROW_GAP
    return pos


def _context_layout(records: list[dict[str, Any]], inside: dict[str, tuple[int, int]],
                    boxes: dict[str, list[str]]) -> dict[str, tuple[int, int]]:
    """Where the nodes outside the (first) context view go when the page shows it in context: under the view,
    one block per area (kinds in legend order), CONTEXT_COLUMNS boxes wide, the blocks in rows of CONTEXT_BLOCKS."""
    order = {k: n for n, k in enumerate(NODE_KINDS)}
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        if r["id"] not in inside:
            groups.setdefault(r["_area"] or "", []).append(r)
    row_pitch = _box_height([""] * MAX_LINES) + ROW_GAP
    col_pitch = BOX_WIDTH + ROW_GAP * 2
    block_width = CONTEXT_COLUMNS * col_pitch + BOX_WIDTH
    top = max((y for _, y in inside.values()), default=0) + 3 * row_pitch
    left0 = min((x for x, _ in inside.values()), default=0)
    positions: dict[str, tuple[int, int]] = {}
    row_height, y, k = 0, top, 0
    for key in sorted(groups, key=lambda a: (a == "", a)):
        members = sorted(groups[key], key=lambda r: (order[r["kind"]], r["label"], r["id"]))
        if k == CONTEXT_BLOCKS:
            k, y, row_height = 0, y + row_height + 2 * row_pitch, 0
        x0 = left0 + k * block_width
        for n, r in enumerate(members):
            positions[r["id"]] = (x0 + (n % CONTEXT_COLUMNS) * col_pitch, y + (n // CONTEXT_COLUMNS) * row_pitch)
        row_height = max(row_height, (len(members) - 1) // CONTEXT_COLUMNS * row_pitch)
        k += 1
    return positions


def _cluster_layout(records: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Linear-time positions for big graphs: one sunflower spiral per area (area node in the middle, then kinds
    in legend order), the spirals packed left to right in rows."""
    order = {k: i for i, k in enumerate(NODE_KINDS)}
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault(r["_area"] or "", []).append(r)
    clusters = []
    for key in sorted(groups, key=lambda k: (k == "", k)):
        members = sorted(groups[key], key=lambda r: (order[r["kind"]], r["label"], r["id"]))
        clusters.append((members, SPACING * (math.sqrt(len(members)) + 1.5)))
    row_width = max(max(2 * radius for _, radius in clusters), math.sqrt(sum((2 * r) ** 2 for _, r in clusters)) * 1.3)
    positions: dict[str, tuple[int, int]] = {}
    x = y = row_height = 0.0
    for members, radius in clusters:
        if x > 0 and x + 2 * radius > row_width:
            x, y, row_height = 0.0, y + row_height + SPACING * 3, 0.0
        cx, cy = x + radius, y + radius
        for i, r in enumerate(members):
            dist, angle = SPACING * math.sqrt(i), i * _GOLDEN_ANGLE
            positions[r["id"]] = (round(cx + dist * math.cos(angle)), round(cy + dist * math.sin(angle)))
        x += 2 * radius + SPACING * 3
        row_height = max(row_height, 2 * radius)
    return positions


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
