"""Build: report files to the store, one named graph a report, and optionally to a file.

``build`` replaces what the store holds; ``add`` adds or replaces the reports given (by force and cycle) and
``remove`` drops one; ``reports`` lists what the store holds. Reports are extracted in worker processes
(``peelgraph.corpus``) and streamed into a fresh store folder a few at a time, so memory does not grow with
the corpus; the fresh folder replaces the store only once it is complete (``peelgraph.store.writing``).
Links across a force's cycles (``peelgraph.cycles``) are made once every report is in, from each report's
small Summary (from the extraction, or read back from the store when ``add`` or ``remove`` changes a force).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import corpus, cycles, resources, store
from .errors import InputError, PeelgraphError
from .extract import run as extract
from .model import Document, slug

SUFFIXES = (".txt", ".md", ".text", ".html", ".htm", ".pdf")
FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld"}
BATCH_BYTES = 8 << 20  # N-Quads gathered for each bulk load (one or two reports): bounded memory


@dataclass
class BuildReport:
    lines: list[str] = field(default_factory=list)  # each report's part of the summary, in the order given
    quads: int | None = None  # the store's quads after the build (None: not counted, after add and remove)
    counts: Counter = field(default_factory=Counter)
    out: Path | None = None
    reports: list[str] = field(default_factory=list)  # keys (<force>/<cycle>) written
    skipped: list[str] = field(default_factory=list)  # files whose text the store already holds
    removed: list[str] = field(default_factory=list)
    parsed: int = 0  # sentences parsed, and taken from the parser's cache
    reused: int = 0


def sources(paths: list[str | Path] | None) -> list[Path]:
    """Every report file named, folders expanded (sorted); the default is seeds/."""
    paths = [Path(p) for p in paths] if paths else [resources.seeds_dir()]
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            files = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUFFIXES and f.name.lower() != "readme.md")
            if not files:
                raise InputError(f"{p}: no report files (*.txt, *.md, *.html, *.pdf) in this folder.")
            found.extend(files)
        elif p.is_file():
            found.append(p)
        else:
            raise InputError(f"{p}: no such file or folder.")
    return found


def extract_file(path: str | Path) -> Document:
    from . import parse

    return extract(parse.read(path))


def serialize(quads, fmt: str) -> bytes:
    """Deterministic serialisation: quads sorted, so the same graph always gives the same bytes."""
    import pyoxigraph as ox

    from .vocab import PREFIXES

    quads = sorted(set(quads), key=corpus.order)
    if fmt == "nquads":
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    if fmt == "trig":
        return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    triples = sorted({q.triple for q in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if fmt == "turtle":
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    if fmt == "json-ld":
        return ox.serialize(triples, format=ox.RdfFormat.JSON_LD, prefixes=PREFIXES)
    raise ValueError(fmt)


class _Spool:
    """The export, a graph at a time: each graph's chunk (sorted N-Quads, or TriG without the prefix lines) is
    written to a scratch file beside the store as it comes, and ``write`` puts the chunks in graph order into
    the export. N-Quads and TriG so hold one report in memory at a time; Turtle and JSON-LD merge the
    triples of every graph, so ``write`` holds them all."""

    def __init__(self, path: Path, out: Path, fmt: str):
        import tempfile

        self.out, self.fmt, self.chunks = out, fmt, []
        fd, self.name = tempfile.mkstemp(prefix=f".{path.name}.new-", suffix=".export", dir=path.parent)
        self.file = os.fdopen(fd, "w+b")

    def add(self, graph: str, data: bytes) -> None:
        self.chunks.append((f"<{graph}>", self.file.tell(), len(data)))
        self.file.write(data)

    def add_quads(self, quads) -> None:
        """Quads made here (the ontology, the links across cycles), a chunk per graph."""
        import pyoxigraph as ox

        graphs: dict[str, list] = {}
        for q in sorted(set(quads), key=corpus.order):
            graphs.setdefault(q.graph_name.value, []).append(q)
        for g, qs in graphs.items():
            self.add(g, corpus.trig_body(qs) if self.fmt == "trig" else ox.serialize(qs, format=ox.RdfFormat.N_QUADS))

    def write(self) -> None:
        import pyoxigraph as ox

        try:
            with store.writing_file(self.out) as f:
                if self.fmt not in ("nquads", "trig"):
                    f.write(serialize((q for chunk in self._read() for q in ox.parse(chunk, format=ox.RdfFormat.N_QUADS)), self.fmt))
                    return
                if self.fmt == "trig":
                    f.write(_trig_prefixes())
                for chunk in self._read():
                    f.write(chunk)
        except OSError as e:
            raise PeelgraphError(f"--out {self.out}: cannot write ({e.strerror or e}); nothing was changed.") from None

    def _read(self):
        self.file.flush()
        for _, at, size in sorted(self.chunks):
            self.file.seek(at)
            yield self.file.read(size)

    def close(self) -> None:
        self.file.close()
        Path(self.name).unlink(missing_ok=True)


def _trig_prefixes() -> bytes:
    import pyoxigraph as ox

    from .vocab import PREFIXES

    one = ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:x"), ox.NamedNode("urn:x"), ox.NamedNode("urn:x"))
    return corpus.trig_head(ox.serialize([one], format=ox.RdfFormat.TRIG, prefixes=PREFIXES))


def _out_format(out) -> tuple[Path | None, str | None]:
    if out is None:
        return None, None
    out = Path(out)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise PeelgraphError(f"--out {out}: unknown format; use one of {', '.join(FORMATS)}.")
    return out, fmt


class _Loader:
    """N-Quads bytes into a store, gathered into loads of about BATCH_BYTES. With ``background``, the loads run
    in a thread of their own, two at most waiting (pyoxigraph lets go of the GIL while it loads), so that this
    process goes on taking the workers' reports and handing them new ones; only for a fresh store that nothing
    else writes meanwhile (a bulk load is not a transaction)."""

    def __init__(self, st, background: bool = False):
        import queue
        import threading

        self.st, self.parts, self.size, self.error = st, [], 0, None
        self.queue = queue.Queue(maxsize=2) if background else None
        self.thread = threading.Thread(target=self._run, daemon=True) if background else None
        if self.thread:
            self.thread.start()

    def add(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= BATCH_BYTES:
            self._send()

    def flush(self) -> None:
        """Load what is gathered and wait for every load to end."""
        self._send()
        if self.thread:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        """On error: stop the thread without loading more."""
        self.parts = []
        if self.thread:
            self.error = self.error or PeelgraphError("build stopped")
            self.queue.put(None)
            self.thread.join()
            self.thread = None

    def _send(self) -> None:
        if self.error is not None:
            raise self.error
        if self.parts:
            data, self.parts, self.size = b"".join(self.parts), [], 0
            self.queue.put(data) if self.thread else self._load(data)

    def _run(self) -> None:
        while (data := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._load(data)
                except BaseException as e:  # noqa: BLE001 - raised again in the building thread
                    self.error = e

    def _load(self, data: bytes) -> None:
        import pyoxigraph as ox

        # lenient: skip IRI validation; this is our own serialisation
        self.st.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)


def _take(report: BuildReport, x: corpus.Extracted, seen: dict[str, str]) -> None:
    """Note one extracted report; two files of one force and cycle are refused."""
    if x.base in seen:
        force, cycle = x.summary.inspection.force, x.summary.inspection.cycle
        raise InputError(f"{x.path} and {seen[x.base]} are both the PEEL {cycle} inspection of {force}; give each report once.")
    seen[x.base] = x.path
    report.lines.extend(x.lines)
    report.counts.update(x.counts)
    report.reports.append(x.base)
    report.parsed += x.parsed
    report.reused += x.reused


def build(paths: list[str | Path] | None = None, store_dir: str | Path | None = None, out: str | Path | None = None,
          jobs: int | None = None, progress: bool | None = None) -> BuildReport:
    """Extract every report and replace the store's content with them (nothing is changed on error)."""
    from .graph import ontology_quads

    out, fmt = _out_format(out)
    files = sources(paths)
    path = store.location(store_dir)
    report, seen, summaries = BuildReport(out=out), {}, []
    with corpus.extract_many(files, jobs, progress, trig=fmt == "trig") as extracted, store.writing(path) as st:
        loader = _Loader(st, background=True)
        spool = _Spool(path, out, fmt) if fmt else None
        try:
            ontology = ontology_quads()
            st.bulk_extend(ontology)
            count = len(st)
            for x in extracted:
                _take(report, x, seen)
                loader.add(x.nquads)
                if spool:
                    spool.add(_graph(x.base).value, x.trig if fmt == "trig" else x.nquads)
                count += x.quads
                summaries.append(x.summary)
            loader.flush()
            links = cycles.quads(summaries)  # repetitions across each force's cycles
            st.extend(links)
            report.quads = count + len(links)
            # one sorted run per index instead of the many the bulk loads left: most queries 2-7x faster
            # (docs/QUERY-SPEED.md); 16 s at 400 reports. `add` and `remove` do not: each would pay that much
            st.optimize()
            if spool:  # before the swap: an export that cannot be written leaves the store as it was
                spool.add_quads(ontology + links)
                spool.write()
        finally:
            loader.close()
            if spool:
                spool.close()
    return report


