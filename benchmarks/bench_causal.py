"""What the parse under the causal layer costs: `peelgraph build` of the seed end to end and `peelgraph
--help` (interpreter start included), side by side with another checkout (e.g. the commit before the
parser), with an empty parse cache each run (cold) and, for this checkout, with the cache a first run filled
(warm: no sentence parsed, spaCy not imported); the parser's own floor (spaCy import, model load and the parse of exactly the sentences a build of
the seed parses, each timed alone in a fresh interpreter); and `peelgraph claims` throughput in words per
second. Prints figures; asserts nothing.

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


def timed(cmd: list[str], cwd: Path, runs: int, cache: str) -> tuple[float, float]:
    """Best and median wall time; ``cache`` is "cold" (an empty parse cache each run), "warm" (one filled by a
    first, untimed run) or "off"."""
    env = dict(os.environ, PYTHONPATH=str(cwd), PEELGRAPH_CACHE="off")
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(runs + (cache == "warm")):
            if cache != "off":
                env["PEELGRAPH_CACHE"] = f"{tmp}/cache" if cache == "warm" else f"{tmp}/cache-{k}"
            t = time.perf_counter()
            subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t)
    times = times[1:] if cache == "warm" else times
    return min(times), statistics.median(times)


def row(label: str, checkouts: dict[str, Path], cmd, runs: int, cache: str = "off") -> None:
    cells = []
    for name, path in checkouts.items():
        best, median = timed(cmd(path), path, runs, cache)
        cells.append(f"{name}: {best:.2f} s best / {median:.2f} s median")
    print(f"{label:<34} " + " | ".join(cells))


FLOOR = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
import parseproc
t0 = time.perf_counter()
parseproc.without_cli()  # as the parser process imports spaCy
import spacy
t1 = time.perf_counter()
nlp = spacy.load(sys.argv[1], exclude=json.loads(sys.argv[2]))
t2 = time.perf_counter()
sentences = json.load(sys.stdin)
tokens = sum(len(d) for d in nlp.pipe(sentences, batch_size=1000))
t3 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, tokens]))
"""


def floor(runs: int) -> None:
    """The parser alone: what no arrangement of the rest of the build can go below on one core."""
    import json

    from peelgraph import parse
    from peelgraph.extract import causal, grammar

    seen: list[str] = []
    real = grammar.parse
    grammar.parse = lambda sentences, progress=False: seen.extend(t for _, _, t in sentences) or real(sentences, progress)
    try:
        causal.extract(parse.read(SEED / "derbyshire-peel-2021-22.txt"))
    finally:
        grammar.parse = real
    cmd = [sys.executable, "-c", FLOOR, grammar.MODEL, json.dumps(grammar.UNUSED), str(Path(grammar.__file__).parent)]
    out = [json.loads(subprocess.run(cmd, input=json.dumps(seen), capture_output=True, text=True, check=True).stdout)
           for _ in range(runs)]
    best = [min(r[k] for r in out) for k in range(3)]
    print(f"{'parser floor, fresh interpreter':<34} import spaCy (no CLI) {best[0]:.2f} s + load model {best[1]:.2f} s + "
          f"parse {len(seen)} sentences ({out[0][3]:,} tokens) {best[2]:.2f} s = {sum(best):.2f} s (best of {runs} each)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", type=Path, help="another checkout to time beside this one")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    checkouts = {"this": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    with tempfile.TemporaryDirectory() as tmp:
        py = sys.executable
        build = lambda p: [py, "-m", "peelgraph.cli", "build", str(SEED), "--store", f"{tmp}/{p.name}-store"]  # noqa: E731
        row("peelgraph build seeds/, cold cache", checkouts, build, args.runs, "cold")
        row("peelgraph build seeds/, warm cache", {"this": ROOT}, build, args.runs, "warm")
        row("peelgraph --help", checkouts, lambda p: [py, "-m", "peelgraph.cli", "--help"], args.runs)
    sys.path.insert(0, str(ROOT))
    floor(args.runs)
    from peelgraph.extract import grammar
    from peelgraph.extract.causal import claims_in_text

    grammar.nlp()  # loaded already by floor(): the throughput below is the parse and the rules
    os.environ["PEELGRAPH_CACHE"] = "off"  # no parse from an earlier run counts as speed
    text = (SEED / "derbyshire-peel-2021-22.txt").read_text(encoding="utf-8")
    distinct = "\n\n".join(f.read_text(encoding="utf-8") for f in [SEED / "derbyshire-peel-2021-22.txt",
                             *sorted((ROOT / "tests" / "heldout").glob("*.txt")),
                             *sorted((ROOT / "tests" / "real-dev" / "excerpts").glob("*.txt"))])
    for label, body in (("claims, the seed", text), ("claims, seed + held-outs + real-dev", distinct),
                        ("claims, 1 MB (the seed repeated)", "\n\n".join([text] * 16)[:1_000_000])):
        grammar._cache.clear()
        before = dict(grammar.stats)
        t = time.perf_counter()
        n = len(claims_in_text(body))
        dt = time.perf_counter() - t
        words = len(body.split())
        parsed, reused = (grammar.stats[k] - before[k] for k in ("parsed", "reused"))
        print(f"{label:<34} {words:,} words, {n:,} claims, {dt:.2f} s, {words / dt:,.0f} words/s (model loaded; "
              f"{parsed:,} sentences parsed, {reused:,} repeats reused)")


if __name__ == "__main__":
    main()
