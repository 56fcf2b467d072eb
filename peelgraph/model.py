"""Typed records that flow through the pipeline: parse makes a Document, each extraction stage adds to it.

Every record carries a Span into ``Document.source``, the report's text exactly as read, so that
``source[span.start:span.end]`` is the evidence for it. Nothing here knows about RDF.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

GRADES = ("Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate")
GRADE_RANK = {g: 5 - i for i, g in enumerate(GRADES)}


def slug(text: str) -> str:
    """A readable key or IRI segment: lower case ASCII words joined by hyphens, apostrophes dropped."""
    text = text.replace("\u2019", "'").replace("'", "").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int

    def __post_init__(self):
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def cover(self, other: Span) -> Span:
        return Span(min(self.start, other.start), max(self.end, other.end))


@dataclass(frozen=True)
class Term:
    """A glossary link, ``[text](#)`` in the web export; ``span`` covers the visible text only."""

    text: str
    span: Span


@dataclass
class Block:
    """A paragraph, heading, list item, table row or grade line.

    ``text`` is the cleaned text the rules read: lines unwrapped, glossary markup dropped, curly quotes and
    dashes folded to ASCII, white space collapsed. ``offsets[i]`` is the source offset of ``text[i]``;
    ``offsets[len(text)]`` is one past the block's last source character.
    """

    kind: str  # heading | paragraph | item | table | grade
    text: str
    offsets: list[int]
    terms: list[Term] = field(default_factory=list)
    section: tuple[str, ...] = ()
    index: int = 0
    page_break_before: bool = False
    raw: Span | None = None  # the whole block in the source, glossary markup at either end included
    area: str | None = None  # the assessment area whose section holds the block (set by structure)
    sub: tuple[str, str] | None = None  # (statement kind, source) of the statement list it stands in, if any
    page: int | None = None  # the 1-based PDF page the block starts on (None when the source has no pages)

    @property
    def span(self) -> Span:
        return self.raw or self.subspan(0, len(self.text))

    def subspan(self, i: int, j: int) -> Span:
        """The source span of ``text[i:j]``."""
        if j <= i:
            return Span(self.offsets[i], self.offsets[i])
        return Span(self.offsets[i], self.offsets[j - 1] + 1)

    def sentences(self) -> list[tuple[int, int]]:
        """(start, end) positions in ``text`` of each sentence (computed once; blocks are not edited after
        parsing)."""
        cached = self.__dict__.get("_sentences")
        if cached is None or cached[0] is not self.text:
            cached = self.__dict__["_sentences"] = (self.text, sentence_bounds(self.text))
        return cached[1]


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9£])")
_NO_SPLIT_BEFORE = re.compile(r"(?:\b(?:e\.g|i\.e|etc|Mr|Mrs|Ms|Dr|No|St|vs|approx)\.|\b[A-Z]\.)$")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if _NO_SPLIT_BEFORE.search(text[start : m.start()]):
            continue
        bounds.append((start, m.start()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text.rstrip())))
    return [(i, j) for i, j in bounds if j > i]


@dataclass
class Inspection:
    force: str
    cycle: str
    issued: str | None  # ISO date, YYYY-MM or YYYY-MM-DD
    inspector: str | None
    force_span: Span
    cycle_span: Span
    issued_span: Span | None = None
    inspector_span: Span | None = None


@dataclass
class AreaSection:
    """A top-level section of the report that maps to an assessment area (graded or not)."""

    area: str  # key in the area scheme, e.g. "investigating-crime"
    heading: str
    span: Span  # the heading
    grade: str | None = None
    grade_span: Span | None = None
    status: str = "graded"  # graded | ungraded | not-yet-inspected
    status_span: Span | None = None


@dataclass
class TableEntry:
    """One label in the summary judgments table; its column gives the grade."""

    label: str
    area: str
    grade: str
    span: Span


@dataclass
class Judgment:
    area: str
    grade: str | None
    status: str  # graded | ungraded | not-yet-inspected
    evidence: list[Span]


@dataclass
class Statement:
    kind: str  # AreaForImprovement | CauseOfConcern | Recommendation | Finding
    source: str  # afi | concern | recommendation | main-findings | observation | victim-service | practice
    area: str
    label: str  # heading as written (white space collapsed)
    heading: Span
    body: Span  # heading and every paragraph up to the next heading
    blocks: list[int]  # indexes of the body blocks
    ordinal: int  # 1-based position among statements of the same kind in the same area
    polarity: str | None = None  # Positive | Negative | Mixed (findings only)


@dataclass
class Standard:
    key: str  # e.g. "999-answer-time"
    label: str
    value: float
    unit: str
    direction: str  # at-least | at-most
    span: Span


@dataclass
class Metric:
    kind: str  # percent | proportion | count | money | duration
    value: float
    unit: str
    label: str
    span: Span
    block: int
    numerator: float | None = None
    denominator: float | None = None
    ci: float | None = None
    ci_span: Span | None = None
    statement: int | None = None  # index into Document.statements
    area: str | None = None
    standard: int | None = None  # index into Document.standards
    meets: bool | None = None


@dataclass(frozen=True)
class Mention:
    scheme: str  # factor | team | initiative
    concept: str  # key in the scheme (factors, teams) or a slug of the name (initiatives)
    label: str  # the concept's display label
    matched: str  # the text that matched, as cleaned
    span: Span
    block: int


@dataclass
class Document:
    path: str
    source: str
    sha256: str
    blocks: list[Block] = field(default_factory=list)
    inspection: Inspection | None = None
    sections: list[AreaSection] = field(default_factory=list)
    table: list[TableEntry] = field(default_factory=list)
    judgments: list[Judgment] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    standards: list[Standard] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    claims: list[CausalClaim] = field(default_factory=list)
    pages: tuple[int, ...] = ()  # for a PDF, the offset in source where each page starts; empty otherwise

    def quote(self, span: Span) -> str:
        return self.source[span.start : span.end]

    def page_of(self, offset: int) -> int | None:
        """The 1-based page holding source[offset], or None when the source has no pages."""
        return bisect.bisect_right(self.pages, offset) if self.pages else None


@dataclass
class CausalClaim:
    """One causal link the text states: ``cause`` leads to ``effect``, signalled by ``cue``.

    Spans point into ``Document.source``; ``cause_text`` and ``effect_text`` are the cleaned text of each
    side (a side that resolves "This"/"It" to an earlier sentence quotes that sentence). ``evidence``
    covers the whole sentence(s) holding cause, cue and effect.
    """

    cause: Span
    effect: Span
    cue: Span
    cue_text: str  # the cue phrase as written in ontology/cues.toml
    cause_text: str
    effect_text: str
    evidence: Span
    block: int  # index of the block holding the cue
    statement: int | None  # index into Document.statements
    area: str | None
    rule: str  # which rule fired, e.g. "verb:mean", "anaphor:verb:limit", "construction:if-will"
    cause_factors: tuple[str, ...] = ()  # factor keys each side is an instance of (entities.link_claims)
    effect_factors: tuple[str, ...] = ()
    modality: str = "asserted"  # asserted | hedged | predicted (negated causation is never a claim)
