"""Across cycles: which statements of a force's inspection repeat those of its previous inspection.

A step over the set of extracted Documents (it needs every report of a force), separate from the per-report
pipeline: for each force with two or more cycles, each pair of consecutive cycles is compared, and each area
for improvement, cause of concern and recommendation of the later inspection is linked to the statement of
the same kind in the earlier one that it repeats, by a deterministic lexical similarity of their headings
(the Dice coefficient of content-word stems; the stop words, stem length and thresholds are data in
``ontology/cycles.toml``). Earlier statements that nothing repeats are listed as not repeated. Records only;
``peelgraph.graph.cycle_quads`` writes them as RDF.

Linking needs little of each report: its force and cycle and the headings of its statements (a ``Summary``),
made from a Document as it is extracted, or read back from the store when ``add`` or ``remove`` changes one
of a force's reports; both give the same Summary, so a store built at once and one built report by report
hold the same links.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from . import resources
from .errors import PeelgraphError
from .model import Document, Span

KINDS = ("AreaForImprovement", "CauseOfConcern", "Recommendation")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Rules:
    stem: int
    same_area: float
    other_area: float
    stopwords: frozenset[str]


@lru_cache(maxsize=None)
def rules() -> Rules:
    path = resources.ontology("cycles.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        m = data["match"]
        r = Rules(int(m["stem"]), float(m["same_area"]), float(m["other_area"]),
                  frozenset(w.lower() for w in data["stopwords"]["words"]))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise PeelgraphError(f"{path}: cannot read the cycle-matching rules ({e}); fix the file or reinstall peelgraph.") from None
    if not (r.stem > 0 and 0 < r.same_area <= r.other_area <= 1):
        raise PeelgraphError(f"{path}: need stem > 0 and 0 < same_area <= other_area <= 1.")
    return r


def stems(text: str) -> frozenset[str]:
    """The content-word stems of a heading."""
    r = rules()
    words = _WORD.findall(text.replace("\u2019", "'").lower())
    return frozenset(w[: r.stem] for w in words if w not in r.stopwords)


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two headings' stems, rounded to 3 places (0 when either has none)."""
    x, y = stems(a), stems(b)
    if not x or not y:
        return 0.0
    return round(2 * len(x & y) / (len(x) + len(y)), 3)


@dataclass(frozen=True)
class Repeat:
    later: tuple[int, int]  # (document index, statement index)
    earlier: tuple[int, int]
    similarity: float


@dataclass
class Links:
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (earlier, later) documents: consecutive cycles
    repeats: list[Repeat] = field(default_factory=list)
    not_repeated: list[tuple[tuple[int, int], int]] = field(default_factory=list)  # (earlier statement, later doc)


@dataclass(frozen=True)
class Heading:
    kind: str
    area: str
    label: str
    ordinal: int
    heading: Span
    text: str  # the heading exactly as quoted in the source


@dataclass(frozen=True)
class Key:
    force: str
    cycle: str


@dataclass(frozen=True)
class Summary:
    """What linking needs of one report (it reads like a Document to ``link`` and ``graph.cycle_quads``)."""

    inspection: Key
    statements: tuple[Heading, ...]

    @classmethod
    def of(cls, doc: Document) -> Summary:
        return cls(Key(doc.inspection.force, doc.inspection.cycle), _ordered(
            Heading(s.kind, s.area, s.label, s.ordinal, s.heading, doc.quote(s.heading)) for s in doc.statements if s.kind in KINDS))

    def quote(self, span: Span) -> str:
        return next(h.text for h in self.statements if h.heading == span)


def _ordered(headings) -> tuple[Heading, ...]:
    return tuple(sorted(headings, key=lambda h: (h.heading.start, h.heading.end, h.kind)))


