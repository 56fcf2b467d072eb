"""Extraction of many reports in worker processes, one report at a time, handed back small.

Each worker loads the parser once and then, per report, reads the file, runs every extraction stage, turns
the Document into its named graph's quads and hands back only those quads as N-Quads bytes, the report's
summary lines and counts, and what cross-cycle linking needs (``cycles.Summary``); the Document is dropped
there. At most two reports a worker are in flight, so memory stays flat however many reports there are.
Results come back in the order the files were given, so the same files give the same store and messages
whatever the number of workers.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import cycles


@dataclass
class Extracted:
    """One report, extracted and released: what the build keeps of it."""

    path: str
    sha256: str
    base: str  # the report's key, <force>/<cycle>, as in its graph IRI
    summary: cycles.Summary
    nquads: bytes  # its named graph, sorted as the export is
    quads: int
    lines: list[str]  # the report's part of the build summary
    counts: Counter = field(default_factory=Counter)
    parsed: int = 0  # sentences the parser parsed for it, and took from its cache
    reused: int = 0
    trig: bytes | None = None  # its graph as TriG without the prefix lines, when the export is TriG


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def order(q) -> tuple[str, str, str, str]:
    """The order of quads in an export (graph, subject, predicate, object, as N-Quads terms)."""
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))


def trig_body(quads) -> bytes:
    """Quads (of one graph, sorted) as TriG without the prefix lines, which every chunk repeats."""
    import pyoxigraph as ox

    from .vocab import PREFIXES

    chunk = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    return chunk[len(trig_head(chunk)):]


def trig_head(chunk: bytes) -> bytes:
    end = 0
    while chunk.startswith(b"@prefix ", end):
        end = chunk.index(b"\n", end) + 1
    return chunk[:end]


def extract_one(path: str | Path, trig: bool = False) -> Extracted:
    """Read, extract and graph one report (in a worker, or in this process)."""
    import pyoxigraph as ox

    from . import parse
    from .extract import grammar, run as extract
    from .graph import document_nquads, report_base

    before = dict(grammar.stats)
    doc = extract(parse.read(path))
    nquads = document_nquads(doc)
    return Extracted(str(path), doc.sha256, report_base(doc), cycles.Summary.of(doc), nquads, nquads.count(b"\n"),
                     summary_lines(doc), counts(doc),
                     grammar.stats["parsed"] - before["parsed"], grammar.stats["reused"] - before["reused"],
                     trig_body(list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))) if trig else None)


class extract_many:  # noqa: N801 - used like a function that returns an iterator
    """An Extracted for each path, in order, from ``jobs`` worker processes (default: every core; 1: in this
    process). The workers start at once (before the caller opens a store); the first report that cannot be
    read raises its error and stops them. Use as a context manager, or iterate to the end."""

    def __init__(self, paths: list[Path], jobs: int | None = None, progress: bool | None = None, trig: bool = False):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        from functools import partial

        self.paths, self.jobs = list(paths), min(jobs or default_jobs(), len(paths)) or 1
        self.bar = _bar(len(self.paths), progress)
        self.todo, self.pending, self.pool = iter(self.paths), [], None
        self.one = partial(extract_one, trig=trig)
        if self.jobs == 1 and self.paths:  # in this process: the parser loads in a child while the first report is read
            from .extract import grammar

            grammar.prestart(_sha256s(self.paths))
        if self.jobs > 1:  # fork: the workers start with peelgraph imported; each loads the parser once
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=mp.get_context("fork"), initializer=_quiet)
            for p in self.todo:
                self.pending.append(self.pool.submit(self.one, p))
                if len(self.pending) >= 2 * self.jobs:
                    break

    def __iter__(self):
        try:
            if self.pool is None:
                for p in self.todo:
                    yield self.one(p)
                    self.bar.update()
            while self.pending:
                result = self.pending.pop(0).result()
                nxt = next(self.todo, None)
                if nxt is not None:
                    self.pending.append(self.pool.submit(self.one, nxt))
                yield result
                self.bar.update()
        finally:
            self.close()

    def close(self) -> None:
        self.bar.close()
        if self.pool is not None:
            for f in self.pending:
                f.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _sha256s(paths: list[Path]) -> list[str]:
    import hashlib

    try:
        return [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths]
    except OSError:
        return []  # the extraction will say what cannot be read


def _quiet() -> None:
    """Worker start: Ctrl-C is the parent's to handle."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(total: int, progress: bool | None):
    """A progress bar on stderr for a long run; none when stderr is not a terminal (or ``progress`` is False)."""
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress or total < 2:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="report", file=sys.stderr, dynamic_ncols=True, leave=False)


def summary_lines(d) -> list[str]:
    from .extract.thesaurus import areas

    i = d.inspection
    lines = [f"{i.force}, PEEL {i.cycle}" + (f", published {i.issued}" if i.issued else "") + (f", {i.inspector}" if i.inspector else ""),
             f"  source {d.path} (sha256 {d.sha256[:12]})"]
    label = lambda j: areas()[j.area].pref if j.area in areas() else j.area  # noqa: E731
    width = max((len(label(j)) for j in d.judgments), default=0)
    for j in d.judgments:
        lines.append(f"  {label(j).ljust(width)}  {j.grade or '(' + j.status.replace('-', ' ') + ')'}")
    lines.extend(f"  warning: {w}" for w in d.warnings)
    return lines


STATEMENT_COUNTS = {"AreaForImprovement": "areas for improvement", "CauseOfConcern": "causes of concern",
                    "Recommendation": "recommendations", "Finding": "findings"}


def counts(d) -> Counter:
    c = Counter()
    c["graded judgments"] += sum(1 for j in d.judgments if j.grade)
    c["ungraded areas"] += sum(1 for j in d.judgments if not j.grade)
    for st in d.statements:
        c[STATEMENT_COUNTS[st.kind]] += 1
    c["metrics"] += len(d.metrics)
    c["national standards"] += len(d.standards)
    c["causal claims"] += len(d.claims)
    c["mentions"] += len(d.mentions)
    return c
