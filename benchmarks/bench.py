"""Benchmark: prints timings for the build, extraction, CLI start-up and queries. Not a test.

    python benchmarks/bench.py [--repeat N]

End-to-end figures run the real console script in a fresh process (interpreter start included) and report
the best and median of N runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "derbyshire-peel-2021-22.txt"
EXE = shutil.which("peelgraph") or sys.executable


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def cli(*args: str, cwd: Path) -> None:
    cmd = [EXE, *args] if EXE.endswith("peelgraph") else [EXE, "-m", "peelgraph.cli", *args]
    r = subprocess.run(cmd, cwd=cwd, capture_output=True)
    if r.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr.decode()}")


def line(name: str, times: list[float], target: str = "") -> None:
    print(f"{name:48} best {min(times) * 1000:8.1f} ms   median {statistics.median(times) * 1000:8.1f} ms   {target}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    n = ap.parse_args().repeat
    sys.path.insert(0, str(ROOT))
    from peelgraph import query, store
    from peelgraph.build import extract_file
    from peelgraph.graph import build_quads

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "seeds", work / "seeds")
        print(f"seed: {SEED.name}, {SEED.stat().st_size:,} bytes; {n} runs each; python {sys.version.split()[0]}")
        line("peelgraph --help", timed(lambda: cli("--help", cwd=work), n), "(target < 300 ms)")
        line("peelgraph build (seeds/, end to end)", timed(lambda: cli("build", cwd=work), n), "(target < 1500 ms)")
        extract_file(SEED)  # warm the rule and thesaurus caches once, as a long-lived process would
        line("extraction alone (parse + all stages, warm)", timed(lambda: extract_file(SEED), n))
        doc = extract_file(SEED)
        line("RDF quads from the extracted document", timed(lambda: build_quads([doc]), n))
        line("peelgraph query grades (end to end)", timed(lambda: cli("query", "grades", cwd=work), n))
        line("peelgraph trace 'neighbourhood vacancies' (end to end)",
             timed(lambda: cli("trace", "neighbourhood vacancies", cwd=work), n), "")
        s = store.open_store(work / ".peelgraph")
        for name in ("grades", "metrics-vs-standards", "afis-by-area", "root-causes"):
            text = query.resolve(name)
            line(f"query {name} (warm store, in process)", timed(lambda: query.run(s, text), n))
        from peelgraph.trace import trace
        from peelgraph.view import page

        trace(s, "vacancies")  # warm the thesaurus
        for text in ("neighbourhood vacancies", "vacancies", "training"):
            line(f"trace {text!r} (warm store, in process)", timed(lambda: trace(s, text), n), "(target < 100 ms)")
        line("viz page of the seed (records + render)", timed(lambda: page(s), n))
        print(f"store: {sum(1 for _ in s)} quads")
        corpus(work, n)


def corpus(work: Path, n: int, forces: int = 20) -> None:
    """How build, query and trace scale: a corpus of renamed copies of the seed (one per force)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import variants

    from peelgraph import query, store
    from peelgraph.build import build
    from peelgraph.trace import trace

    text = SEED.read_text(encoding="utf-8")
    folder = work / "corpus"
    folder.mkdir()
    for k in range(forces):
        name = f"Force{chr(65 + k // 26)}{chr(65 + k % 26)} Police"
        (folder / f"f{k}.txt").write_text(variants.rename_force(text, new=name), encoding="utf-8")
    t = time.perf_counter()
    build([folder], work / "corpus-store")
    print(f"corpus of {forces} reports: build {time.perf_counter() - t:.1f} s (in process)")
    s = store.open_store(work / "corpus-store")
    print(f"corpus store: {sum(1 for _ in s)} quads")
    trace(s, "vacancies")
    line(f"trace 'neighbourhood vacancies', {forces} reports", timed(lambda: trace(s, "neighbourhood vacancies"), n))
    line(f"query root-causes, {forces} reports", timed(lambda: query.run(s, query.resolve("root-causes")), n))


if __name__ == "__main__":
    main()
