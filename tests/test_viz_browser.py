"""peelgraph.viz pages in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright), offline.

Every request other than the page's own file:// URL is aborted and recorded; the tests fail on any recorded
request, console error or page error. Needs: pip install playwright (no `playwright install`: the browser is
the system one) and apt-get install chromium. Without either, these tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} not found: apt-get install chromium to run the browser tests",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright to run the browser tests")

sys.path.insert(0, str(Path(__file__).parent))

from viz_samples import HOSTILE_END, HOSTILE_HREF, HOSTILE_IMG, HOSTILE_SCRIPT, hostile, synthetic  # noqa: E402

from peelgraph import layout, viz  # noqa: E402

ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
READY = "() => window.peelgraphReady === true"
VISIBLE_NODES = "() => peelgraphNodes.get({filter: n => !n.hidden}).length"
VISIBLE_EDGES = "() => peelgraphEdges.get({filter: e => !e.hidden}).length"
SCREEN = {"width": 1600, "height": 1000}
# Every visible node's label box, from the position vis-network reports (getPositions, canvasToDOM), the scale,
# and the text metrics of each label line in the node's font; the pairs of label boxes that overlap; the node's
# whole box; and how many lines vis-network drew (so a label it wrapped again would show).
MEASURE = r"""() => {
  const net = peelgraphNetwork, rect = document.getElementById("pg-network").getBoundingClientRect();
  const ctx = document.createElement("canvas").getContext("2d");
  const scale = net.getScale(), pos = net.getPositions();
  const boxes = peelgraphNodes.get({filter: n => !n.hidden}).map(n => {
    const font = n.font || {}, size = font.size || 14, face = font.face || "DejaVu Sans, Arial, sans-serif";
    ctx.font = size + "px " + face;
    const lines = String(n.label).split("\n");
    const m = lines.map(l => ctx.measureText(l));
    const lineH = Math.max(...m.map(x => x.fontBoundingBoxAscent + x.fontBoundingBoxDescent));
    const w = Math.max(...m.map(x => x.width)) * scale, h = lines.length * lineH * scale;
    const c = net.canvasToDOM(pos[n.id]);
    const bb = net.getBoundingBox(n.id), tl = net.canvasToDOM({x: bb.left, y: bb.top}), br = net.canvasToDOM({x: bb.right, y: bb.bottom});
    const drawn = net.body.nodes[n.id].labelModule.lines.length;
    return {id: n.id, name: n.name, lines: lines.length, drawn: drawn, x: rect.left + c.x, y: rect.top + c.y,
            l: rect.left + c.x - w / 2, r: rect.left + c.x + w / 2, t: rect.top + c.y - h / 2, b: rect.top + c.y + h / 2,
            node: {l: rect.left + tl.x, t: rect.top + tl.y, r: rect.left + br.x, b: rect.top + br.y}};
  });
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) overlaps.push([a.name, b.name]);
  }
  return {scale: scale, rect: {l: rect.left, t: rect.top, r: rect.right, b: rect.bottom}, boxes: boxes, overlaps: overlaps,
          window: [window.innerWidth, window.innerHeight]};
}"""


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="peelgraph-chromium-")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1400, "height": 900}, service_workers="block")
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


class Opened:
    def __init__(self, page, requests, errors):
        self.page, self.requests, self.errors = page, requests, errors

    def check_clean(self):
        assert self.requests == [], f"the page tried to fetch {self.requests}"
        assert self.errors == [], f"console/page errors: {self.errors}"


@pytest.fixture
def open_page(browser, tmp_path):
    pages = []

    def _open(html: str, name: str = "graph.html", wait: bool = True, viewport: dict | None = None) -> Opened:
        path = viz.write(tmp_path / name, html)
        url = path.resolve().as_uri()
        page = browser.new_page()
        if viewport:
            page.set_viewport_size(viewport)
        pages.append(page)
        requests: list[str] = []
        errors: list[str] = []
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))

        def route(r):
            if r.request.url == url:
                r.continue_()
            else:
                requests.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(url)
        if wait:
            page.wait_for_function(READY, timeout=90_000)
        return Opened(page, requests, errors)

    yield _open
    for p in pages:
        p.close()


def hover_node(page, node_id: str) -> str:
    """Move the mouse onto a node and return the text of the tooltip that appears."""
    pos = page.evaluate("(id) => peelgraphNetwork.canvasToDOM(peelgraphNetwork.getPosition(id))", node_id)
    box = page.locator("#pg-network").bounding_box()
    page.mouse.move(box["x"] + pos["x"] - 40, box["y"] + pos["y"] - 40)
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"], steps=4)
    page.wait_for_function(
        "() => { const t = document.querySelector('div.vis-tooltip');"
        " return t && t.style.visibility === 'visible' && t.textContent.length > 0; }", timeout=10_000)
    return page.locator("div.vis-tooltip").text_content()


def test_harness_records_requests(open_page):
    """The recorder itself works: a page that fetches is caught (so an empty list below means something)."""
    opened = open_page('<img src="https://example.invalid/x.png"><script src="lib/vis.js"></script>'
                       '<script>window.peelgraphReady = true</script>', name="control.html")
    opened.page.wait_for_timeout(300)
    assert sorted(opened.requests) == [opened.page.url.replace("control.html", "lib/vis.js"),
                                       "https://example.invalid/x.png"]


def test_synthetic_graph_offline_filters_search_screenshot(open_page):
    nodes, edges = synthetic(80, 140)
    opened = open_page(viz.render(nodes, edges, title="Derbyshire Constabulary \u2013 PEEL 2021/22 (synthetic)"))
    page = opened.page
    assert page.evaluate("() => [peelgraphNodes.length, peelgraphEdges.length]") == [80, 140]
    assert page.evaluate("() => peelgraphNetwork.physics.options.enabled") is False  # stabilised, then off
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viz-synthetic.png"))
    assert page.locator("#pg-kinds input[type=checkbox]").count() == 15
    assert page.locator("#pg-grades .pg-item").count() == 6

    # tooltip: label, kind, grade, area and quote, as text
    judgment = next(n for n in nodes if n["kind"] == "judgment")
    tip = hover_node(page, judgment["id"])
    for part in (judgment["label"], "Judgment", judgment["grade"], judgment["area"], judgment["quote"]):
        assert part in tip

    # filter by kind: unticking "Area for improvement" hides those nodes and their links
    afi = {n["id"] for n in nodes if n["kind"] == "afi"}
    page.locator("#pg-kinds input[data-kind=afi]").uncheck()
    assert page.evaluate(VISIBLE_NODES) == 80 - len(afi)
    assert page.evaluate(VISIBLE_EDGES) == sum(1 for e in edges if e["source"] not in afi and e["target"] not in afi)
    assert page.evaluate("() => peelgraphNodes.get({filter: n => n.kind === 'afi' && !n.hidden}).length") == 0
    page.locator("#pg-kinds-all").click()
    assert page.evaluate(VISIBLE_NODES) == 80

    # filter by area
    area = "Investigating crime"
    page.select_option("#pg-area", label=area)
    in_area = {n["id"] for n in nodes if n.get("area") == area or (n["kind"] == "area" and n["label"] == area)}
    assert page.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden}).map(n => n.id).sort()") == sorted(
        in_area)
    page.select_option("#pg-area", value="")
    assert page.evaluate(VISIBLE_NODES) == 80

    # search by label text focuses and selects the node
    target = next(n for n in nodes if n["kind"] == "metric")
    page.fill("#pg-search", target["label"].upper())
    page.press("#pg-search", "Enter")
    assert page.evaluate("() => peelgraphNetwork.getSelectedNodes()") == [target["id"]]
    assert "Match 1 of 1" in page.locator("#pg-status").text_content()
    # ... and by a phrase of a quote
    page.fill("#pg-search", "handles metric number")
    page.locator("#pg-search-go").click()
    assert page.evaluate("() => peelgraphNetwork.getSelectedNodes()")[0].startswith(
        "https://peelgraph.example/id/metric/")
    page.fill("#pg-search", "no such thing anywhere")
    page.press("#pg-search", "Enter")
    assert "No visible node matches" in page.locator("#pg-status").text_content()
    opened.check_clean()


def test_hostile_text_stays_text(open_page):
    nodes, edges = hostile()
    opened = open_page(viz.render(nodes, edges, title=HOSTILE_IMG + HOSTILE_END))
    page = opened.page
    assert page.evaluate("() => [peelgraphNodes.length, peelgraphEdges.length]") == [len(nodes), len(edges)]
    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => document.querySelectorAll('img, a, iframe, object, embed').length") == 0
    assert page.evaluate("() => document.scripts.length") == 3
    assert page.locator("#pg-title").text_content() == HOSTILE_IMG + HOSTILE_END
    assert page.title() == HOSTILE_IMG + HOSTILE_END

    # the tooltip elements hold the hostile strings as text nodes, with no markup inside
    img, end = nodes[5], nodes[6]
    titles = page.evaluate(
        "(ids) => ids.map(id => { const t = peelgraphNodes.get(id).title;"
        " return [t instanceof HTMLElement, t.textContent, t.querySelectorAll('img,script,a').length]; })",
        [img["id"], end["id"]])
    assert titles[0][0] and HOSTILE_IMG in titles[0][1] and HOSTILE_SCRIPT in titles[0][1] and titles[0][2] == 0
    assert titles[1][0] and HOSTILE_HREF in titles[1][1] and HOSTILE_END in titles[1][1] and titles[1][2] == 0
    edge_tip = page.evaluate("() => peelgraphEdges.get({filter: e => e.name.includes('href')})[0].title.textContent")
    assert HOSTILE_HREF in edge_tip and HOSTILE_IMG in edge_tip

    # shown for real: hover the node and read the tooltip that vis-network puts in the page
    tip = hover_node(page, img["id"])
    assert HOSTILE_IMG in tip and HOSTILE_SCRIPT in tip
    assert page.evaluate("() => document.querySelectorAll('div.vis-tooltip img, div.vis-tooltip script').length") == 0
    tip = hover_node(page, end["id"])
    assert HOSTILE_HREF in tip and HOSTILE_END in tip

    # hostile area name in the area filter, and search for hostile text
    assert HOSTILE_IMG in page.locator("#pg-area option").all_text_contents()
    page.fill("#pg-search", "onerror")
    page.press("#pg-search", "Enter")
    assert page.evaluate("() => peelgraphNetwork.getSelectedNodes()") == [img["id"]]
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__pwned") is None
    opened.check_clean()


def test_trace_view(open_page):
    nodes, edges = synthetic(80, 140)
    focus = {edges[0]["source"], edges[0]["target"], edges[1]["target"]}
    opened = open_page(viz.render(nodes, edges, title="trace", focus=focus))
    page = opened.page
    assert page.locator("#pg-trace-toggle").is_visible()
    assert page.evaluate(VISIBLE_NODES) == 80
    page.locator("#pg-trace-only").check()
    assert page.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden}).map(n => n.id).sort()") == sorted(focus)
    page.screenshot(path=str(ARTIFACTS / "viz-trace.png")) if ARTIFACTS.is_dir() else None
    opened.check_clean()


def test_five_thousand_nodes_page(open_page):
    nodes, edges = synthetic(5000, 10000)
    opened = open_page(viz.render(nodes, edges, title="5,000 nodes"))
    page = opened.page
    assert page.evaluate("() => [peelgraphNodes.length, peelgraphEdges.length]") == [5000, 10000]
    assert page.evaluate("() => peelgraphNetwork.physics.options.enabled") is False
    page.locator("#pg-kinds-none").click()
    assert page.evaluate(VISIBLE_NODES) == 0 and page.evaluate(VISIBLE_EDGES) == 0
    page.locator("#pg-kinds-all").click()
    assert page.evaluate(VISIBLE_NODES) == 5000
    opened.check_clean()


@pytest.mark.parametrize("size", [0, 1, 2])
def test_tiny_graphs_become_ready(open_page, size):
    nodes = [{"id": f"urn:n{i}", "label": f"Node {i}", "kind": "finding"} for i in range(size)]
    edges = [{"source": "urn:n0", "target": "urn:n1", "kind": "causal", "label": "causes"}] if size == 2 else []
    opened = open_page(viz.render(nodes, edges, title="tiny"))
    assert opened.page.evaluate("() => [peelgraphNodes.length, peelgraphEdges.length]") == [size, len(edges)]
    opened.check_clean()


def test_same_records_same_picture(open_page):
    """The fixed layout seed makes the browser's layout repeatable, not only the HTML bytes."""
    nodes, edges = synthetic(60, 100)
    html = viz.render(nodes, edges, title="twice")
    positions = []
    for name in ("one.html", "two.html"):
        opened = open_page(html, name=name)
        positions.append(opened.page.evaluate("() => peelgraphNetwork.getPositions()"))
        opened.check_clean()
    assert positions[0] == positions[1] and len(positions[0]) == 60