def add(paths: list[str | Path], store_dir: str | Path | None = None, jobs: int | None = None,
        progress: bool | None = None) -> BuildReport:
    """Add the reports given to the store, replacing any of the same force and cycle; files whose text the
    store already holds (same sha256) are skipped. Links across cycles are made again for the forces
    changed. Nothing is changed on error."""
    import hashlib

    path = store.require(store.location(store_dir))
    files = sources(paths)
    held = _held_shas(path)
    report, todo = BuildReport(), []
    for f in files:
        try:
            sha = hashlib.sha256(f.read_bytes()).hexdigest()
        except OSError as e:
            raise InputError(f"{f}: cannot read ({e.strerror or e}).") from None
        (report.skipped if sha in held else todo).append(str(f) if sha in held else f)
    if not todo:
        return report
    seen: dict[str, str] = {}
    with corpus.extract_many(todo, jobs, progress) as extracted, store.writing(path, copy=True) as st:
        loader = _Loader(st)
        for x in extracted:
            _take(report, x, seen)
            _drop(st, x.base)
            loader.add(x.nquads)
        loader.flush()
        _relink(st, {k.split("/")[0] for k in report.reports})
    return report


def remove(key: str, store_dir: str | Path | None = None) -> BuildReport:
    """Drop one report (FORCE/CYCLE, as `reports` lists it) and its links; relink the force's other cycles."""
    from .vocab import force_slug

    path = store.require(store.location(store_dir))
    force, sep, cycle = key.strip().partition("/")
    base = f"{force_slug(force)}/{slug(cycle)}"
    if not sep or not cycle.strip() or not store.open_store(path).contains_named_graph(_graph(base)):
        raise InputError(f"{key}: no such report in the store at {path}; `peelgraph reports` lists them as FORCE/CYCLE.")
    with store.writing(path, copy=True) as st:
        _drop(st, base)
        _relink(st, {base.split("/")[0]})
    return BuildReport(removed=[base])


