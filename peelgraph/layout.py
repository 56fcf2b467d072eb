"""Where the boxes of a flow view go, and how their labels wrap: everything peelgraph lays out itself, so that
the same records give byte-identical pages and the same picture.

Flow views: boxes in columns by group, left to right, a group split into more columns where its own causal
edges chain (longest path, a cycle's closing step left out), rows ordered to cross little (barycentre sweeps),
labels wrapped by the advance widths of DejaVu Sans so the browser never wraps them again. Context: the nodes
outside a view in one block per area under it. Clusters: linear-time positions for big graphs without views.
Positions are ``{id: (x, y)}`` in canvas pixels. Records are those of ``peelgraph.viz`` (``_area`` set).
"""

from __future__ import annotations

import math
from typing import Any

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
TRACE_ROW_GAP = 150  # in a trace (a context view): its few rows spread over more of the pane's height
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
SPACING = 34.0  # px between neighbours in the computed layout
_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def text_width(text: str, size: int = BOX_FONT) -> float:
    return sum(DEJAVU_WIDTHS.get(ch, 1000) for ch in text) * size / 1000


def _cut(text: str, width: float, end: str) -> str:
    while text and text_width(text + end) > width:
        text = text[:-1]
    return text.rstrip() + end


def wrap(text: str, width: float = WRAP, max_lines: int = MAX_LINES) -> list[str]:
    """Greedy word wrap to ``width`` px at BOX_FONT; a word longer than a line is cut with a hyphen, and a text
    longer than max_lines ends in an ellipsis."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while text_width(word) > width:
            if current:
                lines.append(current)
                current = ""
            head = _cut(word, width, "-")
            lines.append(head)
            word = word[len(head) - 1:]
        joined = f"{current} {word}" if current else word
        if current and text_width(joined) > width:
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


def box_lines(label: str, note: str | None, graded: bool) -> list[str]:
    """A box's lines: its label (a line more for a graded box, whose grade ends the label), then its note."""
    return wrap(label, max_lines=MAX_LINES + graded) + (wrap(note, max_lines=2) if note else [])


def box_height(lines: list[str]) -> int:
    return LINE_HEIGHT * len(lines) + 2 * BOX_MARGIN

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


def flow(view: dict[str, Any], edge_recs: list[tuple], boxes: dict[str, list[str]]) -> dict[str, tuple[int, int]]:
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
        heights = [box_height(boxes[i]) for i in column]
        row_gap = TRACE_ROW_GAP if view["context"] else ROW_GAP
        y = -(sum(heights) + row_gap * (len(column) - 1)) / 2
        for i, h in zip(column, heights):
            pos[i] = (left[c], round(y + h / 2))
            y += h + row_gap
    return pos


def context(records: list[dict[str, Any]], inside: dict[str, tuple[int, int]], kinds: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Where the nodes outside the (first) context view go when the page shows it in context: under the view,
    one block per area (kinds in legend order), CONTEXT_COLUMNS boxes wide, the blocks in rows of CONTEXT_BLOCKS."""
    order = {k: n for n, k in enumerate(kinds)}
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        if r["id"] not in inside:
            groups.setdefault(r["_area"] or "", []).append(r)
    row_pitch = box_height([""] * MAX_LINES) + ROW_GAP
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


def clusters(records: list[dict[str, Any]], kinds: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Linear-time positions for big graphs: one sunflower spiral per area (area node in the middle, then kinds
    in legend order), the spirals packed left to right in rows."""
    order = {k: i for i, k in enumerate(kinds)}
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault(r["_area"] or "", []).append(r)
    spirals = []
    for key in sorted(groups, key=lambda k: (k == "", k)):
        members = sorted(groups[key], key=lambda r: (order[r["kind"]], r["label"], r["id"]))
        spirals.append((members, SPACING * (math.sqrt(len(members)) + 1.5)))
    row_width = max(max(2 * radius for _, radius in spirals), math.sqrt(sum((2 * r) ** 2 for _, r in spirals)) * 1.3)
    positions: dict[str, tuple[int, int]] = {}
    x = y = row_height = 0.0
    for members, radius in spirals:
        if x > 0 and x + 2 * radius > row_width:
            x, y, row_height = 0.0, y + row_height + SPACING * 3, 0.0
        cx, cy = x + radius, y + radius
        for i, r in enumerate(members):
            dist, angle = SPACING * math.sqrt(i), i * _GOLDEN_ANGLE
            positions[r["id"]] = (round(cx + dist * math.cos(angle)), round(cy + dist * math.sin(angle)))
        x += 2 * radius + SPACING * 3
        row_height = max(row_height, 2 * radius)
    return positions