# ---- end to end: reports built into a store, drawn by `peelgraph viz` ----

def test_seed_page_shows_every_kind(open_page, open_seed_store):
    from peelgraph.view import page, records

    nodes, edges = records(open_seed_store)
    opened = open_page(page(open_seed_store), name="seed.html")
    p = opened.page
    distinct = len({(e['source'], e['target'], e['kind'], e['label'], e['quote'], e['modality']) for e in edges})
    summed = p.evaluate("() => peelgraphEdges.get({filter: e => !!e.count}).length")
    assert summed > 0  # the overview's arrows, one per factor and area, on top of every record
    assert p.evaluate("() => [peelgraphNodes.length, peelgraphEdges.length]") == [len(nodes), distinct + summed]
    kinds = set(p.evaluate("() => peelgraphNodes.get().map(n => n.kind)"))
    assert {"area", "judgment", "afi", "finding", "metric", "standard", "factor", "condition", "team", "initiative"} <= kinds
    labels = p.evaluate("() => peelgraphNodes.get({filter: n => n.kind === 'judgment'}).map(n => n.name)")
    assert "Investigating crime: Requires improvement" in labels
    if ARTIFACTS.is_dir() or ARTIFACTS.parent.is_dir():
        ARTIFACTS.mkdir(exist_ok=True)
        p.screenshot(path=str(ARTIFACTS / "seed.png"))
    opened.check_clean()


