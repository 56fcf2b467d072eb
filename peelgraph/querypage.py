"""The query page `peelgraph serve` shows at `/`: pick a named query or write SPARQL, run it, see the table.

One HTML document with its script inline; it loads nothing from anywhere else, so it works offline.
"""

from __future__ import annotations

import html
import json

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>peelgraph SPARQL endpoint</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
textarea { width: 100%; height: 16em; font: 13px/1.35 ui-monospace, monospace; }
select, button { font-size: 15px; margin: .4em .4em .4em 0; }
table { border-collapse: collapse; margin-top: 1em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
#status { color: #555; }
#status.error { color: #b00020; }
code { background: #f3f3f3; padding: 0 .2em; }
</style>
</head>
<body>
<h1>peelgraph SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 at <code>/query</code> (GET <code>?query=</code>, or POST). Federated
<code>SERVICE</code> and Update are refused; queries stop at the time limit.</p>
<label>Named query <select id="named"><option value="">(write your own)</option>
__OPTIONS__
</select></label>
<textarea id="sparql" spellcheck="false" aria-label="SPARQL query"></textarea>
<button id="run" type="button">Run</button> <span id="status"></span>
<div id="result"></div>
<script type="application/json" id="queries">__QUERIES__</script>
<script>
"use strict";
const queries = JSON.parse(document.getElementById("queries").textContent);
const named = document.getElementById("named"), sparql = document.getElementById("sparql");
const status = document.getElementById("status"), result = document.getElementById("result");
named.addEventListener("change", () => { if (named.value) sparql.value = queries[named.value]; });
function cell(term) {
  if (!term) return "";
  return term.type === "triple" ? "<< " + ["subject", "predicate", "object"].map(k => cell(term.value[k])).join(" ") + " >>"
                                : term.value;
}
function show(doc) {
  result.textContent = "";
  if ("boolean" in doc) { result.textContent = doc.boolean ? "yes" : "no"; return 0; }
  const table = document.createElement("table"), head = table.createTHead().insertRow();
  for (const v of doc.head.vars) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); }
  const body = table.createTBody();
  for (const b of doc.results.bindings) {
    const row = body.insertRow();
    for (const v of doc.head.vars) row.insertCell().textContent = cell(b[v]);
  }
  result.appendChild(table);
  return doc.results.bindings.length;
}
async function run() {
  status.className = ""; status.textContent = "running\u2026";
  const started = performance.now();
  try {
    const resp = await fetch("query", {method: "POST", body: sparql.value,
      headers: {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}});
    if (!resp.ok) throw new Error((await resp.text()).trim() || resp.statusText);
    const n = show(await resp.json());
    status.textContent = n + " row" + (n === 1 ? "" : "s") + " in " + Math.round(performance.now() - started) + " ms";
  } catch (e) {
    status.className = "error"; status.textContent = e.message; result.textContent = "";
  }
}
document.getElementById("run").addEventListener("click", run);
sparql.addEventListener("keydown", e => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(); });
</script>
</body>
</html>
"""


def page(named: list[dict]) -> str:
    """The page, with `named` ({name, about, sparql} each) ready to pick."""
    options = "\n".join(f'<option value="{html.escape(n["name"])}">{html.escape(n["name"])} \u2014 '
                        f'{html.escape(n["about"])}</option>' for n in named)
    data = json.dumps({n["name"]: n["sparql"] for n in named}).replace("</", "<\\/")
    return PAGE.replace("__OPTIONS__", options).replace("__QUERIES__", data)
