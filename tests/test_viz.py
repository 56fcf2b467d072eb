"""peelgraph.viz without a browser: offline page, styles, safety, determinism, validation, atomic write."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from viz_samples import (  # noqa: E402
    HOSTILE_END, HOSTILE_HREF, HOSTILE_IMG, HOSTILE_SCRIPT, hostile, synthetic,
)

from peelgraph import layout, viz  # noqa: E402

REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
URL_IN_CSS = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.I)
IMPORT_IN_CSS = re.compile(r"@import\s+(?:url\(\s*)?['\"]?([^'\");\s]*)", re.I)
# The only absolute URLs allowed in the page outside the data: vis-network's licence/docs comments and error
# text, and the SVG namespace name (an identifier, never fetched).
ALLOWED_URLS = {
    "http://almende.com", "http://opensource.org/licenses/MIT", "http://www.apache.org/licenses/LICENSE-2.0",
    "http://www.w3.org/2000/svg", "https://github.com/uuidjs/uuid#getrandomvalues-not-supported",
    "https://github.com/visjs", "https://github.com/zloirock/core-js",
    "https://github.com/zloirock/core-js/blob/v3.21.1/LICENSE", "https://visjs.github.io/vis-network/",
}
DATA_SCRIPT = re.compile(r'<script type="application/json" id="peelgraph-data">(.*?)</script>', re.S)


class Page(HTMLParser):
    """Collects tags, attributes, and the text of <script> and <style> elements."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in: tuple[str, dict] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = (tag, dict(attrs))

    def handle_endtag(self, tag):
        if self._in and tag == self._in[0]:
            self._in = None

    def handle_data(self, data):
        if self._in and self._in[0] == "script":
            self.scripts.append((self._in[1], data))
        elif self._in and self._in[0] == "style":
            self.styles.append(data)
        else:
            self.text.append(data)


def payload_of(html: str) -> dict:
    found = DATA_SCRIPT.findall(html)
    assert len(found) == 1
    return json.loads(found[0])


@pytest.fixture(scope="module")
def small():
    nodes, edges = synthetic(80, 140)
    return nodes, edges, viz.render(nodes, edges, title="Derbyshire PEEL 2021/22")


# --- 1. offline ----------------------------------------------------------------------------------------------


def test_page_loads_nothing_remote(small):
    html = small[2]
    page = Page(html)
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "formaction", "srcset", "poster", "data", "background", "xlink:href"):
            value = attrs.get(name)
            assert value is None or not REMOTE.match(value), f"<{tag} {name}={value!r}>"
        assert not (tag == "link" and attrs.get("href")), "no <link href> at all: everything is inline"
        assert not (tag == "script" and "src" in attrs), "no <script src> at all: everything is inline"
        for url in URL_IN_CSS.findall(attrs.get("style") or ""):
            assert not REMOTE.match(url)
    css = "\n".join(page.styles)
    assert css, "vis-network CSS and the page CSS are inlined"
    for url in URL_IN_CSS.findall(css):
        assert url.startswith("data:"), url
    assert not IMPORT_IN_CSS.findall(css)
    code = "\n".join(text for attrs, text in page.scripts if attrs.get("type") != "application/json")
    assert "vis.Network" in code and "DataSet" in code
    assert not re.search(r"\bimport\s*\(|importScripts|\bfetch\(|XMLHttpRequest\(\)\.open\(\s*['\"]https?:", code)
    # Whatever absolute URL is left (outside the node data) is a licence comment or the SVG namespace.
    urls = set(re.findall(r"https?://[^\s\"'()<>,;`\\]+", DATA_SCRIPT.sub("", html)))
    assert urls <= ALLOWED_URLS, urls - ALLOWED_URLS
    for cdn in ("cdnjs", "jsdelivr", "unpkg", "bootstrap", "googleapis"):
        assert cdn not in html.lower()