def test_seed_page_dashes_hedged_and_predicted_claims(open_page, open_seed_store):
    from peelgraph.view import page

    opened = open_page(page(open_seed_store), name="seed-modality.html")
    edges = opened.page.evaluate(
        "() => peelgraphEdges.get({filter: e => e.kind === 'causal' && !!e.modality})"
        ".map(e => [e.modality, e.dashes, e.title.textContent])")
    assert {m for m, _, _ in edges} == {"asserted", "hedged", "predicted"}
    for modality, dashed, tip in edges:
        assert dashed is (modality != "asserted")
        assert (f"causal link \u00b7 {modality}" in tip) is (modality != "asserted"), tip
    legend = opened.page.locator("#pg-edge-kinds").text_content()
    assert "hedged or predicted (dashed arrow)" in legend
    opened.check_clean()


def test_seed_trace_page_focuses_vacancy_paths(open_page, open_seed_store):
    from peelgraph.view import page

    opened = open_page(page(open_seed_store, "neighbourhood vacancies"), name="trace.html")
    p = opened.page
    assert not p.locator("#pg-trace-toggle").is_visible()  # a trace page opens on the trace alone
    shown = p.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden}).map(n => n.name)")
    assert "Preventing crime and anti-social behaviour: Adequate" in shown
    assert "Engaging with and treating the public with fairness and respect: Adequate" in shown
    assert "Neighbourhood policing vacancies" in shown
    if ARTIFACTS.is_dir():
        p.screenshot(path=str(ARTIFACTS / "seed-trace.png"))
    opened.check_clean()


