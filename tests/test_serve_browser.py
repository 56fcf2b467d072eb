"""The query page of `peelgraph serve` in a real headless Chromium with every outside request blocked:
pick `grades`, run it, read the table. Skipped without /usr/bin/chromium or playwright."""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} not found: apt-get install chromium to run the browser tests", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright to run the browser tests")

from test_serve import Server  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_serve_query_page_runs_grades_offline(seed_store):
    server = Server(seed_store)
    outside, errors = [], []
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()

            def gate(route):
                if route.request.url.startswith(server.url + "/"):
                    return route.continue_()
                outside.append(route.request.url)
                route.abort()

            page.route("**/*", gate)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url + "/")
            page.select_option("#named", "grades")
            assert "peel:grade" in page.input_value("#sparql")
            page.click("#run")
            page.wait_for_selector("#result table tbody tr")
            heads = page.locator("#result th").all_inner_texts()
            rows = page.locator("#result tbody tr").count()
            cells = page.locator("#result tbody td").all_inner_texts()
            status = page.inner_text("#status")
            page.fill("#sparql", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
            page.click("#run")
            page.wait_for_selector("#status.error")
            refused = page.inner_text("#status")
            browser.close()
    finally:
        server.stop()
    assert heads == ["force", "cycle", "area", "grade"] and rows == 9
    assert "Investigating crime" in cells and "Requires improvement" in cells
    assert status.startswith("9 rows in ")
    assert refused.startswith("SERVICE (federated query) is refused")
    assert outside == [] and [e for e in errors if "400" not in e] == []