def test_content_security_policy_forbids_fetching(small):
    csp = next(a["content"] for t, a in Page(small[2]).tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp and "unsafe-inline" not in csp.split(
        "script-src")[1]


# --- 2. look -------------------------------------------------------------------------------------------------


def test_colour_shape_size_by_kind_grade_weight():
    nodes = [
        {"id": "urn:a1", "label": "Investigating crime", "kind": "area", "grade": "Requires improvement",
         "weight": 10},
        {"id": "urn:a2", "label": "Protecting vulnerable people", "kind": "area", "grade": "inadequate",
         "weight": 2.5},
        {"id": "urn:a3", "label": "Crime data integrity", "kind": "area", "grade": None, "weight": 0},
        {"id": "urn:j1", "label": "Outstanding", "kind": "judgment", "grade": "Outstanding", "area": "X"},
        {"id": "urn:j2", "label": "Good", "kind": "judgment", "grade": "Good"},
        {"id": "urn:j3", "label": "Adequate", "kind": "judgment", "grade": "Adequate"},
        {"id": "urn:f", "label": "A finding", "kind": "finding", "grade": "Good", "weight": 10},
        {"id": "urn:r", "label": "A recommendation", "kind": "recommendation"},
    ]
    edges = [
        {"source": "urn:f", "target": "urn:a1", "kind": "causal", "label": "causes", "quote": "q"},
        {"source": "urn:a1", "target": "urn:j1", "kind": "structural", "label": "has judgment"},
        {"source": "urn:f", "target": "urn:r", "kind": "thematic", "label": "related to"},
    ]
    data = payload_of(viz.render(nodes, edges, title="t"))
    by_id = {n["id"]: n for n in data["nodes"]}
    colour = {k: by_id[k]["color"]["background"] for k in by_id}
    assert colour["urn:a1"] == viz.GRADE_COLOURS["Requires improvement"] == "#ef6c00"
    assert colour["urn:a2"] == viz.GRADE_COLOURS["Inadequate"]  # grade matched case-insensitively
    assert colour["urn:a3"] == viz.UNGRADED
    assert colour["urn:j1"] == viz.GRADE_COLOURS["Outstanding"]
    assert colour["urn:j2"] == viz.GRADE_COLOURS["Good"] and colour["urn:j3"] == viz.GRADE_COLOURS["Adequate"]
    assert colour["urn:f"] == viz.KIND_STYLES["finding"][2]  # a finding is coloured by kind, not grade
    assert colour["urn:r"] == viz.KIND_STYLES["recommendation"][2]
    assert len(set(colour.values())) == len(colour)
    assert by_id["urn:a1"]["shape"] == "hexagon" and by_id["urn:j1"]["shape"] == "diamond"
    assert by_id["urn:f"]["shape"] != by_id["urn:r"]["shape"]
    assert by_id["urn:a1"]["size"] == by_id["urn:f"]["size"] > by_id["urn:a2"]["size"] > by_id["urn:a3"]["size"]
    e = {x["kind"]: x for x in data["edges"]}
    assert e["causal"]["arrows"]["to"]["enabled"] is True and e["causal"]["dashes"] is False
    assert e["thematic"]["dashes"] is True and e["thematic"]["arrows"]["to"]["enabled"] is False
    assert e["structural"]["color"]["color"] == "#bdbdbd" and e["structural"]["width"] == 1.0
    assert e["structural"]["arrows"]["to"]["enabled"] is False
    assert e["causal"]["from"] == "urn:f" and e["causal"]["to"] == "urn:a1" and e["causal"]["quote"] == "q"


def test_legend_and_tooltip_data(small):
    nodes, _, html = small
    data = payload_of(html)
    legend = data["legend"]
    assert [k["kind"] for k in legend["kinds"]] == [k for k in viz.NODE_KINDS if any(n["kind"] == k for n in nodes)]
    assert len(legend["kinds"]) == 15
    assert [g["name"] for g in legend["grades"]] == [*viz.GRADE_COLOURS, "Ungraded"]
    assert {e["kind"] for e in legend["edges"]} == set(viz.EDGE_KINDS)
    # the tooltip is built in the page from these fields: whole label, kind, grade, area and the exact quote
    judgment = next(n for n in nodes if n["kind"] == "judgment")
    shown = next(n for n in data["nodes"] if n["id"] == judgment["id"])
    assert (shown["name"], shown["kind"], shown["grade"], shown["area"], shown["quote"]) == (
        judgment["label"], "judgment", judgment["grade"], judgment["area"], judgment["quote"])
    assert data["areas"] == sorted({n["area"] for n in nodes if n.get("area")})


def test_long_labels_are_shortened_on_canvas_only():
    label = "The force needs to make sure that it records crime accurately and in a timely way " * 2
    data = payload_of(viz.render([{"id": "urn:x", "label": label, "kind": "afi"}], [], title="t"))
    node = data["nodes"][0]
    assert len(node["label"]) == viz.MAX_LABEL and node["label"].endswith("\u2026") and node["name"] == label


# --- 4. layout -----------------------------------------------------------------------------------------------


def test_small_graph_stabilises_then_physics_off(small):
    options = payload_of(small[2])["options"]
    physics = options["physics"]
    assert physics["enabled"] is True and physics["solver"] == "forceAtlas2Based"
    assert physics["stabilization"]["enabled"] is True and 100 <= physics["stabilization"]["iterations"] <= 1000
    assert options["layout"]["randomSeed"] == viz.RANDOM_SEED
    assert "hierarchical" not in options["layout"]
    assert payload_of(small[2])["physics"] is True  # the page turns physics off after stabilisation


def test_five_thousand_nodes_render_with_positions_and_no_physics():
    nodes, edges = synthetic(5000, 10000)
    data = payload_of(viz.render(nodes, edges, title="big"))
    assert len(data["nodes"]) == 5000 and len(data["edges"]) == 10000
    assert data["options"]["physics"]["enabled"] is False and data["physics"] is False
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == 5000  # no two nodes on the same spot
    assert data["options"]["edges"]["smooth"]["enabled"] is False


# --- 5. safety -----------------------------------------------------------------------------------------------


def test_report_text_is_data_never_markup():
    nodes, edges = hostile()
    title = HOSTILE_IMG + " " + HOSTILE_END
    html = viz.render(nodes, edges, title=title)
    for bad in (HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_HREF, HOSTILE_END):
        assert bad not in html  # the title is HTML-escaped, the data JSON-escaped
    assert "<img" not in html and "<a " not in html and "<!--" not in html
    assert len(Page(html).scripts) == 3 and html.count("</script>") == 3
    page = Page(html)
    assert {t for t, _ in page.tags} <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "div", "input", "button", "label",
        "select", "option", "span", "main", "aside", "details", "summary", "datalist", "script"}
    assert "".join(page.text).count(title) == 2  # <title> and <h1>, as text
    data_text = DATA_SCRIPT.findall(html)[0]
    assert "<" not in data_text and ">" not in data_text and "&" not in data_text
    data = payload_of(html)
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id[nodes[5]["id"]]["name"] == HOSTILE_IMG and by_id[nodes[5]["id"]]["quote"] == HOSTILE_SCRIPT
    assert by_id[nodes[6]["id"]]["name"] == HOSTILE_HREF and by_id[nodes[6]["id"]]["quote"] == HOSTILE_END
    assert HOSTILE_IMG in data["areas"]
    assert any(e["name"] == HOSTILE_HREF and e["quote"] == HOSTILE_IMG for e in data["edges"])
    assert all("title" not in n for n in data["nodes"])  # tooltips are DOM elements built in the page