def test_hostile_report_renders_as_text(open_page, seed_text, tmp_path):
    import variants as v

    from peelgraph import store
    from peelgraph.build import build
    from peelgraph.view import page

    report = tmp_path / "hostile.txt"
    # the paragraph's <script> makes it end without a full stop, so it reads as a heading with a body: a node
    report.write_text(v.hostile(seed_text).replace("alert(1)", "window.__pwned=1"), encoding="utf-8")
    build([report], tmp_path / "store")
    opened = open_page(page(store.open_store(tmp_path / "store")), name="hostile.html")
    p = opened.page
    dialogs = []
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    hit = p.evaluate("() => peelgraphNodes.get({filter: n => n.name.includes('<script>')}).map(n => n.id)")
    assert hit, "the hostile text became a node"
    assert p.evaluate("(id) => peelgraphReveal(id)", hit[0]), "the node is in the view of its area"
    tip = hover_node(p, hit[0])
    assert "<script>window.__pwned=1</script>" in tip and "href" in tip
    assert p.evaluate("() => document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert p.evaluate("() => window.__pwned") is None and dialogs == []
    opened.check_clean()


# ---- legibility: the seed's overview, an area opened, and the trace, in a 1600x1000 window ----

def legible(page, max_nodes: int | None = None) -> dict:
    """Measure the page as drawn and assert what a reader needs: every visible node inside the graph pane
    (which is inside the window), no two visible labels overlapping, labels drawn as wrapped, text >= 10 px."""
    m = page.evaluate(MEASURE)
    assert m["window"] == [SCREEN["width"], SCREEN["height"]]
    pane = m["rect"]
    assert 0 <= pane["l"] and 0 <= pane["t"] and pane["r"] <= SCREEN["width"] and pane["b"] <= SCREEN["height"]
    assert m["boxes"], "something is drawn"
    if max_nodes is not None:
        assert len(m["boxes"]) <= max_nodes
    outside = [b["name"] for b in m["boxes"]
               if not (pane["l"] <= b["node"]["l"] and b["node"]["r"] <= pane["r"]
                       and pane["t"] <= b["node"]["t"] and b["node"]["b"] <= pane["b"])]
    assert outside == [], f"outside the viewport: {outside}"
    assert m["overlaps"] == [], f"{len(m['overlaps'])} overlapping label pairs, e.g. {m['overlaps'][:3]}"
    assert [b["name"] for b in m["boxes"] if b["lines"] != b["drawn"]] == []
    assert m["scale"] * layout.BOX_FONT >= 10, f"labels drawn at {m['scale'] * layout.BOX_FONT:.1f} px"
    return m


def dom_point(page, node_id: str) -> dict:
    pos = page.evaluate("(id) => peelgraphNetwork.canvasToDOM(peelgraphNetwork.getPosition(id))", node_id)
    box = page.locator("#pg-network").bounding_box()
    return {"x": box["x"] + pos["x"], "y": box["y"] + pos["y"]}


HEADER = """() => {
  const bar = document.getElementById("pg-bar").getBoundingClientRect();
  const parts = ["pg-title", "pg-status", "pg-search", "pg-search-go", "pg-area", "pg-view"].map(id => {
    const r = document.getElementById(id).getBoundingClientRect();
    return {id: id, l: r.left, r: r.right, t: r.top, b: r.bottom};
  });
  const title = document.getElementById("pg-title");
  return {height: bar.height, width: window.innerWidth, parts: parts, titleCut: title.scrollWidth > title.clientWidth};
}"""


@pytest.mark.parametrize("width", [480, 800])
def test_header_fits_a_narrow_window(open_page, open_seed_store, width):
    """On a narrow window the header keeps to three rows (title and status; search and area; the view's title),
    nothing in it runs past the window's edge and nothing overlaps."""
    from peelgraph.view import page

    p = open_page(page(open_seed_store), name="narrow.html", viewport={"width": width, "height": 800}).page
    h = p.evaluate(HEADER)
    assert h["height"] <= 120, h
    boxes = {b["id"]: b for b in h["parts"]}
    assert all(0 <= b["l"] and b["r"] <= h["width"] for b in h["parts"]), h["parts"]
    for a in h["parts"]:
        for b in h["parts"]:
            if a["id"] < b["id"]:
                assert not (a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]), (a, b)
    title, status, search, area = (boxes[k] for k in ("pg-title", "pg-status", "pg-search", "pg-area"))
    assert abs(title["t"] - status["t"]) < 12 and search["t"] > title["b"] - 4 and abs(search["t"] - area["t"]) < 6
    assert boxes["pg-view"]["t"] >= search["b"] - 2
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / f"seed-narrow-{width}.png"))