_SUMMARY_QUERY = """
SELECT ?force ?cycle ?cls ?label ?area ?ordinal ?start ?end ?text WHERE {
  GRAPH <%s> {
    ?i a peel:Inspection ; peel:cycle ?cycle ; peel:ofForce ?f . ?f skos:prefLabel ?force .
    OPTIONAL {
      VALUES ?cls { peel:AreaForImprovement peel:CauseOfConcern peel:Recommendation }
      ?s peel:inInspection ?i ; a ?cls ; rdfs:label ?label ; peel:area ?area ; peel:ordinal ?ordinal ; peel:evidence ?p .
      ?p peel:start ?start ; peel:end ?end ; peel:text ?text .
    }
  }
}"""


def summaries_in_store(store, forces: set[str]) -> list[Summary]:
    """The Summary of every report in ``store`` of the forces named by their slug (``vocab.force_slug``): each
    report graph ``<force>/<cycle>`` is read alone, so the cost does not grow with the rest of the store."""
    from .vocab import GRAPHS, PAREA, PEEL, PREFIXES

    kinds = {str(PEEL[k]): k for k in KINDS}
    graphs = sorted(g.value for g in store.named_graphs()
                    if g.value.startswith(str(GRAPHS)) and g.value.removeprefix(str(GRAPHS)).count("/") == 1
                    and g.value.removeprefix(str(GRAPHS)).split("/")[0] in forces)
    found: dict[Key, list[Heading]] = {}
    for g in graphs:
        for row in store.query(_SUMMARY_QUERY % g, prefixes=PREFIXES):
            key = Key(row["force"].value, row["cycle"].value)
            headings = found.setdefault(key, [])
            if row["cls"] is not None:
                span = Span(int(row["start"].value), int(row["end"].value))
                headings.append(Heading(kinds[row["cls"].value], row["area"].value.removeprefix(str(PAREA)),
                                        row["label"].value, int(row["ordinal"].value), span, row["text"].value))
    return [Summary(k, _ordered(v)) for k, v in sorted(found.items(), key=lambda kv: (kv[0].force, kv[0].cycle))]


def cycle_key(cycle: str) -> tuple[int, str]:
    """Cycles in time order: by the first year they name ('2021/22' before '2023–25')."""
    m = re.search(r"\d{4}", cycle)
    return (int(m.group()) if m else 0, cycle)


def link(docs: list[Document] | list[Summary]) -> Links:
    """Every repetition between consecutive cycles of each force among ``docs``."""
    from .vocab import force_slug

    by_force: dict[str, list[int]] = {}
    for k, d in enumerate(docs):
        by_force.setdefault(force_slug(d.inspection.force), []).append(k)
    out = Links()
    for force in sorted(by_force):
        ks = sorted(by_force[force], key=lambda k: cycle_key(docs[k].inspection.cycle))
        for a, b in zip(ks, ks[1:]):
            out.pairs.append((a, b))
            _link_pair(docs, a, b, out)
    return out


def _link_pair(docs: list[Document], a: int, b: int, out: Links) -> None:
    r = rules()
    earlier, later = docs[a], docs[b]
    candidates = []
    for j, s in enumerate(later.statements):
        if s.kind not in KINDS:
            continue
        for i, e in enumerate(earlier.statements):
            if e.kind != s.kind:
                continue
            score = similarity(s.label, e.label)
            same = s.area == e.area
            if score >= (r.same_area if same else r.other_area):
                candidates.append((-score, not same, j, i))
    used_later, used_earlier = set(), set()
    found = []
    for neg, _, j, i in sorted(candidates):
        if j in used_later or i in used_earlier:
            continue
        used_later.add(j)
        used_earlier.add(i)
        found.append(Repeat((b, j), (a, i), -neg))
    out.repeats.extend(sorted(found, key=lambda x: x.later))
    out.not_repeated.extend(((a, i), b) for i, e in enumerate(earlier.statements) if e.kind in KINDS and i not in used_earlier)


def quads(docs: list[Document] | list[Summary]) -> list:
    """The repetitions among ``docs`` (Documents or their Summaries) as quads (the step ``build`` runs over all
    its reports, and ``add`` and ``remove`` over the reports of the forces they change)."""
    from .graph import cycle_quads

    summaries = [d if isinstance(d, Summary) else Summary.of(d) for d in docs]
    return cycle_quads(summaries, link(summaries))
