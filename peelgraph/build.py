"""Build: report files to one graph, written atomically to the store and, optionally, to a file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import cycles, parse, resources, store
from .errors import InputError, PeelgraphError
from .extract import run as extract
from .model import Document

SUFFIXES = (".txt", ".md", ".text", ".html", ".htm", ".pdf")
FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld"}


@dataclass
class BuildReport:
    documents: list[Document]
    quads: int
    counts: Counter = field(default_factory=Counter)
    out: Path | None = None


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
    return extract(parse.read(path))


def extract_all(paths: list[Path]) -> list[Document]:
    docs = [extract_file(p) for p in paths]
    seen: dict[tuple[str, str], str] = {}
    for d in docs:
        key = (d.inspection.force, d.inspection.cycle)
        if key in seen:
            raise InputError(f"{d.path} and {seen[key]} are both the PEEL {key[1]} inspection of {key[0]}; give each report once.")
        seen[key] = d.path
    return docs


def serialize(quads, fmt: str) -> bytes:
    """Deterministic serialisation: quads sorted, so the same graph always gives the same bytes."""
    import pyoxigraph as ox

    from .vocab import PREFIXES

    quads = sorted(set(quads), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
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


def build(paths: list[str | Path] | None = None, store_dir: str | Path | None = None, out: str | Path | None = None) -> BuildReport:
    """Extract every report and replace the store's content with them (nothing is written on error)."""
    from .graph import build_quads

    out_fmt = None
    if out is not None:
        out = Path(out)
        out_fmt = FORMATS.get(out.suffix.lower())
        if out_fmt is None:
            raise PeelgraphError(f"--out {out}: unknown format; use one of {', '.join(FORMATS)}.")
    docs = extract_all(sources(paths))
    quads = build_quads(docs) + cycles.quads(docs)  # repetitions across each force's cycles (peelgraph/cycles.py)
    if out_fmt:  # the export first: a path that cannot be written must not leave the store already replaced
        try:
            store.write_atomic(out, serialize(quads, out_fmt))
        except OSError as e:
            raise PeelgraphError(f"--out {out}: cannot write ({e.strerror or e}); nothing was changed.") from None
    count = store.replace(store.location(store_dir), quads)
    report = BuildReport(docs, count, out=out)
    for d in docs:
        report.counts.update(_counts(d))
    return report


def _counts(d: Document) -> Counter:
    c = Counter()
    c["graded judgments"] += sum(1 for j in d.judgments if j.grade)
    c["ungraded areas"] += sum(1 for j in d.judgments if not j.grade)
    for st in d.statements:
        c[{"AreaForImprovement": "areas for improvement", "CauseOfConcern": "causes of concern",
           "Recommendation": "recommendations", "Finding": "findings"}[st.kind]] += 1
    c["metrics"] += len(d.metrics)
    c["national standards"] += len(d.standards)
    for name in ("claims", "mentions", "factors"):
        if hasattr(d, name):
            c[{"claims": "causal claims", "mentions": "mentions", "factors": "factors"}[name]] += len(getattr(d, name))
    return c


def summary(report: BuildReport) -> str:
    from .extract.thesaurus import areas

    lines = []
    for d in report.documents:
        i = d.inspection
        lines.append(f"{i.force}, PEEL {i.cycle}" + (f", published {i.issued}" if i.issued else "") + (f", {i.inspector}" if i.inspector else ""))
        lines.append(f"  source {d.path} (sha256 {d.sha256[:12]})")
        width = max(len(areas()[j.area].pref if j.area in areas() else j.area) for j in d.judgments)
        for j in d.judgments:
            label = areas()[j.area].pref if j.area in areas() else j.area
            lines.append(f"  {label.ljust(width)}  {j.grade or '(' + j.status.replace('-', ' ') + ')'}")
        for w in d.warnings:
            lines.append(f"  warning: {w}")
    lines.append("counts: " + ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())))
    lines.append(f"store: {report.quads} quads" + (f"; wrote {report.out}" if report.out else ""))
    return "\n".join(lines)