def test_seed_overview_is_legible_and_opens_an_area(open_page, open_seed_store):
    from peelgraph.view import page

    opened = open_page(page(open_seed_store), name="overview.html", viewport=SCREEN)
    p = opened.page
    m = legible(p, max_nodes=60)
    kinds = p.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden}).map(n => n.kind)")
    assert kinds.count("judgment") == 14 and set(kinds) == {"judgment", "factor"}
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "seed-overview.png"))
    # the summed arrows: width grows with the claims, the tooltip quotes them (as text, in a DOM element)
    arrows = p.evaluate("() => peelgraphEdges.get({filter: e => !e.hidden}).map(e => [e.count, e.width, e.quote,"
                        " e.title.textContent, e.title.querySelectorAll('*:not(div):not(blockquote)').length])")
    assert arrows and all(count >= 1 for count, *_ in arrows)
    for count, width, quote, tip, foreign in arrows:
        assert quote in tip and f"{count} claim" in tip and foreign == 0
    assert sorted(arrows)[0][1] < sorted(arrows)[-1][1]
    assert "Legend" in p.locator("#pg-legend").text_content() and p.locator("#pg-kinds input").count() >= 10

    # click "Investigating crime": its AFIs, findings, figures and causes, laid out left to right
    crime = p.evaluate("() => peelgraphNodes.get({filter: n => n.name === 'Investigating crime: Requires improvement'})[0].id")
    at = dom_point(p, crime)
    p.mouse.click(at["x"], at["y"])
    p.wait_for_function("(id) => peelgraphView() === 'area:' + id", arg=crime)
    shown = p.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden}).map(n => [n.id, n.kind])")
    kinds = {k for _, k in shown}
    assert {"judgment", "afi", "finding", "metric", "condition", "factor"} <= kinds
    afis = p.evaluate("(id) => peelgraphEdges.get({filter: e => e.from === id && e.name === 'has AFI'}).map(e => e.to)", crime)
    assert afis and set(afis) <= {i for i, _ in shown}
    legible(p, max_nodes=120)
    p.screenshot(path=str(ARTIFACTS / "seed-area.png"))
    assert "Investigating crime" in p.locator("#pg-view").text_content() and p.locator("#pg-back").is_visible()
    # the filters still work inside the view
    p.locator("#pg-kinds input[data-kind=metric]").uncheck()
    assert p.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden && n.kind === 'metric'}).length") == 0
    p.locator("#pg-kinds input[data-kind=metric]").check()
    assert "metric" in p.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden}).map(n => n.kind)")

    # click a factor: its chains
    factor = next(i for i, k in shown if k == "factor")
    at = dom_point(p, factor)
    p.mouse.click(at["x"], at["y"])
    p.wait_for_function("(id) => peelgraphView() === 'factor:' + id", arg=factor)
    chain = p.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden}).map(n => n.kind)")
    assert chain.count("factor") == 1 and "condition" in chain and "judgment" in chain
    legible(p)
    p.screenshot(path=str(ARTIFACTS / "seed-factor.png"))
    p.locator("#pg-back").click()
    assert p.evaluate("() => peelgraphView()") == "overview" and p.evaluate(VISIBLE_NODES) == len(m["boxes"])
    opened.check_clean()


