"""Time every named query (queries/*.rq), `trace` (a few typical factors) and `causes` on the seed store and
on 100- and 400-report stores, side by side, against the target of 1 s each (issue 8).

    python benchmarks/bench_queries.py                         # stores made in a temporary folder, then removed
    python benchmarks/bench_queries.py --store /tmp/qbench     # stores made there once, reused by later runs
    python benchmarks/bench_queries.py --store /tmp/qbench --sizes seed,100 --repeat 3 --timeout 60

The N-report stores are what `peelgraph build` makes of benchmarks/bench_corpus.py's N-report corpus (renamed
variants of the seed and the held-out reports; a quarter of them a force's second cycle): every report extracted, the
cycles linked, the store compacted.
Each figure is the best and the median of --repeat runs in one child process per query and store (the store
opened read-only there; the first run includes cold caches); a child still running after --timeout seconds is
ended and shown as "> T s". A query more than 5 s over is run once. Check `uptime` first.
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
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

from peelgraph import query, store, trace  # noqa: E402

TRACES = ["neighbourhood vacancies", "workload", "training", "supervision"]
TARGET = 1.0


def make_store(size: str, work: Path) -> Path:
    """The store of one size under ``work``, made if it is not there yet."""
    folder = work / size
    if (folder / "store" / "CURRENT").exists():
        return folder / "store"
    start = time.perf_counter()
    if size == "seed":
        from peelgraph.build import build

        build([ROOT / "seeds"], folder / "store")
    else:
        from bench_corpus import corpus_store

        corpus_store(int(size), folder)
    print(f"made the {size} store in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return folder / "store"


def tasks(queries: Path | None = None) -> dict[str, object]:
    """name -> function(store) returning a row count; the named queries from ``queries`` (a folder of .rq
    files, e.g. an older version kept for comparison) instead of queries/ if given."""
    out = {}
    named = {p.stem: p for p in sorted(queries.glob("*.rq"))} if queries else query.available()
    for name, path in named.items():
        if not name.startswith("checks/"):
            text = path.read_text(encoding="utf-8")
            out[name] = lambda s, t=text: len(query.run(s, t).rows)
    for text in TRACES:
        out[f"trace {text!r}"] = lambda s, t=text: sum(len(a["paths"]) for a in trace.trace(s, t)["areas"])
    out["causes"] = lambda s: len(trace.root_causes(s).rows)
    out["causes --asserted-only"] = lambda s: len(trace.root_causes(s, asserted_only=True).rows)
    return out


def child(path: str, name: str, repeat: int, queries: Path | None) -> None:
    """In a child process (so that a run past the time limit can be ended): time one task, print JSON."""
    import json

    fn, opened, times, count = tasks(queries)[name], store.open_store(Path(path)), [], None
    for _ in range(repeat):
        start = time.perf_counter()
        count = fn(opened)
        times.append(time.perf_counter() - start)
        if times[-1] > 5 * TARGET:
            break  # far over the target: more runs would only repeat it
    print(json.dumps({"times": times, "count": count}))


def measure(path: Path, name: str, repeat: int, timeout: float, queries: Path | None) -> tuple[list[float] | None, int | None]:
    """Run times and the row count, or (None, None) when the runs passed the time limit (the child is ended)."""
    import json
    import subprocess

    cmd = [sys.executable, __file__, "--child", str(path), name, str(repeat)] + (["--queries", str(queries)] if queries else [])
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None, None
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"{name} on {path} failed: {e.stderr.strip().splitlines()[-1]}") from None
    got = json.loads(done.stdout)
    return got["times"], got["count"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="folder holding (or to hold) the stores, reused by later runs")
    parser.add_argument("--sizes", default="seed,100,400", help="comma-separated: seed and multiples of 20")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a run is given up (default 60)")
    parser.add_argument("--only", help="comma-separated names to run (default all)")
    parser.add_argument("--queries", type=Path, help="a folder of .rq files to time instead of queries/")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], args.child[1], int(args.child[2]), args.queries)
    sizes = args.sizes.split(",")
    work = args.store or Path(tempfile.mkdtemp(prefix="peelgraph-bench-queries-"))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; best / median of {args.repeat} runs; target <= {TARGET:g} s")
    try:
        paths = {size: make_store(size, work) for size in sizes}
        todo = tasks(args.queries)
        if args.only:
            todo = {k: v for k, v in todo.items() if k in args.only.split(",")}
        results: dict[str, dict[str, str]] = {name: {} for name in todo}
        for size in sizes:
            opened = store.open_store(paths[size])
            print(f"{size} store: {len(opened):,} quads", file=sys.stderr)
            del opened
            for name in todo:
                times, count = measure(paths[size], name, args.repeat, args.timeout, args.queries)
                if times is None:
                    cell = f"> {args.timeout:g} s"
                else:
                    flag = "" if max(min(times), statistics.median(times)) <= TARGET else " !"
                    cell = f"{min(times):.3f} / {statistics.median(times):.3f} s, {count} rows{flag}"
                results[name][size] = cell
                print(f"  {size:>4} {name}: {cell}", file=sys.stderr)
        width = max(len(n) for n in todo)
        cols = [max(28, *(len(results[n].get(s, "")) for n in todo)) for s in sizes]
        print("  ".join(["query".ljust(width)] + [s.rjust(c) for s, c in zip(sizes, cols)]))
        for name in todo:
            print("  ".join([name.ljust(width)] + [results[name].get(s, "").rjust(c) for s, c in zip(sizes, cols)]))
        print("(best / median, rows; ! = over the target)")
        print(f"load average at the end {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    finally:
        if args.store is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