def _graph(name: str):
    import pyoxigraph as ox

    from .vocab import GRAPHS

    return ox.NamedNode(str(GRAPHS[name]))


def _drop(st, base: str) -> None:
    st.remove_graph(_graph(base))
    st.remove_graph(_graph(f"{base}/cycles"))


def _relink(st, forces: set[str]) -> None:
    """Make the links across cycles again for these forces (by slug): their old links graphs are dropped."""
    from .vocab import GRAPHS

    for g in list(st.named_graphs()):
        name = g.value.removeprefix(str(GRAPHS))
        if name.endswith("/cycles") and name.split("/")[0] in forces:
            st.remove_graph(g)
    st.extend(cycles.quads(cycles.summaries_in_store(st, forces)))


def _held_shas(path: Path) -> set[str]:
    from .vocab import PREFIXES

    q = "SELECT ?sha WHERE { GRAPH ?g { ?src a peel:SourceText ; peel:sha256 ?sha } }"
    return {row["sha"].value for row in store.open_store(path).query(q, prefixes=PREFIXES)}


_REPORTS_QUERY = """
SELECT ?g ?force ?cycle ?file ?sha ?cls (COUNT(?s) AS ?n) WHERE {
  GRAPH ?g {
    ?i a peel:Inspection ; peel:cycle ?cycle ; peel:ofForce ?f . ?f skos:prefLabel ?force .
    ?src a peel:SourceText ; peel:sha256 ?sha ; dcterms:source ?file .
    OPTIONAL {
      VALUES ?cls { peel:Judgment peel:AreaForImprovement peel:CauseOfConcern peel:Recommendation peel:Finding
                    peel:Metric peel:CausalClaim }
      ?s a ?cls
    }
  }
} GROUP BY ?g ?force ?cycle ?file ?sha ?cls"""
REPORT_COLUMNS = {"Judgment": "judgments", "AreaForImprovement": "afis", "CauseOfConcern": "concerns",
                  "Recommendation": "recommendations", "Finding": "findings", "Metric": "metrics",
                  "CausalClaim": "claims"}


def _report_rows(st) -> list[dict]:
    from .vocab import GRAPHS, PEEL, PREFIXES

    rows: dict[str, dict] = {}
    for r in st.query(_REPORTS_QUERY, prefixes=PREFIXES):
        key = r["g"].value.removeprefix(str(GRAPHS))
        row = rows.setdefault(key, {"report": key, "force": r["force"].value, "cycle": r["cycle"].value,
                                    "source": r["file"].value, "sha256": r["sha"].value,
                                    **{c: 0 for c in REPORT_COLUMNS.values()}})
        if r["cls"] is not None:
            row[REPORT_COLUMNS[r["cls"].value.removeprefix(str(PEEL._NS))]] = int(r["n"].value)
    return [rows[k] for k in sorted(rows, key=lambda k: (k.split("/")[0], cycles.cycle_key(rows[k]["cycle"])))]


def reports(store_dir: str | Path | None = None):
    """What the store holds, one row a report (a ``query.Result``, for ``query.render``)."""
    import pyoxigraph as ox

    from .query import Result

    rows = _report_rows(store.open_store(store.location(store_dir)))
    columns = ["report", "force", "cycle", "source", "sha256", *REPORT_COLUMNS.values()]
    lit = lambda v: ox.Literal(str(v), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")) \
        if isinstance(v, int) else ox.Literal(v)  # noqa: E731
    return Result(columns, [[lit(r[c]) for c in columns] for r in rows])


def summary(report: BuildReport) -> str:
    lines = list(report.lines)
    lines += [f"skipped {f}: the store already holds this text" for f in report.skipped]
    lines += [f"removed {k}" for k in report.removed]
    if report.counts:
        lines.append("counts: " + ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())))
    if report.quads is not None:
        lines.append(f"store: {report.quads} quads" + (f"; wrote {report.out}" if report.out else ""))
    elif report.reports:
        lines.append(f"store: added or replaced {', '.join(report.reports)}")
    return "\n".join(lines)