def test_seed_trace_reads_left_to_right(open_page, open_seed_store):
    from peelgraph.trace import trace
    from peelgraph.view import page

    result = trace(open_seed_store, "neighbourhood vacancies")
    opened = open_page(page(open_seed_store, "neighbourhood vacancies"), name="trace-flow.html", viewport=SCREEN)
    p = opened.page
    legible(p)
    steps = {s["iri"] for a in result["areas"] for path in a["paths"] for s in path}
    assert sorted(p.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden}).map(n => n.id)")) == sorted(steps)
    x = {i: dom_point(p, i)["x"] for i in steps}
    for a in result["areas"]:
        for path in a["paths"]:
            xs = [x[s["iri"]] for s in path]
            assert all(u < v for u, v in zip(xs, xs[1:])), [s["node"] for s in path]
            for before, step in zip(path, path[1:]):
                if step.get("cue"):  # each causal step drawn with its cue, dashed unless asserted
                    e = p.evaluate("([a, b]) => peelgraphEdges.get({filter: e => e.from === a && e.to === b && !!e.modality"
                                   " && !e.hidden}).map(e => [e.label, e.dashes, e.modality])", [before["iri"], step["iri"]])
                    assert [step["cue"], step["modality"] != "asserted", step["modality"]] in [list(t) for t in e]
    names = dict(p.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden}).map(n => [n.id, n.name])"))
    right = max(x.values())
    at_right = {names[i] for i, v in x.items() if abs(v - right) < 1}
    assert at_right == {"Engaging with and treating the public with fairness and respect: Adequate",
                        "Preventing crime and anti-social behaviour: Adequate", "Reducing crime assessment: ungraded"}
    assert any(s.get("modality") == "predicted" for a in result["areas"] for path in a["paths"] for s in path)
    # the header's title in full, and the trace spread over the pane's height, not a thin band across it
    assert not p.evaluate(HEADER)["titleCut"] and "neighbourhood vacancies" in p.locator("#pg-title").text_content()
    m = p.evaluate(MEASURE)
    top, bottom = min(b["node"]["t"] for b in m["boxes"]), max(b["node"]["b"] for b in m["boxes"])
    assert bottom - top >= 0.4 * (m["rect"]["b"] - m["rect"]["t"]), (top, bottom, m["rect"])
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "seed-trace-flow.png"))

    # "Show in context": the whole graph comes back, faded, under the trace
    total = p.evaluate("() => peelgraphNodes.length")
    p.locator("#pg-context").check()
    assert p.evaluate(VISIBLE_NODES) == total
    faded = p.evaluate("() => peelgraphNodes.get({filter: n => !n.focus}).map(n => n.opacity)")
    assert len(faded) == total - len(steps) and all(o < 1 for o in faded)
    p.screenshot(path=str(ARTIFACTS / "seed-trace-context.png"))
    p.locator("#pg-context").uncheck()
    assert p.evaluate(VISIBLE_NODES) == len(steps)
    opened.check_clean()


