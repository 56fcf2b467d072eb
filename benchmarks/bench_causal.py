"""What the parse under the causal layer costs: `peelgraph build` of the seed end to end and `peelgraph
--help` (interpreter start included), side by side with another checkout (e.g. the commit before the
parser), and `peelgraph claims` throughput in words per second. Prints figures; asserts nothing.

    git worktree add /tmp/before a882d2a
    python benchmarks/bench_causal.py --baseline /tmp/before [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds"


def timed(cmd: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=str(cwd))
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def row(label: str, checkouts: dict[str, Path], cmd, runs: int) -> None:
    cells = []
    for name, path in checkouts.items():
        best, median = timed(cmd(path), path, runs)
        cells.append(f"{name}: {best:.2f} s best / {median:.2f} s median")
    print(f"{label:<34} " + " | ".join(cells))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", type=Path, help="another checkout to time beside this one")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    checkouts = {"this": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    with tempfile.TemporaryDirectory() as tmp:
        py = sys.executable
        row("peelgraph build seeds/ (end to end)", checkouts,
            lambda p: [py, "-m", "peelgraph.cli", "build", str(SEED), "--store", f"{tmp}/{p.name}-store"], args.runs)
        row("peelgraph --help", checkouts, lambda p: [py, "-m", "peelgraph.cli", "--help"], args.runs)
    sys.path.insert(0, str(ROOT))
    from peelgraph.extract import grammar
    from peelgraph.extract.causal import claims_in_text

    t = time.perf_counter()
    grammar.nlp()
    print(f"{'spaCy import and model load':<34} {time.perf_counter() - t:.2f} s")
    text = (SEED / "derbyshire-peel-2021-22.txt").read_text(encoding="utf-8")
    for label, body in (("claims, the seed", text), ("claims, 1 MB of report prose", "\n\n".join([text] * 16)[:1_000_000])):
        t = time.perf_counter()
        n = len(claims_in_text(body))
        dt = time.perf_counter() - t
        words = len(body.split())
        print(f"{label:<34} {words:,} words, {n:,} claims, {dt:.2f} s, {words / dt:,.0f} words/s (model loaded)")


if __name__ == "__main__":
    main()
