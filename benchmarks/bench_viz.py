"""Time peelgraph.viz: render() for 500 and 5,000 nodes, the seed's overview and trace pages (generated from a
store built from seeds/), and how long headless Chromium takes to draw each page.

    python benchmarks/bench_viz.py            # render times, then page-ready times if Chromium is available
    python benchmarks/bench_viz.py --no-browser
    python benchmarks/bench_viz.py --national 400   # also the national page of a 400-report store
    python benchmarks/bench_viz.py --national 400 --keep /tmp/s400 --only-national   # keep (or reuse) that store
    python benchmarks/bench_viz.py --national 100 --site --only-national --no-browser   # also `viz --national`'s
                                                 # whole site: the national page and every report's page

The N-report store is what `peelgraph build` makes of benchmarks/bench_corpus.py's N-report corpus (renamed variants
of the seed and the held-out reports, regraded; a quarter of them a force's second cycle), compacted as a build
leaves it.

Page-ready = from page.goto() until window.peelgraphReady (stabilised and drawn); "in-page" is the page's own
performance.now() at that moment (from navigation start). The records are synthetic (tests/viz_samples.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from viz_samples import synthetic  # noqa: E402

from peelgraph import viz  # noqa: E402

SIZES = [(500, 1000), (5000, 10000)]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def bench_render(repeat: int) -> dict[str, str]:
    pages = {}
    for n_nodes, n_edges in SIZES:
        nodes, edges = synthetic(n_nodes, n_edges)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            html = viz.render(nodes, edges, title=f"{n_nodes} nodes")
            times.append(time.perf_counter() - start)
        pages[f"{n_nodes:>5} nodes"] = html
        print(f"render {n_nodes:>5} nodes {n_edges:>6} edges: best {min(times):.3f} s, "
              f"median {statistics.median(times):.3f} s, first {times[0]:.3f} s ({len(html) / 1e6:.1f} MB)")
    return pages


def bench_seed(repeat: int) -> dict[str, str]:
    """The pages `peelgraph viz` writes for the seed: the overview by area and the trace of one factor."""
    from peelgraph import store
    from peelgraph.build import build
    from peelgraph.view import page

    folder = Path(tempfile.mkdtemp(prefix="peelgraph-bench-seed-"))
    pages = {}
    try:
        build([ROOT / "seeds"], folder / "store")
        opened = store.open_store(folder / "store")
        for name, text in (("seed overview", None), ("seed trace", "neighbourhood vacancies")):
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                html = page(opened, text)
                times.append(time.perf_counter() - start)
            pages[name] = html
            print(f"generate {name}: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
                  f"({len(html) / 1e6:.1f} MB)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return pages


def bench_site(opened, count: int) -> None:
    """What `peelgraph viz --national` writes: the national page and each report's page beside it, timed once."""
    from peelgraph.view import write_national

    folder = Path(tempfile.mkdtemp(prefix="peelgraph-bench-site-"))
    try:
        start = time.perf_counter()
        write_national(opened, folder / "index.html")
        took = time.perf_counter() - start
        pages = sorted(folder.glob("*.html"))
        print(f"write the site, {count} reports: {took:.1f} s, {took / count:.2f} s a report ({len(pages)} pages, "
              f"{sum(p.stat().st_size for p in pages) / 1e6:.0f} MB); load average %.2f %.2f %.2f" % os.getloadavg())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_national(n_reports: int, repeat: int, keep: Path | None = None, site: bool = False) -> dict[str, str]:
    from peelgraph import query, store
    from peelgraph.national import page as national_page

    folder = keep or Path(tempfile.mkdtemp(prefix="peelgraph-bench-national-"))
    try:
        start = time.perf_counter()
        if keep and (keep / "store").is_dir():
            opened = store.open_store(keep / "store")  # made by an earlier run with --keep
        else:
            folder.mkdir(parents=True, exist_ok=True)
            from bench_corpus import corpus_store

            opened = store.open_store(corpus_store(n_reports, folder))
        count = len(query.rows(opened, "SELECT ?i WHERE { ?i a peel:Inspection }"))
        print(f"store of {count} reports made in {time.perf_counter() - start:.0f} s")
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            html = national_page(opened)
            times.append(time.perf_counter() - start)
        print(f"generate national page, {count} reports: best {min(times):.2f} s, median {statistics.median(times):.2f} s "
              f"({len(html) / 1e6:.1f} MB)")
        if site:
            bench_site(opened, count)
        return {f"national page, {count} reports": html}
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def offline(url: str):
    """A route handler that lets only the page itself load."""
    return lambda route: route.continue_() if route.request.url == url else route.abort()


def bench_browser(pages: dict[str, str], repeat: int) -> None:
    if not os.path.exists(CHROMIUM):
        print(f"page-ready: skipped, {CHROMIUM} not found")
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("page-ready: skipped, playwright not installed")
        return
    folder = Path(tempfile.mkdtemp(prefix="peelgraph-bench-"))
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(folder / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS,
                viewport={"width": 1600, "height": 1000})
            for k, (name, html) in enumerate(pages.items()):
                url = viz.write(folder / f"graph-{k}.html", html).as_uri()
                wall, inpage = [], []
                for _ in range(repeat):
                    page = context.new_page()
                    page.route("**/*", offline(url))
                    start = time.perf_counter()
                    page.goto(url)
                    page.wait_for_function("() => window.peelgraphReady === true", timeout=300_000)
                    wall.append(time.perf_counter() - start)
                    inpage.append(page.evaluate("() => window.peelgraphReadyMs") / 1000)
                    page.close()
                print(f"page-ready {name}: best {min(wall):.2f} s, median {statistics.median(wall):.2f} s"
                      f" (in-page median {statistics.median(inpage):.2f} s)")
            context.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="renders per size (default 5)")
    parser.add_argument("--page-repeat", type=int, default=3, help="page loads per size (default 3)")
    parser.add_argument("--no-browser", action="store_true", help="only time page generation")
    parser.add_argument("--national", type=int, default=0, metavar="N",
                        help="also the national page of an N-report store (e.g. 400)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="make the N-report store in DIR and keep it; reuse the one there if DIR/store exists")
    parser.add_argument("--site", action="store_true",
                        help="with --national: also time writing the whole site (national page and every report's page)")
    parser.add_argument("--only-national", action="store_true", help="skip the render and seed figures")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), load average %.2f %.2f %.2f" % os.getloadavg())
    pages = {} if args.only_national else {**bench_render(args.repeat), **bench_seed(args.repeat)}
    if args.national:
        pages.update(bench_national(args.national, min(args.repeat, 3), args.keep, args.site))
    if not args.no_browser:
        bench_browser(pages, args.page_repeat)
    print("load average at the end %.2f %.2f %.2f (1, 5, 15 min)" % os.getloadavg())


if __name__ == "__main__":
    main()
