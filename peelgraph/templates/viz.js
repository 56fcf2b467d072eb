/* peelgraph viz: builds the page from the JSON payload. Report text only ever reaches the DOM through
   textContent / property assignment, never as markup. */
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("peelgraph-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var byId = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  var kindNames = {};
  payload.legend.kinds.forEach(function (k) { kindNames[k.kind] = k.name; });
  var nodeNames = {};
  payload.nodes.forEach(function (n) { nodeNames[n.id] = n.name; });

  function nodeTip(n) {
    var tip = el("div", "pg-tip");
    tip.appendChild(el("div", "pg-tip-title", n.name));
    var meta = [kindNames[n.kind] || n.kind];
    if (n.grade) meta.push(n.grade);
    tip.appendChild(el("div", "pg-tip-meta", meta.join(" \u00b7 ")));
    if (n.area) tip.appendChild(el("div", "pg-tip-meta", "Area: " + n.area));
    if (n.note) tip.appendChild(el("div", "pg-tip-meta", n.note));
    if (payload.opens && payload.opens[n.id]) tip.appendChild(el("div", "pg-tip-meta", "Click to open."));
    if (n.quote) tip.appendChild(el("blockquote", "pg-tip-quote", n.quote));
    if (n.page) tip.appendChild(el("div", "pg-tip-meta", "Report page " + n.page));
    tip.appendChild(el("div", "pg-tip-id", n.id));
    return tip;
  }

  function edgeTip(e) {
    var tip = el("div", "pg-tip");
    tip.appendChild(el("div", "pg-tip-title", e.name));
    tip.appendChild(el("div", "pg-tip-meta", nodeNames[e.from] + " \u2192 " + nodeNames[e.to]));
    tip.appendChild(el("div", "pg-tip-meta", e.kind + " link" + (e.modality && e.modality !== "asserted" ? " \u00b7 " + e.modality : "") +
      (e.count ? " \u00b7 " + e.count + (e.count === 1 ? " claim" : " claims") + ", their sentences:" : "")));
    if (e.quote) tip.appendChild(el("blockquote", "pg-tip-quote", e.quote));
    if (e.page) tip.appendChild(el("div", "pg-tip-meta", "Report page " + e.page));
    return tip;
  }

  /* ---- views: each a set of nodes with their positions; the first is shown on opening ---- */
  var views = payload.views || null, viewByKey = {}, current = views ? views[0] : null;
  var contextBox = byId("pg-context");
  if (views) views.forEach(function (v) { viewByKey[v.key] = v; });
  function inView(n) {
    if (!current) return true;
    if (Object.prototype.hasOwnProperty.call(current.pos, n.id)) return true;
    return current.context && contextBox.checked && Object.prototype.hasOwnProperty.call(payload.ctx, n.id);
  }
  function edgeInView(e) {
    if (!current) return true;
    if (current.summary) return !!e.count;
    return !e.count && (e.kind !== "thematic" || (current.context && contextBox.checked));
  }

  payload.nodes.forEach(function (n) { n.title = nodeTip(n); n.hidden = !inView(n); });
  var startHidden = {};
  payload.nodes.forEach(function (n) { startHidden[n.id] = n.hidden; });
  payload.edges.forEach(function (e) {
    e.title = edgeTip(e);
    e.hidden = !edgeInView(e) || startHidden[e.from] || startHidden[e.to];
  });

  var nodes = new vis.DataSet(payload.nodes);
  var edges = new vis.DataSet(payload.edges);
  var network = new vis.Network(byId("pg-network"), { nodes: nodes, edges: edges }, payload.options);
  window.peelgraphNetwork = network;
  window.peelgraphNodes = nodes;
  window.peelgraphEdges = edges;
  window.peelgraphReady = false;
  window.peelgraph = { network: network, nodes: nodes, edges: edges };

  /* ---- legend ---- */
  function shapeIcon(shape, colour, dim) {
    var s = document.createElementNS(SVG, "svg");
    s.setAttribute("width", dim); s.setAttribute("height", dim); s.setAttribute("viewBox", "0 0 14 14");
    var p;
    if (shape === "dot") {
      p = document.createElementNS(SVG, "circle");
      p.setAttribute("cx", "7"); p.setAttribute("cy", "7"); p.setAttribute("r", "5.5");
    } else {
      var pts = {
        square: "1.5,1.5 12.5,1.5 12.5,12.5 1.5,12.5",
        diamond: "7,0.8 13.2,7 7,13.2 0.8,7",
        triangle: "7,1 13.2,12.5 0.8,12.5",
        triangleDown: "0.8,1.5 13.2,1.5 7,13",
        hexagon: "7,0.8 12.6,4 12.6,10 7,13.2 1.4,10 1.4,4",
        star: "7,0.6 8.7,5 13.4,5.2 9.7,8.1 11,12.8 7,10.1 3,12.8 4.3,8.1 0.6,5.2 5.3,5"
      }[shape] || "1.5,1.5 12.5,1.5 12.5,12.5 1.5,12.5";
      p = document.createElementNS(SVG, "polygon");
      p.setAttribute("points", pts);
    }
    p.setAttribute("fill", colour);
    s.appendChild(p);
    return s;
  }

  function lineIcon(colour, dashed, arrow, wide) {
    var s = document.createElementNS(SVG, "svg");
    s.setAttribute("width", "28"); s.setAttribute("height", "12"); s.setAttribute("viewBox", "0 0 28 12");
    var l = document.createElementNS(SVG, "line");
    l.setAttribute("x1", "1"); l.setAttribute("y1", "6"); l.setAttribute("x2", arrow ? "20" : "27"); l.setAttribute("y2", "6");
    l.setAttribute("stroke", colour); l.setAttribute("stroke-width", wide ? "5" : "2");
    if (dashed) l.setAttribute("stroke-dasharray", "4 3");
    s.appendChild(l);
    if (arrow) {
      var h = document.createElementNS(SVG, "polygon");
      h.setAttribute("points", "19,2 27,6 19,10");
      h.setAttribute("fill", colour);
      s.appendChild(h);
    }
    return s;
  }

  var kindBoxes = [];
  payload.legend.kinds.forEach(function (k) {
    var row = el("label", "pg-item");
    var box = el("input");
    box.type = "checkbox"; box.checked = true; box.value = k.kind; box.dataset.kind = k.kind;
    box.addEventListener("change", applyFilters);
    kindBoxes.push(box);
    row.appendChild(box);
    row.appendChild(shapeIcon(k.shape, k.colour, 14));
    row.appendChild(el("span", null, k.name));
    row.appendChild(el("span", "pg-count", k.count));
    byId("pg-kinds").appendChild(row);
  });
  function setAllKinds(on) { kindBoxes.forEach(function (b) { b.checked = on; }); applyFilters(); }
  byId("pg-kinds-all").addEventListener("click", function () { setAllKinds(true); });
  byId("pg-kinds-none").addEventListener("click", function () { setAllKinds(false); });

  payload.legend.grades.forEach(function (g) {
    var row = el("div", "pg-item");
    var sw = el("span", "pg-swatch");
    sw.style.background = g.colour;
    row.appendChild(sw);
    row.appendChild(el("span", null, g.name));
    byId("pg-grades").appendChild(row);
  });
  payload.legend.edges.forEach(function (e) {
    var row = el("div", "pg-item");
    row.appendChild(lineIcon(e.colour, e.dashed, e.arrow, e.wide));
    row.appendChild(el("span", null, e.name));
    byId("pg-edge-kinds").appendChild(row);
  });

  /* ---- filters ---- */
  var areaSelect = byId("pg-area");
  payload.areas.forEach(function (a, i) {
    var o = el("option", null, a);
    o.value = String(i);
    areaSelect.appendChild(o);
  });
  if (payload.noArea) {
    var none = el("option", null, "(no area)");
    none.value = "none";
    areaSelect.appendChild(none);
  }
  function applyAndFit() {
    applyFilters();
    var shown = payload.nodes.filter(function (n) { return !hiddenNode[n.id]; }).map(function (n) { return n.id; });
    if (shown.length) network.fit({ nodes: shown, animation: { duration: 300, easingFunction: "easeInOutQuad" } });
  }
  areaSelect.addEventListener("change", applyAndFit);
  var traceOnly = byId("pg-trace-only");
  if (payload.focus.length && !views) {
    byId("pg-trace-toggle").hidden = false;
    traceOnly.addEventListener("change", applyAndFit);
  }

  var hiddenNode = startHidden, hiddenEdge = {}, visibleCount = 0;
  payload.edges.forEach(function (e) { hiddenEdge[e.id] = e.hidden; });
  payload.nodes.forEach(function (n) { if (!n.hidden) visibleCount += 1; });

  function applyFilters() {
    var kinds = {};
    kindBoxes.forEach(function (b) { if (b.checked) kinds[b.value] = true; });
    var area = areaSelect.value, wantedArea = area === "" || area === "none" ? null : payload.areas[Number(area)];
    var onlyTrace = traceOnly.checked;
    var nodeChanges = [], edgeChanges = [];
    visibleCount = 0;
    payload.nodes.forEach(function (n) {
      var show = kinds[n.kind] === true &&
        (area === "" || (area === "none" ? !n.areaKey : n.areaKey === wantedArea)) &&
        (!onlyTrace || n.focus === true) && inView(n);
      if (show) visibleCount += 1;
      if (!!hiddenNode[n.id] === show) {
        hiddenNode[n.id] = !show;
        nodeChanges.push({ id: n.id, hidden: !show });
      }
    });
    payload.edges.forEach(function (e) {
      var hide = hiddenNode[e.from] === true || hiddenNode[e.to] === true || !edgeInView(e);
      if (!!hiddenEdge[e.id] !== hide) {
        hiddenEdge[e.id] = hide;
        edgeChanges.push({ id: e.id, hidden: hide });
      }
    });
    if (nodeChanges.length) nodes.update(nodeChanges);
    if (edgeChanges.length) edges.update(edgeChanges);
    showCounts();
  }

  function showCounts(extra) {
    var shownEdges = payload.edges.length - Object.keys(hiddenEdge).filter(function (k) { return hiddenEdge[k]; }).length;
    var text = visibleCount + " of " + payload.nodes.length + " nodes \u00b7 " + shownEdges + " links";
    byId("pg-status").textContent = extra ? extra + " \u00b7 " + text : text;
  }

  /* ---- search ---- */
  var searchBox = byId("pg-search"), lastQuery = null, matches = [], matchAt = 0;
  var datalist = byId("pg-search-list"), seenLabels = {};
  payload.nodes.slice().sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; })
    .forEach(function (n) {
      if (seenLabels[n.name]) return;
      seenLabels[n.name] = true;
      var o = document.createElement("option");
      o.value = n.name;
      datalist.appendChild(o);
    });

  function rank(n, q) {
    var name = n.name.toLowerCase();
    if (name === q) return 0;
    if (name.indexOf(q) === 0) return 1;
    if (name.indexOf(q) >= 0) return 2;
    if (n.id.toLowerCase().indexOf(q) >= 0) return 3;
    if (n.quote && n.quote.toLowerCase().indexOf(q) >= 0) return 4;
    return -1;
  }

  function search() {
    var q = searchBox.value.trim().toLowerCase();
    if (!q) return;
    if (q === lastQuery && matches.length) {
      matchAt = (matchAt + 1) % matches.length;
    } else {
      lastQuery = q; matchAt = 0;
      matches = payload.nodes.filter(function (n) { return !hiddenNode[n.id] || viewOf(n.id) !== null; })
        .map(function (n) { return { id: n.id, r: rank(n, q), name: n.name }; })
        .filter(function (m) { return m.r >= 0; })
        .sort(function (a, b) { return a.r - b.r || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0); });
    }
    if (!matches.length) {
      network.unselectAll();
      showCounts("No visible node matches \u201c" + searchBox.value.trim() + "\u201d");
      return;
    }
    var id = matches[matchAt].id;
    if (hiddenNode[id] && viewOf(id) !== null) setView(viewOf(id));
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    showCounts("Match " + (matchAt + 1) + " of " + matches.length);
  }
  searchBox.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); search(); } });
  byId("pg-search-go").addEventListener("click", search);

  /* ---- switching views ---- */
  function viewOf(id) {
    if (!views) return null;
    if (Object.prototype.hasOwnProperty.call(current.pos, id)) return current.key;
    if (payload.opens[id]) return payload.opens[id];
    for (var i = 0; i < views.length; i++) if (Object.prototype.hasOwnProperty.call(views[i].pos, id)) return views[i].key;
    return null;
  }
  function fitView(animate) {
    var shown = payload.nodes.filter(function (n) { return !hiddenNode[n.id]; }).map(function (n) { return n.id; });
    if (shown.length) network.fit({ nodes: shown, animation: animate ? { duration: 300, easingFunction: "easeInOutQuad" } : false });
  }
  function showView() {
    var moves = [];
    if (current.context && contextBox.checked) {
      Object.keys(payload.ctx).forEach(function (id) { moves.push({ id: id, x: payload.ctx[id][0], y: payload.ctx[id][1] }); });
    }
    Object.keys(current.pos).forEach(function (id) { moves.push({ id: id, x: current.pos[id][0], y: current.pos[id][1] }); });
    nodes.update(moves);
    applyFilters();
    byId("pg-view").textContent = current.title;
    byId("pg-view").title = current.title;
    byId("pg-back").hidden = current === views[0];
    byId("pg-context-toggle").hidden = !current.context;
  }
  function setView(key) {
    current = viewByKey[key];
    network.unselectAll();
    showView();
    fitView(false);
  }
  if (views) {
    byId("pg-view-bar").hidden = false;
    byId("pg-back").addEventListener("click", function () { setView(views[0].key); });
    contextBox.addEventListener("change", function () {  // the view stays in view; zoom out for the rest
      showView();
      network.fit({ nodes: Object.keys(current.pos), animation: false });
    });
    network.on("click", function (p) {
      if (p.nodes.length === 1 && payload.opens[p.nodes[0]] && payload.opens[p.nodes[0]] !== current.key) setView(payload.opens[p.nodes[0]]);
    });
    window.peelgraphView = function (key) { if (key) setView(key); return current.key; };
    window.peelgraphReveal = function (id) { var k = viewOf(id); if (k && k !== current.key) setView(k); return k; };
  }

  /* ---- ready ---- */
  /* a link such as report.html#factor:IRI (the national page's matrix) opens that view, or the view holding that node */
  function linked() {
    var key = "";
    try { key = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { key = ""; }
    if (Object.prototype.hasOwnProperty.call(viewByKey, key)) current = viewByKey[key];
    else if (key.indexOf(":") > 0 && viewOf(key.slice(key.indexOf(":") + 1))) current = viewByKey[viewOf(key.slice(key.indexOf(":") + 1))];
  }
  function ready() {
    if (views) { linked(); showView(); fitView(false); }
    else if (payload.focus.length) network.fit({ nodes: payload.focus, animation: false });
    network.once("afterDrawing", function () {
      window.peelgraphReadyMs = Math.round(performance.now());
      window.peelgraphReady = true;
      document.body.setAttribute("data-ready", "true");
    });
    network.redraw();
    showCounts();
  }
  if (payload.physics && payload.nodes.length) {
    network.on("stabilizationProgress", function (p) {
      byId("pg-status").textContent = "Laying out\u2026 " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      ready();
    });
  } else {
    ready();
  }
})();
