"""Render the national picture as one self-contained, offline HTML page: a forces x areas table of grades
(sortable, coloured by grade) and a forces x root causes matrix (cell = poor grades the factor's chains reach in
that force's report; a click shows the claims behind it). Plain HTML built by the page's script from inlined
JSON, with ``textContent`` only; the same Content-Security-Policy as the network pages (no fetch, only the page's
own script by hash). This module only renders: the records come from ``peelgraph.view.national_records``.

Record::

    {"forces": [{"id": str, "label": str, "href": str | None}],     # href: the report's network page
     "areas": [str],                                                # column order
     "grades": {force id: {area: grade or status}},
     "causes": [{"id": str, "label": str,
                 "cells": {force id: {"poor": int, "areas": [str], "claims": [int]}}}],
     "quotes": [str]}                                               # claims' exact sentences, by index

When the tables are built the page sets ``window.peelgraphReady = true``. Same records, same bytes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .viz import GRADE_COLOURS, UNGRADED, _csp, _inline, _script_json, _template

_TEMPLATES = Path(__file__).with_name("templates")


def render(record: dict[str, Any], *, title: str) -> str:
    forces = {f["id"] for f in record["forces"]}
    for cause in record["causes"]:
        if set(cause["cells"]) - forces:
            raise ValueError(f"root cause {cause['label']!r} has cells for forces not listed")
        for cell in cause["cells"].values():
            if any(not 0 <= i < len(record["quotes"]) for i in cell["claims"]):
                raise ValueError(f"root cause {cause['label']!r} refers to a quote that is not there")
    payload = {**record, "colours": {**GRADE_COLOURS, "": UNGRADED}}
    template, parts = _static()
    return template.render(title=title, payload=Markup(_script_json(payload)), **parts)


@lru_cache(maxsize=1)
def _static() -> tuple[jinja2.Template, dict[str, Any]]:
    app_js = (_TEMPLATES / "national.js").read_text(encoding="utf-8")
    return _template("national.html.j2"), {
        "csp": _csp(app_js),
        "app_js": _inline(app_js, "</script", "national.js"),
        "app_css": _inline((_TEMPLATES / "national.css").read_text(encoding="utf-8"), "</style", "national.css"),
    }
