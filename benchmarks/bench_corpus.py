"""Benchmark: building a national corpus, the current build against the one before streaming builds. Not a test.

    python benchmarks/bench_corpus.py [--sizes 100 400] [--jobs 2] [--old REV] [--no-old]

Each build runs the real command line in a fresh process (interpreter start included): wall time, and the
peak memory of the whole process tree (workers included), sampled every 0.2 s from /proc: the sum of RSS
(what the issue asks; pages a forked worker shares with its parent count twice) and the sum of PSS (shared
pages split between the processes that share them). The previous build is run from ``git archive REV`` (by
default the commit before peelgraph/corpus.py was added) in the same run, on the same files.

The corpus: renamed variants of the seed and of the held-out reports (tests/variants.py), one fictional force
each, two in three of the seed's regraded; each renamed 2023-25 held-out report shares its force with the
2021/22 one before it, so the force has two cycles and is linked across them. Renamed variants repeat most
sentences word for word, and the parser keeps a per-process cache of identical sentence texts: the benchmark
prints how many sentences were parsed and how many were reused, and estimates the time the same build would
take if every sentence were new (reused sentences times the parse cost of one, measured here, over the jobs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

FIRST = ["Ash", "Bel", "Brom", "Cald", "Dun", "Elm", "Fen", "Gran", "Hol", "Kel", "Lan", "Mar", "Nant", "Oak", "Pen",
         "Ral", "Sal", "Tor", "Wend", "Yar"]
LAST = ["bury", "ford", "ham", "ley", "mouth", "shire", "ton", "wick", "worth", "dale", "field", "gate", "hurst",
        "land", "mere", "stead", "thorpe", "vale", "wood", "combe"]


def names() -> list[str]:
    return [f"{a}{b} {'Police' if (i + j) % 2 else 'Constabulary'}" for i, a in enumerate(FIRST) for j, b in enumerate(LAST)]


def make_corpus(folder: Path, n: int) -> Path:
    """n report files: variant k renames source k % 4 (the seed, then the held-out reports)."""
    import scoring
    import variants

    from peelgraph import parse
    from peelgraph.extract import structure

    folder.mkdir(parents=True, exist_ok=True)
    sources = [scoring.SEED, *sorted((ROOT / "tests" / "heldout").glob("*.txt"))]
    texts = [p.read_text(encoding="utf-8") for p in sources]
    forces = [structure.extract(parse.parse_text(t, p.name)).inspection.force for t, p in zip(texts, sources)]
    cycles = [structure.extract(parse.parse_text(t, p.name)).inspection.cycle for t, p in zip(texts, sources)]
    pool, name = names(), None
    for k in range(n):
        s = k % len(sources)
        if not (cycles[s].startswith("2023") and name):  # a 2023-25 report: the previous force's next cycle
            name = pool.pop(0)
        text = variants.rename_force(texts[s], old=forces[s], new=name, inspector=None, published=None)
        if s == 0 and k % 3:
            text = variants.regrade(text, {a: variants.GRADES[(k + i) % 5] for i, a in enumerate(list(variants.AREAS)[:9])})
        (folder / f"r{k:04d}.txt").write_text(text, encoding="utf-8")
    return folder


def corpus_store(n: int, folder: Path) -> Path:
    """The store a user gets from `peelgraph build` of the n-report corpus (make_corpus), made in ``folder``:
    every report extracted, forces with two cycles linked, the store compacted."""
    from peelgraph.build import build

    build([make_corpus(folder / "reports", n)], folder / "store")
    shutil.rmtree(folder / "reports", ignore_errors=True)
    return folder / "store"


class Peak:
    """Peak RSS and PSS (MB) of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int):
        self.pid, self.rss, self.pss, self._stop = pid, 0.0, 0.0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    ppid = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(d))
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo.extend(children.get(p, []))
        return out

    @staticmethod
    def _kb(path: str, field: str) -> int:
        try:
            for line in open(path):
                if line.startswith(field):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            tree = self._tree()
            self.rss = max(self.rss, sum(self._kb(f"/proc/{p}/status", "VmRSS:") for p in tree) / 1024)
            self.pss = max(self.pss, sum(self._kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in tree) / 1024)
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        self.thread.join()


