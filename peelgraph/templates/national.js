/* peelgraph national page: builds the tables from the JSON payload; report text only through textContent. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("peelgraph-data").textContent);
  var byId = function (id) { return document.getElementById(id); };
  var RANK = { "Outstanding": 5, "Good": 4, "Adequate": 3, "Requires improvement": 2, "Inadequate": 1 };
  var SHORT = { "Outstanding": "O", "Good": "G", "Adequate": "A", "Requires improvement": "RI", "Inadequate": "I" };
  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function ink(hex) {
    var r = parseInt(hex.substr(1, 2), 16) / 255, g = parseInt(hex.substr(3, 2), 16) / 255, b = parseInt(hex.substr(5, 2), 16) / 255;
    return 0.299 * r + 0.587 * g + 0.114 * b > 0.6 ? "#1b1b1b" : "#ffffff";
  }
  var forceById = {};
  data.forces.forEach(function (f) { forceById[f.id] = f; });
  function forceCell(f) {
    var th = el("th");
    if (f.href) { var a = el("a", null, f.label); a.href = f.href; th.appendChild(a); } else th.textContent = f.label;
    return th;
  }
  function header(table, first, columns, onSort) {
    var tr = el("tr"), th0 = el("th", null, first);
    th0.addEventListener("click", function () { onSort(-1); });
    tr.appendChild(th0);
    columns.forEach(function (c, i) {
      var th = el("th", "pg-rot"), span = el("span", null, c);
      th.title = c;
      th.appendChild(span);
      th.addEventListener("click", function () { onSort(i); });
      tr.appendChild(th);
    });
    table.tHead.appendChild(tr);
  }
  function sortRows(tbody, key, dir) {
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * dir || (a.dataset.label < b.dataset.label ? -1 : 1);
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
  }

  /* grades table */
  var grades = byId("pg-grades"), gbody = grades.tBodies[0], gdir = {};
  data.forces.forEach(function (f) {
    var tr = el("tr");
    tr.dataset.label = f.label;
    tr.dataset.force = f.id;
    tr.appendChild(forceCell(f));
    data.areas.forEach(function (a) {
      var g = (data.grades[f.id] || {})[a] || "", colour = data.colours[g] || data.colours[""];
      var td = el("td", "pg-g", SHORT[g] || (g ? "\u2013" : ""));
      td.style.background = colour; td.style.color = ink(colour);
      td.title = f.label + " \u00b7 " + a + ": " + (g || "no judgment");
      td.dataset.rank = String(RANK[g] || 9);
      tr.appendChild(td);
    });
    gbody.appendChild(tr);
  });
  header(grades, "Force", data.areas, function (i) {
    gdir[i] = -(gdir[i] || -1);
    sortRows(gbody, function (r) { return i < 0 ? r.dataset.label : Number(r.cells[i + 1].dataset.rank); }, gdir[i]);
  });
  Object.keys(data.colours).forEach(function (g) {
    var s = el("span"), sw = el("span", "pg-sw");
    sw.style.background = data.colours[g];
    s.appendChild(sw); s.appendChild(document.createTextNode(g ? (SHORT[g] || "") + " " + g : "\u2013 ungraded or not inspected"));
    byId("pg-key").appendChild(s);
  });

  /* root causes x forces */
  var causes = byId("pg-causes"), cbody = causes.tBodies[0], cdir = {};
  var max = 1;
  data.causes.forEach(function (c) { Object.keys(c.cells).forEach(function (k) { max = Math.max(max, c.cells[k].poor); }); });
  data.forces.forEach(function (f) {
    var tr = el("tr");
    tr.dataset.label = f.label;
    tr.appendChild(forceCell(f));
    data.causes.forEach(function (c) {
      var cell = c.cells[f.id], n = cell ? cell.poor : 0;
      var td = el("td", "pg-c");
      td.dataset.n = String(n);
      if (cell) {
        var shade = Math.round(235 - 150 * n / max);
        td.style.background = n ? "rgb(239," + shade + "," + Math.round(shade * 0.6) + ")" : "#f5f5f5";
        td.title = c.label + " \u00b7 " + f.label + ": " + n + " poor grade" + (n === 1 ? "" : "s") + " reached" +
          (f.href ? "; click to open the force\u2019s page at this factor\u2019s chains" : "");
        var show = function () { detail(f, c, cell); };
        if (f.href) {  /* the force's report page, opened at the factor's view (its chains to the areas they reach) */
          var a = el("a", null, String(n));
          a.href = f.href + "#" + encodeURIComponent("factor:" + c.id);
          a.addEventListener("focus", show);
          td.appendChild(a);
        } else {
          td.textContent = String(n);
          td.addEventListener("click", show);
        }
        td.addEventListener("mouseenter", show);
      }
      tr.appendChild(td);
    });
    cbody.appendChild(tr);
  });
  header(causes, "Force", data.causes.map(function (c) { return c.label; }), function (i) {
    cdir[i] = -(cdir[i] || 1);
    sortRows(cbody, function (r) { return i < 0 ? r.dataset.label : Number(r.cells[i + 1].dataset.n); }, cdir[i]);
  });

  function detail(f, c, cell) {  /* beside the matrix: what a cell stands for, and the sentences behind it */
    var body = byId("pg-detail-body");
    body.textContent = "";
    body.appendChild(el("h3", null, c.label + " \u2014 " + f.label));
    body.appendChild(el("div", null, cell.poor + " poor grade" + (cell.poor === 1 ? "" : "s") + " reached; areas: " + cell.areas.join("; ")));
    cell.claims.forEach(function (i) { body.appendChild(el("blockquote", "pg-quote", data.quotes[i])); });
  }
  byId("pg-status").textContent = data.forces.length + " reports \u00b7 " + data.areas.length + " areas \u00b7 " + data.causes.length + " root causes";
  window.peelgraphReadyMs = Math.round(performance.now());
  window.peelgraphReady = true;
  document.body.setAttribute("data-ready", "true");
})();