# ---- the national page of a 20-report store ----

@pytest.fixture(scope="module")
def twenty_reports(tmp_path_factory):
    from viz_samples import national_reports

    from peelgraph import store
    from peelgraph.build import build

    folder = tmp_path_factory.mktemp("national")
    build([national_reports(folder / "reports")], folder / "store")
    return store.open_store(folder / "store")


def test_national_page_of_twenty_reports(open_page, twenty_reports):
    from peelgraph.national import page, records

    record = records(twenty_reports)
    assert len(record["forces"]) == 20
    opened = open_page(page(twenty_reports), name="national.html", viewport=SCREEN)
    p = opened.page
    assert p.locator("#pg-grades tbody tr").count() == 20 and p.locator("#pg-causes tbody tr").count() == 20
    assert p.locator("#pg-grades thead th").count() == 1 + len(record["areas"])
    # colour by grade, as text too: "RI" on the Requires improvement colour
    cell = p.evaluate("() => { const t = [...document.querySelectorAll('#pg-grades td')].find(td => td.textContent === 'RI');"
                      " return [getComputedStyle(t).backgroundColor, t.title]; }")
    assert cell[0] == "rgb(239, 108, 0)" and "Requires improvement" in cell[1]
    # sort by Investigating crime: the poorest grades first
    col = record["areas"].index("Investigating crime")
    p.locator("#pg-grades thead th").nth(1 + col).click()
    first = p.evaluate(f"() => [...document.querySelectorAll('#pg-grades tbody tr')].map(r => r.cells[{1 + col}].textContent)")
    rank = {"I": 1, "RI": 2, "A": 3, "G": 4, "O": 5}
    assert [rank.get(g, 9) for g in first] == sorted(rank.get(g, 9) for g in first) and first[0] == "I"
    # each force opens its report's network page
    hrefs = p.evaluate("() => [...document.querySelectorAll('#pg-grades tbody th a')].map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == sorted(f["href"] for f in record["forces"])
    # pointing at a root-cause cell shows the sentences behind it, as text
    cause = record["causes"][0]
    force = next(f for f in record["forces"] if f["id"] in cause["cells"])
    row = [f["label"] for f in record["forces"]].index(force["label"])
    p.locator("#pg-causes tbody tr").nth(row).locator("td").nth(0).hover()
    body = p.locator("#pg-detail-body").text_content()
    assert cause["label"] in body and force["label"] in body
    assert all(" ".join(record["quotes"][i].split()) in " ".join(body.split()) for i in cause["cells"][force["id"]]["claims"])
    assert p.evaluate("() => document.querySelectorAll('#pg-detail-body *:not(h3):not(div):not(blockquote)').length") == 0
    # every rotated column heading is read in full: wrapped, never cut, inside its column's heading
    cut = p.evaluate("""() => [...document.querySelectorAll('th.pg-rot span')].filter(s => {
      const r = s.getBoundingClientRect(), th = s.parentElement.getBoundingClientRect();
      return s.scrollHeight > s.clientHeight + 1 || s.scrollWidth > s.clientWidth + 1 || r.top < th.top - 1
        || r.bottom > th.bottom + 1 || r.left < th.left - 1 || r.right > th.right + 1; }).map(s => s.textContent)""")
    assert cut == [] and p.locator("th.pg-rot span").count() == len(record["areas"]) + len(record["causes"])
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "national-20.png"))
    opened.check_clean()