def timed(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> dict:
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    peak = Peak(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    peak.stop()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    return {"wall": wall, "rss": peak.rss, "pss": peak.pss, "out": out, "err": err}


def peelgraph(*args, old: Path | None = None, cache: Path | str = "off") -> dict:
    """Run the command line (from a folder without a peelgraph package in it, so that the one meant is
    imported); ``cache``: the parse cache on disk (PEELGRAPH_CACHE), off unless given."""
    env = dict(os.environ, PEELGRAPH_CACHE=str(cache))
    if old is None:
        return timed([sys.executable, "-m", "peelgraph.cli", *map(str, args)], env, cwd=Path(tempfile.gettempdir()))
    start = (f"import sys; sys.path.insert(0, {str(old)!r}); import peelgraph.cli as c; "
             f"assert c.__file__.startswith({str(old)!r}), c.__file__; c.main()")  # the previous build's package
    return timed([sys.executable, "-c", start, *map(str, args)], env, cwd=Path(tempfile.gettempdir()))


def parse_cost() -> float:
    """Seconds the parser takes for one of the seed's parsed sentences (model loaded, no cache)."""
    import scoring

    from peelgraph.build import extract_file
    from peelgraph.extract import grammar

    extract_file(scoring.SEED)
    sentences = []
    real = grammar.parse
    grammar.parse = lambda s, progress=False: (sentences.extend(s), real(s, progress))[1]
    try:
        extract_file(scoring.SEED)
    finally:
        grammar.parse = real
    texts = [t for _, _, t in sentences]
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        list(grammar.nlp().pipe(texts, batch_size=1000))
        best = min(best, time.perf_counter() - t)
    return best / len(texts)


def old_tree(rev: str | None, work: Path) -> tuple[Path, str]:
    if rev is None:
        added = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--", "peelgraph/corpus.py"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.split()
        rev = f"{added[-1]}^"
    rev = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    folder = work / "old"
    folder.mkdir()
    archive = subprocess.run(["git", "archive", rev, "peelgraph", "ontology", "queries", "seeds"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder, rev


def load() -> str:
    return open("/proc/loadavg").read().split(" ", 3)[:3].__str__()


def stats(err: str) -> tuple[int, int]:
    for line in err.splitlines():
        if line.startswith("parser: "):
            words = line.split()
            return int(words[1]), int(words[4])
    return 0, 0


def row(label: str, r: dict, extra: str = "") -> None:
    print(f"{label:34} {r['wall']:8.1f} s  {r['rss']:7.0f} MB RSS  {r['pss']:7.0f} MB PSS  {extra}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 400])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--old", help="git revision of the previous build (default: before peelgraph/corpus.py)")
    ap.add_argument("--no-old", action="store_true", help="skip the previous build")
    ap.add_argument("--old-sizes", type=int, nargs="*", help="run the previous build at these sizes only (default: all)")
    ap.add_argument("--identity-size", type=int, help="size at which --jobs 1 is run to compare exports (default: "
                    "the smallest; 0: none)")
    ap.add_argument("--keep", help="keep the corpora and stores in this folder")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-corpus-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"cores {len(os.sched_getaffinity(0))}, load average {load()} at the start; python {sys.version.split()[0]}")
    cost = parse_cost()
    print(f"parser: {cost * 1000:.2f} ms a sentence (the seed's parsed sentences, model loaded, best of 3)")
    old = None
    if not args.no_old:
        old, rev = old_tree(args.old, work)
        print(f"previous build: git archive {rev}")
    largest = max(args.sizes)
    results = {}
    for n in sorted(args.sizes):
        corpus = make_corpus(work / f"corpus-{n}", n)
        print(f"\n== {n} reports ({sum(f.stat().st_size for f in corpus.iterdir()) / 1e6:.0f} MB of text), "
              f"load {load()}")
        cache = work / f"parse-cache-{n}"  # empty at the start of the build
        new = peelgraph("build", corpus, "--store", work / f"new-{n}", "--out", work / f"new-{n}.nq",
                        "--jobs", args.jobs, "--stats", cache=cache)
        parsed, reused = stats(new["err"])
        quads = new["out"].strip().splitlines()[-1]
        row(f"new build --jobs {args.jobs}", new, f"{quads}")
        distinct = new["wall"] + reused * cost / args.jobs
        print(f"{'':34} parser: {parsed:,} sentences parsed, {reused:,} reused from the cache; with every sentence "
              f"new, about {distinct:.0f} s")
        results[n] = new
        if old is not None and (args.old_sizes is None or n in args.old_sizes):
            prev = peelgraph("build", corpus, "--store", work / f"old-{n}", "--out", work / f"old-{n}.nq", old=old)
            row("previous build", prev, prev["out"].strip().splitlines()[-1])
            same = (work / f"old-{n}.nq").read_bytes() == (work / f"new-{n}.nq").read_bytes()
            print(f"{'':34} exports of the previous and the new build byte-identical: {same}")
            shutil.rmtree(work / f"old-{n}", ignore_errors=True)
            (work / f"old-{n}.nq").unlink()
        if n == (min(args.sizes) if args.identity_size is None else args.identity_size):
            one = peelgraph("build", corpus, "--store", work / f"j1-{n}", "--out", work / f"j1-{n}.nq", "--jobs", 1,
                            cache=work / f"parse-cache-j1-{n}")
            row("new build --jobs 1", one)
            same = (work / f"j1-{n}.nq").read_bytes() == (work / f"new-{n}.nq").read_bytes()
            print(f"{'':34} --jobs 1 and --jobs {args.jobs} exports byte-identical: {same}")
            shutil.rmtree(work / f"j1-{n}", ignore_errors=True)
        if n == largest:
            extra = make_corpus(work / "extra", 1) / "r0000.txt"
            fresh = work / "extra" / "newforce.txt"
            import variants

            fresh.write_text(variants.rename_force(extra.read_text(encoding="utf-8"), old=names()[0],
                                                   new="Quillmoor Police", inspector=None, published=None), encoding="utf-8")
            a = peelgraph("add", fresh, "--store", work / f"new-{n}", "--stats")
            row(f"add 1 report to the {n}-report store", a, a["out"].strip().splitlines()[-1])
            print(f"{'':34} no parse cache on disk: {a['err'].strip()}")
            warm = peelgraph("remove", "quillmoor/2021-22", "--store", work / f"new-{n}")
            row("remove it again", warm)
            a = peelgraph("add", fresh, "--store", work / f"new-{n}", "--stats", cache=cache)
            row("add it with the build's parse cache", a, a["err"].strip())
            again = peelgraph("add", fresh, "--store", work / f"new-{n}")
            row("the same add again (unchanged, skipped)", again)
            r = peelgraph("reports", "--store", work / f"new-{n}", "--format", "csv")
            row(f"reports ({len(r['out'].splitlines()) - 1} rows)", r)
        (work / f"new-{n}.nq").unlink()
    if len(results) > 1:
        small, big = results[min(results)], results[max(results)]
        print(f"\npeak RSS {max(results)} vs {min(results)} reports: {big['rss'] / small['rss'] - 1:+.0%} "
              f"(PSS {big['pss'] / small['pss'] - 1:+.0%})")
    print(f"load average {load()} at the end")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