def test_page_script_uses_text_only():
    js = (Path(viz.__file__).parent / "templates" / "viz.js").read_text()
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function", js)
    assert "textContent" in js


# --- determinism ---------------------------------------------------------------------------------------------


def test_same_records_same_bytes_in_any_order():
    nodes, edges = synthetic(200, 400)
    first = viz.render(nodes, edges, title="t", focus={nodes[3]["id"], nodes[9]["id"]})
    rng = random.Random(1)
    shuffled_nodes, shuffled_edges = nodes[:], edges + edges[:5]  # duplicates are drawn once
    rng.shuffle(shuffled_nodes)
    rng.shuffle(shuffled_edges)
    again = viz.render(shuffled_nodes, shuffled_edges, title="t", focus={nodes[9]["id"], nodes[3]["id"]})
    assert first == again
    as_dataclasses = viz.render([viz.Node(**n) for n in nodes], [viz.Edge(**e) for e in edges], title="t",
                                focus={nodes[3]["id"], nodes[9]["id"]})
    assert as_dataclasses == first


def test_same_bytes_across_processes():
    code = ("import hashlib,sys; sys.path.insert(0, 'tests'); from viz_samples import synthetic; "
            "from peelgraph import viz; n, e = synthetic(1200, 2000); "
            "print(hashlib.sha256(viz.render(n, e, title='t').encode()).hexdigest())")
    root = Path(__file__).parent.parent
    digests = {
        subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    n, e = synthetic(1200, 2000)
    assert digests == {hashlib.sha256(viz.render(n, e, title="t").encode()).hexdigest() + "\n"}


# --- focus, validation, write --------------------------------------------------------------------------------


def test_focus_highlights_trace_and_fades_the_rest(small):
    nodes, edges, _ = small
    focus = {edges[0]["source"], edges[0]["target"]}
    data = payload_of(viz.render(nodes, edges, title="trace", focus=focus))
    assert data["focus"] == sorted(focus)
    for n in data["nodes"]:
        assert n["focus"] is (n["id"] in focus)
        assert ("opacity" in n) is (n["id"] not in focus)
    for e in data["edges"]:
        inside = e["from"] in focus and e["to"] in focus
        assert (e["color"]["opacity"] == 1.0) is inside
    assert "focus" not in payload_of(small[2])["nodes"][0]
    with pytest.raises(ValueError, match="focus"):
        viz.render(nodes, edges, title="t", focus={"urn:nowhere"})


@pytest.mark.parametrize("modality,dashed", [(None, False), ("asserted", False), ("hedged", True), ("predicted", True)])
def test_hedged_and_predicted_causal_edges_are_dashed_arrows(modality, dashed):
    nodes = [{"id": "urn:a", "label": "Too few staff", "kind": "condition"},
             {"id": "urn:b", "label": "victims may wait", "kind": "condition"}]
    edge = {"source": "urn:a", "target": "urn:b", "kind": "causal", "label": "may mean", "quote": "q", "modality": modality}
    data = payload_of(viz.render(nodes, [edge], title="t"))
    (e,) = data["edges"]
    assert e["dashes"] is dashed and e["arrows"]["to"]["enabled"] is True
    assert e["modality"] == modality  # the page's tooltip names it (tests/test_viz_browser.py)
    assert {"kind": "causal", "name": viz.UNCERTAIN_LEGEND, "colour": viz.EDGE_STYLES["causal"][1], "dashed": True,
            "arrow": True} in data["legend"]["edges"]


def test_seed_records_draw_hedged_claims_dashed(open_seed_store):
    from peelgraph import query
    from peelgraph.view import records

    nodes, edges = records(open_seed_store)
    causal = [e for e in edges if e["kind"] == "causal" and e["label"] != "instance"]
    claims = query.rows(open_seed_store, "SELECT ?m WHERE { ?c a peel:CausalClaim ; peel:modality ?m }")
    assert sorted(e["modality"] for e in causal) == sorted(m["m"].rsplit("#", 1)[1].lower() for m in claims)
    data = payload_of(viz.render(nodes, edges, title="seed"))
    for e in data["edges"]:
        if e["kind"] == "causal":
            assert e["dashes"] is (e["modality"] in ("hedged", "predicted")), e


@pytest.mark.parametrize("node, edge, message", [
    ({"id": "urn:a", "label": "a", "kind": "widget"}, None, "kind 'widget'"),
    ({"id": "", "label": "a", "kind": "afi"}, None, "'id'"),
    ({"id": "urn:a", "label": "a", "kind": "afi", "weight": -1}, None, "weight"),
    ({"id": "urn:a", "label": "a", "kind": "afi", "weight": float("nan")}, None, "weight"),
    ({"id": "urn:a", "label": 5, "kind": "afi"}, None, "'label'"),
    ({"id": "urn:a", "label": "a", "kind": "afi"}, {"source": "urn:a", "target": "urn:zz", "kind": "causal",
                                                    "label": "causes"}, "not among the nodes"),
    ({"id": "urn:a", "label": "a", "kind": "afi"}, {"source": "urn:a", "target": "urn:a", "kind": "because",
                                                    "label": "x"}, "kind 'because'"),
    ({"id": "urn:a", "label": "a", "kind": "afi"}, {"source": "urn:a", "target": "urn:a", "kind": "causal",
                                                    "label": "x", "modality": "negated"}, "modality 'negated'"),
    ({"id": "urn:a", "label": "a", "kind": "afi"}, {"source": "urn:a", "target": "urn:a", "kind": "thematic",
                                                    "label": "x", "modality": "hedged"}, "on a causal edge"),
])
def test_bad_records_are_refused(node, edge, message):
    with pytest.raises(ValueError, match=message):
        viz.render([node], [edge] if edge else [], title="t")


def test_duplicate_node_ids_are_refused():
    node = {"id": "urn:a", "label": "a", "kind": "afi"}
    with pytest.raises(ValueError, match="duplicate node id 'urn:a'"):
        viz.render([node, dict(node)], [], title="t")


def test_empty_graph_renders():
    data = payload_of(viz.render([], [], title="nothing"))
    assert data["nodes"] == [] and data["edges"] == [] and data["legend"]["kinds"] == []


def test_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "out" / "graph.html"
    assert viz.write(target, "<p>one</p>") == target
    viz.write(target, "<p>two \u2713</p>")
    assert target.read_text(encoding="utf-8") == "<p>two \u2713</p>"
    assert sorted(p.name for p in target.parent.iterdir()) == ["graph.html"]

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(viz.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        viz.write(target, "<p>three</p>")
    assert target.read_text(encoding="utf-8") == "<p>two \u2713</p>"
    assert sorted(p.name for p in target.parent.iterdir()) == ["graph.html"]


def test_dataclass_fields_match_documented_record_shape():
    assert [f.name for f in dataclasses.fields(viz.Node)] == [
        "id", "label", "kind", "grade", "area", "quote", "weight", "note", "page"]
    assert [f.name for f in dataclasses.fields(viz.Edge)] == [
        "source", "target", "kind", "label", "quote", "modality", "count", "page"]


# --- flow views: the overview by area and the trace left to right --------------------------------------------


def chain_records():
    """factor -> a -> b -> c (a cycle back c -> a), c stated in an AFI of a judgment; a summary edge."""
    ids = ["urn:f", "urn:a", "urn:b", "urn:c", "urn:s", "urn:j"]
    kinds = ["factor", "condition", "condition", "condition", "afi", "judgment"]
    nodes = [{"id": i, "label": f"Node {i[4:]} " * 6, "kind": k, "grade": "Adequate" if k == "judgment" else None}
             for i, k in zip(ids, kinds)]
    edges = [
        {"source": "urn:f", "target": "urn:a", "kind": "causal", "label": "instance"},
        {"source": "urn:a", "target": "urn:b", "kind": "causal", "label": "because", "quote": "q1", "modality": "asserted"},
        {"source": "urn:b", "target": "urn:c", "kind": "causal", "label": "may mean", "quote": "q2", "modality": "hedged"},
        {"source": "urn:c", "target": "urn:a", "kind": "causal", "label": "so", "quote": "q3", "modality": "asserted"},
        {"source": "urn:c", "target": "urn:s", "kind": "structural", "label": "stated in"},
        {"source": "urn:j", "target": "urn:s", "kind": "structural", "label": "has AFI"},
        {"source": "urn:f", "target": "urn:j", "kind": "causal", "label": "3 claims", "quote": "q1\n\nq2", "count": 3},
    ]
    views = [
        {"key": "overview", "summary": True, "nodes": [("urn:f", 0), ("urn:j", 1)], "title": "Overview"},
        {"key": "chain", "opener": "urn:f", "fixed": [3], "context": True, "title": "Chain",
         "nodes": [("urn:f", 0), ("urn:a", 1), ("urn:b", 1), ("urn:c", 1), ("urn:s", 2), ("urn:j", 3)]},
    ]
    return nodes, edges, views


def test_flow_views_lay_out_left_to_right_with_boxes():
    nodes, edges, views = chain_records()
    data = payload_of(viz.render(nodes, edges, title="t", views=views))
    assert data["physics"] is False and data["options"]["physics"]["enabled"] is False
    overview, chain = data["views"]
    assert set(overview["pos"]) == {"urn:f", "urn:j"} and data["opens"] == {"urn:f": "chain"}
    x = {i: p[0] for i, p in chain["pos"].items()}
    # a -> b -> c in order (c -> a closes a cycle, found depth first from a, and is left out), then the
    # statement, then the judgment
    assert x["urn:f"] < x["urn:a"] < x["urn:b"] < x["urn:c"] < x["urn:s"] < x["urn:j"]
    by_id = {n["id"]: n for n in data["nodes"]}
    assert all(n["shape"] == "box" for n in data["nodes"])
    assert [i for i, n in by_id.items() if "x" in n] == ["urn:f", "urn:j"]  # placed in the first view
    for n in data["nodes"]:  # labels wrapped here, each line narrower than the box, so the browser keeps them
        assert all(layout.text_width(line) <= layout.WRAP for line in n["label"].split("\n"))
        assert n["widthConstraint"] == {"minimum": layout.BOX_WIDTH}
    summary = next(e for e in data["edges"] if e.get("count"))
    assert summary["width"] == 1.5 + 1.5 * 3 and "label" not in summary
    cues = {e["name"]: e for e in data["edges"] if e.get("label")}
    assert set(cues) == {"because", "may mean", "so"} and cues["may mean"]["dashes"] is True
    # boxes in one column never overlap; columns are a box and a gap apart
    ys = sorted((p[1], layout.box_height(by_id[i]["label"].split("\n"))) for i, p in chain["pos"].items() if x[i] == x["urn:a"])
    assert all(a + ha / 2 + layout.ROW_GAP <= b - hb / 2 + 1 for (a, ha), (b, hb) in zip(ys, ys[1:]))
    assert x["urn:b"] - x["urn:a"] == layout.BOX_WIDTH + layout.CUE_GAP and x["urn:s"] - x["urn:c"] == layout.BOX_WIDTH + layout.COL_GAP
    assert set(data["ctx"]) == set()  # every node is in the view, so nothing is added in context


def test_flow_views_are_deterministic_and_validated():
    nodes, edges, views = chain_records()
    first = viz.render(nodes, edges, title="t", views=views)
    assert viz.render(nodes[::-1], edges[::-1], title="t", views=views) == first
    bad = [({"key": "v", "nodes": [("urn:nowhere", 0)]}, "not among the nodes"),
           ({"key": "v", "nodes": [("urn:f", "first")]}, "column group"),
           ({"key": "v", "nodes": [("urn:f", 0), ("urn:f", 1)]}, "twice"),
           ({"key": "v", "nodes": [], "opener": "urn:zz"}, "opener")]
    for view, message in bad:
        with pytest.raises(ValueError, match=message):
            viz.render(nodes, edges, title="t", views=[view])
    with pytest.raises(ValueError, match="count"):
        viz.render(nodes, [{**edges[0], "kind": "structural", "count": 2}], title="t")


def test_wrap_fits_the_box_and_keeps_every_word():
    text = "Strategic planning, organisational management and value for money: Requires improvement"
    lines = layout.wrap(text, max_lines=6)
    assert " ".join(lines) == text and all(layout.text_width(line) <= layout.WRAP for line in lines)
    assert layout.wrap("x" * 80, max_lines=2)[-1].endswith("\u2026")


def test_seed_overview_is_one_box_per_area_and_the_factors_reaching_them(open_seed_store):
    from peelgraph import query
    from peelgraph.view import MAX_FACTORS, page

    html = page(open_seed_store)
    assert html == page(open_seed_store)  # deterministic
    data = payload_of(html)
    by_id = {n["id"]: n for n in data["nodes"]}
    overview = data["views"][0]
    shown = [by_id[i] for i in overview["pos"]]
    assert len(shown) <= 60
    judgments = [n for n in data["nodes"] if n["kind"] == "judgment"]
    assert sorted(n["id"] for n in shown if n["kind"] == "judgment") == sorted(n["id"] for n in judgments) and len(judgments) == 14
    assert {n["kind"] for n in shown} == {"judgment", "factor"}
    assert MAX_FACTORS <= sum(n["kind"] == "factor" for n in shown) <= MAX_FACTORS + len(judgments)
    crime = next(n for n in judgments if n["name"] == "Investigating crime: Requires improvement")
    assert crime["color"]["background"] == viz.GRADE_COLOURS["Requires improvement"]
    afis = query.rows(open_seed_store, """SELECT ?s WHERE { ?s a peel:AreaForImprovement ; peel:area parea:investigating-crime }""")
    assert crime["note"].startswith(f"{len(afis)} AFIs \u00b7 ")
    # graded areas in the right column, worst first; every summed arrow runs from a factor to a judgment
    right = max(p[0] for p in overview["pos"].values())
    graded = sorted((p[1], by_id[i]["grade"]) for i, p in overview["pos"].items() if p[0] == right)
    assert [g for _, g in graded] == sorted((g for _, g in graded), key=["Inadequate", "Requires improvement", "Adequate", "Good", "Outstanding"].index)
    claims = {r["q"] for r in query.rows(open_seed_store, "SELECT ?q WHERE { ?c a peel:CausalClaim ; peel:evidence/peel:text ?q }")}
    summary = [e for e in data["edges"] if e.get("count")]
    assert summary and all(by_id[e["from"]]["kind"] == "factor" and by_id[e["to"]]["kind"] == "judgment" for e in summary)
    for e in summary:  # the tooltip holds the claims' exact passages and nothing else
        rest = e["quote"]
        for q in sorted(claims, key=len, reverse=True):
            rest = rest.replace(q, "")
        assert rest.strip() == "" and e["quote"].strip(), e["quote"]
    # each area and each factor opens its own view
    assert {by_id[i]["kind"] for i in data["opens"]} == {"judgment", "factor"}
    area = next(v for v in data["views"] if v["key"] == data["opens"][crime["id"]])
    kinds = {by_id[i]["kind"] for i in area["pos"]}
    assert {"afi", "finding", "metric", "condition", "factor", "judgment"} <= kinds
    assert {s["s"] for s in afis} <= set(area["pos"])


def test_seed_trace_view_reads_left_to_right(open_seed_store):
    from peelgraph.trace import trace
    from peelgraph.view import page

    data = payload_of(page(open_seed_store, "neighbourhood vacancies"))
    (view,) = data["views"]
    assert view["context"] is True and set(view["pos"]) == set(data["focus"])
    result = trace(open_seed_store, "neighbourhood vacancies")
    steps = {s["iri"] for a in result["areas"] for p in a["paths"] for s in p}
    assert set(view["pos"]) == steps
    x = {i: p[0] for i, p in view["pos"].items()}
    for a in result["areas"]:
        for path in a["paths"]:
            xs = [x[s["iri"]] for s in path]
            assert xs == sorted(set(xs)), [s["node"] for s in path]  # strictly increasing
    right = max(x.values())
    ends = {n["name"] for n in data["nodes"] if n["id"] in x and x[n["id"]] == right}
    assert ends == {"Engaging with and treating the public with fairness and respect: Adequate",
                    "Preventing crime and anti-social behaviour: Adequate", "Reducing crime assessment: ungraded"}
    assert len(data["ctx"]) == len(data["nodes"]) - len(view["pos"])  # the rest, for "Show in context"
    assert min(p[1] for p in data["ctx"].values()) > max(p[1] for p in view["pos"].values())


# --- the national page ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_forces(tmp_path_factory):
    from viz_samples import national_reports

    from peelgraph import store
    from peelgraph.build import build

    folder = tmp_path_factory.mktemp("two")
    reports = national_reports(folder / "reports", n_renamed=2)
    files = sorted(p for p in reports.iterdir() if p.name.startswith(("derbyshire", "wessex", "borsetshire")))
    build(files, folder / "store")
    return store.open_store(folder / "store")


def test_national_records_grades_and_root_causes(two_forces):
    from peelgraph import query
    from peelgraph.national import CAUSES, POOR, records

    record = records(two_forces)
    assert [f["label"] for f in record["forces"]] == [
        "PEEL 2021/22: Borsetshire Constabulary", "PEEL 2021/22: Derbyshire Constabulary", "PEEL 2021/22: Wessex Police"]
    assert [f["href"] for f in record["forces"]] == ["borsetshire-2021-22.html", "derbyshire-2021-22.html", "wessex-2021-22.html"]
    order = query.rows(two_forces, "SELECT ?l ?o WHERE { ?a skos:prefLabel ?l ; peel:order ?o } ORDER BY ?o")
    assert record["areas"] == [r["l"] for r in order if r["l"] in record["areas"]] and len(record["areas"]) == 14
    rows = query.rows(two_forces, """SELECT ?i ?l ?g WHERE { ?j a peel:Judgment ; peel:inInspection ?i ;
        peel:area/skos:prefLabel ?l ; peel:grade/skos:prefLabel ?g }""")
    assert {(r["i"], r["l"], r["g"]) for r in rows} <= {(i, a, g) for i, gs in record["grades"].items() for a, g in gs.items()}
    derbyshire, borsetshire = record["forces"][1]["id"], record["forces"][0]["id"]
    assert record["grades"][derbyshire]["Investigating crime"] == "Requires improvement"
    assert record["grades"][borsetshire] != record["grades"][derbyshire]  # regraded
    causes = record["causes"]
    assert 1 <= len(causes) <= CAUSES
    totals = [sum(c["poor"] for c in cause["cells"].values()) for cause in causes]
    assert totals == sorted(totals, reverse=True) and totals[-1] >= 1
    claims = {r["q"] for r in query.rows(two_forces, "SELECT ?q WHERE { ?c a peel:CausalClaim ; peel:evidence/peel:text ?q }")}
    for cause in causes:
        for insp, cell in cause["cells"].items():
            poor = [a for a in cell["areas"] if a.endswith(POOR)]
            assert cell["poor"] == len(poor) and cell["claims"]
            for i in cell["claims"]:  # a claim's exact passages and nothing else
                rest = record["quotes"][i]
                for q in sorted(claims, key=len, reverse=True):
                    rest = rest.replace(q, "")
                assert rest.strip() == "" and record["quotes"][i]


@pytest.fixture(scope="module")
def twenty_forces(tmp_path_factory):
    from viz_samples import national_reports

    from peelgraph import store
    from peelgraph.build import build

    folder = tmp_path_factory.mktemp("twenty")
    build([national_reports(folder / "reports")], folder / "store")
    return store.open_store(folder / "store")


def _national_walked(store) -> dict:
    """The national page's content the old way: trace.reach walks each factor's chains in Python, one factor at
    a time, and every judgment and claim sentence is read per row."""
    from peelgraph import query
    from peelgraph.national import CAUSES, POOR
    from peelgraph.trace import reach

    judged = {(r["i"], r["a"]): (r["l"], r["g"]) for r in query.rows(store, """SELECT ?i ?a ?l ?g WHERE {
        ?j a peel:Judgment ; peel:inInspection ?i ; peel:area ?a . ?a skos:prefLabel ?l
        OPTIONAL { ?j peel:grade/skos:prefLabel ?g } }""")}
    text: dict[str, set] = {}
    for r in query.rows(store, "SELECT ?c ?q WHERE { ?c a peel:CausalClaim ; peel:evidence/peel:text ?q }"):
        text.setdefault(r["c"], set()).add(r["q"])
    causes = []
    for r in reach(store):
        cells: dict[str, dict] = {}
        for c in r["claims"]:
            if (c["inspection"], c["area"]) in judged:
                label, grade = judged[(c["inspection"], c["area"])]
                cell = cells.setdefault(c["inspection"], {"areas": {}, "quotes": set()})
                cell["areas"][label] = grade
                cell["quotes"].add("\n".join(sorted(text[c["claim"]])))
        total = sum(g in POOR for cell in cells.values() for g in cell["areas"].values())
        if total:
            causes.append((-total, r["label"], r["factor"], {
                i: (sum(g in POOR for g in cell["areas"].values()), sorted(f"{a}: {g or 'ungraded'}" for a, g in cell["areas"].items()),
                    sorted(cell["quotes"])) for i, cell in cells.items()}))
    return [(f, label, cells) for _, label, f, cells in sorted(causes)[:CAUSES]]


def test_national_records_equal_the_walk_factor_by_factor(twenty_forces):
    from peelgraph import query
    from peelgraph.national import records

    record = records(twenty_forces)
    assert len(record["forces"]) == 20 and len(record["causes"]) > 10
    got = [(c["id"], c["label"], {i: (cell["poor"], sorted(cell["areas"]), sorted(record["quotes"][k] for k in cell["claims"]))
                                  for i, cell in c["cells"].items()}) for c in record["causes"]]
    assert got == _national_walked(twenty_forces)
    rows = query.rows(twenty_forces, """SELECT ?i ?l ?g ?s WHERE { ?j a peel:Judgment ; peel:inInspection ?i ;
        peel:area/skos:prefLabel ?l ; peel:status/rdfs:label ?s OPTIONAL { ?j peel:grade/skos:prefLabel ?g } }""")
    grades: dict[str, dict] = {}
    for r in rows:
        grades.setdefault(r["i"], {})[r["l"]] = r["g"] or r["s"]
    assert record["grades"] == grades
    assert len(record["quotes"]) == len(set(record["quotes"]))  # each sentence once, cells refer to it


def test_national_page_is_offline_deterministic_and_writes_report_pages(two_forces, tmp_path):
    from peelgraph.national import page
    from peelgraph.view import write_national

    html = page(two_forces)
    assert html == page(two_forces)
    page = Page(html)
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert not [a for t, a in page.tags if t == "script" and "src" in a] and "<link" not in html
    assert not set(re.findall(r"https?://[^\s\"'()<>,;`\\]+", DATA_SCRIPT.sub("", html)))
    data = DATA_SCRIPT.findall(html)[0]
    assert "<" not in data and ">" not in data and "&" not in data
    js = (Path(viz.__file__).parent / "templates" / "national.js").read_text()
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function", js)
    out = write_national(two_forces, tmp_path / "site" / "national.html")
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "borsetshire-2021-22.html", "derbyshire-2021-22.html", "national.html", "wessex-2021-22.html"]
    one = payload_of((out.parent / "wessex-2021-22.html").read_text(encoding="utf-8"))
    labels = {n["name"] for n in one["nodes"] if n["kind"] == "inspection"}
    assert labels == {"PEEL 2021/22: Wessex Police"}  # each report's page holds that report only
    assert sum(n["kind"] == "judgment" for n in one["nodes"]) == 14


def _report_pages_walked(store) -> dict[str, str]:
    """Each report's page the old way: the whole store's records and chains, filtered to the report's own nodes
    (IRIs under its inspection's) and the shared nodes they link to."""
    from peelgraph import national, query, view
    from peelgraph.trace import reach

    nodes, edges, index = view._records(store)
    reached = reach(store)
    pages = {}
    for r in query.rows(store, national.INSPECTIONS):
        i = r["i"]
        own = {n["id"] for n in nodes if n["id"] == i or n["id"].startswith(i + "/")}
        keep = own | {e[end] for e in edges if e["source"] in own or e["target"] in own for end in ("source", "target")}
        mine = [{**x, "claims": [c for c in x["claims"] if c["inspection"] == i]} for x in reached]
        pages[national.report_file(i)] = view._page(store, [n for n in nodes if n["id"] in keep],
                                                    [e for e in edges if e["source"] in keep and e["target"] in keep],
                                                    index, mine)
    return pages


@pytest.mark.parametrize("which", ["two_forces", "twenty_forces"])
def test_national_report_pages_equal_the_whole_store_filtered(which, request, tmp_path):
    """Each report page, read from that report's graph alone, shows what the whole store's records filtered to
    the report showed; only the weight of the shared nodes (areas, factors: links counted in this report, not
    over every report), which a flow page does not draw, may differ."""
    from peelgraph.view import write_national

    store = request.getfixturevalue(which)
    out = write_national(store, tmp_path / "index.html")
    walked = _report_pages_walked(store)
    assert sorted(p.name for p in out.parent.iterdir() if p.name != "index.html") == sorted(walked)
    for name, html in walked.items():
        old, new = payload_of(html), payload_of((out.parent / name).read_text(encoding="utf-8"))
        inspection = next(n["id"] for n in old["nodes"] if n["kind"] == "inspection")
        for data in (old, new):
            for n in data["nodes"]:
                if not n["id"].startswith(inspection):
                    n.pop("weight")
        assert new == old, name
        assert len(old["views"]) > 10


def test_national_page_keeps_report_text_as_data():
    from peelgraph import national

    record = {"forces": [{"id": "urn:f1", "label": HOSTILE_IMG, "href": "f1.html"}], "areas": [HOSTILE_END],
              "grades": {"urn:f1": {HOSTILE_END: "Good"}},
              "causes": [{"id": "urn:c", "label": HOSTILE_HREF, "cells": {"urn:f1": {"poor": 1, "areas": [HOSTILE_SCRIPT], "claims": [0]}}}],
              "quotes": [HOSTILE_SCRIPT]}
    html = national.render(record, title=HOSTILE_IMG)
    for bad in (HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_HREF, HOSTILE_END):
        assert bad not in html
    assert html.count("</script>") == 2 and "<img" not in html and "<!--" not in html
    data = DATA_SCRIPT.findall(html)[0]
    assert json.loads(data)["quotes"] == [HOSTILE_SCRIPT] and "<" not in data
    with pytest.raises(ValueError, match="quote"):
        national.render({**record, "quotes": []}, title="t")
    with pytest.raises(ValueError, match="forces"):
        national.render({**record, "forces": []}, title="t")


def test_trace_over_several_reports_ends_in_each_forces_judgments(two_forces):
    from peelgraph.trace import trace
    from peelgraph.view import page

    data = payload_of(page(two_forces, "neighbourhood vacancies"))
    (view,) = data["views"]
    by_id = {n["id"]: n for n in data["nodes"]}
    result = trace(two_forces, "neighbourhood vacancies")
    assert len({a["inspection"] for a in result["areas"]}) == 3
    right = max(p[0] for p in view["pos"].values())
    ends = [i for i, p in view["pos"].items() if p[0] == right]
    assert {by_id[i]["kind"] for i in ends} == {"judgment"}
    assert len(ends) == sum(1 for _ in result["areas"])
    # grouped by force from top to bottom, in the order the trace lists them
    by_y = sorted(ends, key=lambda i: view["pos"][i][1])
    forces = [i.rsplit("/judgment/", 1)[0] for i in by_y]
    assert forces == sorted(forces, key=forces.index) and len(set(forces)) == 3
    assert [f for k, f in enumerate(forces) if k == 0 or forces[k - 1] != f] == list(dict.fromkeys(forces))
    for a in result["areas"]:
        for path in a["paths"]:
            xs = [view["pos"][s["iri"]][0] for s in path]
            assert all(u < v for u, v in zip(xs, xs[1:]))
    whole = payload_of(page(two_forces))
    overview, by_id = whole["views"][0], {n["id"]: n for n in whole["nodes"]}
    notes = {by_id[i]["note"].split(" \u00b7 ")[0] for i in overview["pos"] if by_id[i]["kind"] == "judgment"}
    assert notes == {"PEEL 2021/22: Borsetshire Constabulary", "PEEL 2021/22: Derbyshire Constabulary", "PEEL 2021/22: Wessex Police"}


def test_tooltips_give_the_report_page_of_a_pdf(tmp_path, seed_text, open_seed_store):
    import pdfmake

    from peelgraph import query, store
    from peelgraph.build import build
    from peelgraph.view import page

    pdf = tmp_path / "derbyshire.pdf"
    pdf.write_bytes(pdfmake.render(seed_text))
    build([pdf], tmp_path / "store")
    opened = store.open_store(tmp_path / "store")
    data = payload_of(page(opened))
    afis = query.rows(opened, """SELECT ?s ?p WHERE { ?s a peel:AreaForImprovement ; peel:context/peel:page ?p }""")
    by_id = {n["id"]: n for n in data["nodes"]}
    assert afis and all(by_id[r["s"]]["page"] == int(r["p"]) for r in afis)
    claims = [e for e in data["edges"] if e.get("modality")]
    assert claims and all(isinstance(e["page"], int) and e["page"] >= 1 for e in claims)
    js = (Path(viz.__file__).parent / "templates" / "viz.js").read_text()
    assert js.count('"Report page " + ') == 2  # node and link tooltips
    with pytest.raises(ValueError, match="page"):
        viz.render([{"id": "urn:a", "label": "a", "kind": "afi", "page": 0}], [], title="t")
    # a text report has no pages, and its tooltips say none
    seed = payload_of(page(open_seed_store))
    assert not any("page" in n for n in seed["nodes"]) and not any("page" in e for e in seed["edges"])