def test_national_matrix_cell_opens_that_forces_chains(browser, twenty_reports, tmp_path):
    """A click on a cell of the root causes x forces matrix opens that force's report page, at the view of the
    factor's chains in that report; only the two pages' own files may load."""
    from peelgraph.national import records
    from peelgraph.view import write_national

    out = write_national(twenty_reports, tmp_path / "site" / "index.html")
    record = records(twenty_reports)
    cause = record["causes"][0]
    force = next(f for f in record["forces"] if cause["cells"].get(f["id"], {}).get("poor"))
    own = {p.resolve().as_uri() for p in out.parent.iterdir()}
    requests, errors = [], []
    page = browser.new_page()
    page.set_viewport_size(SCREEN)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.route("**/*", lambda r: r.continue_() if r.request.url.split("#")[0] in own else (requests.append(r.request.url), r.abort()))
    try:
        page.goto(out.resolve().as_uri())
        page.wait_for_function(READY, timeout=90_000)
        row = [f["id"] for f in record["forces"]].index(force["id"])
        link = page.locator("#pg-causes tbody tr").nth(row).locator("td").nth(0).locator("a")
        assert link.text_content() == str(cause["cells"][force["id"]]["poor"])
        link.click()
        page.wait_for_url("**/" + force["href"] + "#*")
        page.wait_for_function(READY, timeout=90_000)
        assert page.evaluate("() => window.peelgraphView()") == "factor:" + cause["id"]
        shown = page.evaluate("() => peelgraphNodes.get({filter: n => !n.hidden}).map(n => [n.id, n.kind, n.name])")
        ids = {i for i, _, _ in shown}
        assert cause["id"] in ids  # the factor, left
        judged = {name for _, kind, name in shown if kind == "judgment"}
        assert judged and all(i.startswith(force["id"] + "/") for i, kind, _ in shown if kind == "judgment")
        # the areas the cell counts are the judgments at the right of the force's chains
        assert {a.split(": ")[0] for a in cause["cells"][force["id"]]["areas"]} == {n.split(": ")[0] for n in judged}
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "national-cell-opened.png"))
    finally:
        page.close()
    assert requests == [] and errors == []
