"""Documents to RDF: the only place instance IRIs are minted.

Every node gets ``peel:evidence`` pointing at a ``peel:Passage`` whose ``peel:text`` is exactly
``source[peel:start:peel:end]``, and PROV saying which source text (by checksum) and extractor version
produced it. IRIs are readable and deterministic: the same report always gives the same graph.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from . import __version__, resources
from .model import Document, Span, slug
from .vocab import (
    DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD,
    GRADE_TERMS, GRAPHS, MODALITY_TERMS, ONTOLOGY_GRAPH, PAREA, PEEL, PENT, PFAC, PID, POLARITY_TERMS, PREFIXES,
    STATEMENT_CLASSES, STATEMENT_PATHS, STATUS_TERMS, force_slug,
)

ONTOLOGY_FILES = ("peel.ttl", "areas.ttl", "factors.ttl", "entities.ttl")
_XSD_STRING = ox.NamedNode(str(XSD.string))


def iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def Literal(value, datatype=None) -> ox.Literal:  # noqa: N802 - reads like rdflib's
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=iri(XSD.boolean))
    if datatype is not None:
        return ox.Literal(str(value), datatype=iri(datatype))
    return ox.Literal(str(value))


def _dec(x: float) -> ox.Literal:
    d = Decimal(repr(float(x))).normalize() if x != int(x) else Decimal(int(x))
    return Literal(format(d, "f"), XSD.decimal)


def ontology_quads() -> list[ox.Quad]:
    g = iri(ONTOLOGY_GRAPH)
    out = []
    for name in ONTOLOGY_FILES:
        path = resources.ontology(name)
        if path.exists():
            out.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    return out


class _Builder:
    """A report's graph as N-Quads lines, each term written by pyoxigraph (``str`` of a term is its N-Quads
    form, as ``ox.serialize`` writes it) and every IRI checked by ``ox.NamedNode`` once. Lines rather than
    ``ox.Quad`` objects: making a Quad whose object is a literal costs microseconds, and a report has ~10,000."""

    def __init__(self, doc: Document, base: str):
        self.doc, self.base = doc, base
        self.terms: dict[str, str] = {}  # IRI -> <IRI>
        self.graph = self.term(GRAPHS[base])
        self.lines: dict[str, None] = {}
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", doc.source)]
        self.activity = PID[f"{base}/extraction"]
        self.source = PID[f"{base}/source"]

    def iri(self, *parts: str) -> str:
        return PID["/".join([self.base, *parts])]

    def term(self, x) -> str:
        if isinstance(x, (ox.Literal, ox.NamedNode)):
            return str(x)
        t = self.terms.get(x)
        if t is None:
            t = self.terms[x] = str(iri(x))
        return t

    def add(self, s, p, o):
        t = self.terms
        self.lines[f"{t.get(s) or self.term(s)} {t.get(p) or self.term(p)} {t.get(o) or self.term(o)} {self.graph} .\n"] = None

    def has(self, s, p, o) -> bool:
        return f"{self.term(s)} {self.term(p)} {self.term(o)} {self.graph} .\n" in self.lines

    def nquads(self) -> bytes:
        """The graph as N-Quads in ``corpus.order``, the order of an export: for one graph that is the order of
        the lines (every term ends in '>', '"' or a datatype IRI's '>', so where one line's term is a prefix of
        another's, the space after it sorts first, as the shorter string does); code point order is the order
        of the UTF-8 bytes."""
        return "".join(sorted(self.lines)).encode("utf-8")

    def node(self, node: str, cls: str, rule: str) -> str:
        self.add(node, RDF.type, cls)
        self.add(node, PROV.wasGeneratedBy, self.activity)
        self.add(node, PROV.wasDerivedFrom, self.source)
        self.add(node, PEEL.rule, Literal(rule))
        return node

    def passage(self, span: Span, section: tuple[str, ...] = ()) -> str:
        node = self.iri("passage", f"{span.start}-{span.end}")
        if not self.has(node, RDF.type, PEEL.Passage):
            self.add(node, RDF.type, PEEL.Passage)
            self.add(node, PEEL.text, Literal(self.doc.quote(span)))
            self.add(node, PEEL.start, Literal(span.start, XSD.integer))
            self.add(node, PEEL.end, Literal(span.end, XSD.integer))
            self.add(node, PEEL.line, Literal(bisect.bisect_right(self.line_starts, span.start), XSD.integer))
            page = self.doc.page_of(span.start)  # PDFs only: the page the passage starts on
            if page is not None:
                self.add(node, PEEL.page, Literal(page, XSD.integer))
            self.add(node, PEEL.inSource, self.source)
            if any(section):
                self.add(node, PEEL.section, Literal(" > ".join(s for s in section if s)))
        return node

    def evidence(self, node: str, span: Span, section: tuple[str, ...] = (), prop=PEEL.evidence) -> None:
        self.add(node, prop, self.passage(span, section))


def report_graph_iri(doc: Document) -> str:
    return GRAPHS[report_base(doc)]


def report_base(doc: Document) -> str:
    insp = doc.inspection
    return f"{force_slug(insp.force)}/{slug(insp.cycle)}"


def document_quads(doc: Document) -> list[ox.Quad]:
    """One extracted report as quads in its own named graph."""
    return list(ox.parse(document_nquads(doc), format=ox.RdfFormat.N_QUADS))


def document_nquads(doc: Document) -> bytes:
    """One extracted report's named graph as N-Quads, sorted as an export is."""
    b = _Builder(doc, report_base(doc))
    insp = doc.inspection

    b.add(b.source, RDF.type, PEEL.SourceText)
    b.add(b.source, RDF.type, PROV.Entity)
    b.add(b.source, PEEL.sha256, Literal(doc.sha256))
    b.add(b.source, PEEL.length, Literal(len(doc.source), XSD.integer))
    b.add(b.source, DCTERMS.source, Literal(Path(doc.path).name))
    b.add(b.activity, RDF.type, PEEL.Extraction)
    b.add(b.activity, RDF.type, PROV.Activity)
    b.add(b.activity, PROV.used, b.source)
    b.add(b.activity, PROV.wasAssociatedWith, PEEL.peelgraph)
    b.add(b.activity, PEEL.version, Literal(__version__))

    force = b.node(PID[force_slug(insp.force)], PEEL.Force, "structure.force")
    b.add(force, RDF.type, ORG.Organization)
    b.add(force, SKOS.prefLabel, Literal(insp.force))
    b.add(force, RDFS.label, Literal(insp.force))
    b.evidence(force, insp.force_span)

    inspection = b.node(b.iri(), PEEL.Inspection, "structure.inspection")
    b.add(inspection, PEEL.ofForce, force)
    b.add(inspection, PEEL.cycle, Literal(insp.cycle))
    b.add(inspection, RDFS.label, Literal(f"PEEL {insp.cycle}: {insp.force}"))
    b.evidence(inspection, insp.cycle_span)
    if insp.issued:
        b.add(inspection, DCTERMS.issued, Literal(insp.issued, XSD.gYearMonth if len(insp.issued) == 7 else XSD.date))
        b.evidence(inspection, insp.issued_span)
    if insp.inspector:
        b.add(inspection, PEEL.inspector, Literal(insp.inspector))
        b.evidence(inspection, insp.inspector_span)

    for j in doc.judgments:
        node = b.node(b.iri("judgment", j.area), PEEL.Judgment, "structure.judgment")
        b.add(node, PEEL.inInspection, inspection)
        b.add(node, PEEL.area, PAREA[j.area])
        b.add(node, PEEL.status, STATUS_TERMS[j.status])
        label = f"{_area_label(j.area)}: {j.grade or j.status.replace('-', ' ')}"
        b.add(node, RDFS.label, Literal(label))
        if j.grade:
            b.add(node, PEEL.grade, GRADE_TERMS[j.grade])
        for span in j.evidence:
            b.evidence(node, span)

    for st in doc.statements:
        node = b.node(b.iri(STATEMENT_PATHS[st.kind], f"{st.area}-{st.ordinal}"), STATEMENT_CLASSES[st.kind], f"structure.{st.source}")
        b.add(node, RDF.type, PEEL.Statement)
        b.add(node, RDFS.label, Literal(st.label))
        b.add(node, PEEL.area, PAREA[st.area])
        b.add(node, PEEL.inInspection, inspection)
        b.add(node, PEEL.source, Literal(st.source))
        b.add(node, PEEL.ordinal, Literal(st.ordinal, XSD.integer))
        if st.polarity:
            b.add(node, PEEL.polarity, POLARITY_TERMS[st.polarity])
        section = doc.blocks[st.blocks[0]].section
        b.evidence(node, st.heading, section)
        b.evidence(node, st.body, section, prop=PEEL.context)

    standards = []
    for k, std in enumerate(doc.standards):
        node = b.node(b.iri("standard", f"{std.key}-{k + 1}"), PEEL.NationalStandard, "metrics.standard")
        b.add(node, RDFS.label, Literal(std.label))
        b.add(node, PEEL.standardKey, Literal(std.key))
        b.add(node, PEEL.value, _dec(std.value))
        b.add(node, PEEL.unit, Literal(std.unit))
        b.add(node, PEEL.direction, Literal(std.direction))
        b.add(node, PEEL.inInspection, inspection)
        b.evidence(node, std.span)
        standards.append(node)
        for st in doc.statements:
            if st.body.start <= std.span.start < st.body.end:
                b.add(_statement_iri(b, doc, doc.statements.index(st)), PEEL.mentions, node)

    counters: dict[str, int] = {}
    for m in doc.metrics:
        scope = m.area or "report"
        counters[scope] = counters.get(scope, 0) + 1
        node = b.node(b.iri("metric", f"{scope}-{counters[scope]}"), PEEL.Metric, f"metrics.{m.kind}")
        b.add(node, RDFS.label, Literal(m.label))
        b.add(node, PEEL.metricKind, Literal(m.kind))
        b.add(node, PEEL.value, _dec(m.value))
        b.add(node, PEEL.unit, Literal(m.unit))
        b.add(node, PEEL.inInspection, inspection)
        if m.area:
            b.add(node, PEEL.area, PAREA[m.area])
        if m.numerator is not None:
            b.add(node, PEEL.numerator, _dec(m.numerator))
            b.add(node, PEEL.denominator, _dec(m.denominator))
        if m.ci is not None:
            b.add(node, PEEL.confidenceInterval, _dec(m.ci))
            b.evidence(node, m.ci_span)
        if m.statement is not None:
            st = doc.statements[m.statement]
            b.add(node, PEEL.supports, b.iri(STATEMENT_PATHS[st.kind], f"{st.area}-{st.ordinal}"))
        if m.standard is not None:
            b.add(node, PEEL.comparedTo, standards[m.standard])
            b.add(node, PEEL.meetsStandard, Literal(bool(m.meets)))
        b.evidence(node, m.span, doc.blocks[m.block].section)
    _add_mentions(b, doc, force)
    _add_claims(b, doc)
    return b.nquads()


def _statement_iri(b: _Builder, doc: Document, k: int | None) -> str | None:
    if k is None:
        return None
    st = doc.statements[k]
    return b.iri(STATEMENT_PATHS[st.kind], f"{st.area}-{st.ordinal}")


def _sentence(doc: Document, block: int, span: Span) -> Span:
    """The sentence(s) of a block that hold span: the evidence a reader checks."""
    b = doc.blocks[block]
    for s, e in b.sentences():
        sub = b.subspan(s, e)
        if sub.start <= span.start < sub.end or sub.start < span.end <= sub.end:
            return sub.cover(span)
    return span


def _add_mentions(b: _Builder, doc: Document, force: str) -> None:
    """Statements -> factors, teams and initiatives they name (peel:mentions, with a Mention node holding the
    matched words and the sentence), themes, and peel:relatedTo between statements in different areas that
    share a factor or a team."""
    from .extract.entities import factors

    statement_of = {j: k for k, st in enumerate(doc.statements) for j in st.blocks}
    fac = factors().concepts
    shared: dict[str, set[int]] = {}
    named: dict[tuple[str, str], str] = {}
    for m in sorted(doc.mentions, key=lambda m: (m.span, m.scheme, m.concept)):
        if m.scheme == "factor":
            target = PFAC[m.concept]
        elif m.scheme == "team":
            target = b.iri("team", m.concept)
            if not b.has(target, RDF.type, PEEL.Team):
                b.node(target, PEEL.Team, "entities.team")
                b.add(target, RDF.type, ORG.OrganizationalUnit)
                b.add(target, ORG.unitOf, force)
                b.add(target, RDFS.label, Literal(m.label))
                b.add(target, PEEL.instanceOf, PENT[m.concept])
                b.evidence(target, m.span)
        else:  # initiatives and glossary terms: one node per distinct name in the report
            cls, path = (PEEL.Initiative, "initiative") if m.scheme == "initiative" else (PEEL.GlossaryTerm, "term")
            target = named.get((path, m.concept))
            if target is None:
                target = named[(path, m.concept)] = b.node(b.iri(path, m.concept), cls, f"entities.{m.scheme}")
                b.add(target, RDFS.label, Literal(m.label))
                b.evidence(target, m.span)
        node = b.node(b.iri("mention", f"{m.span.start}-{m.span.end}-{m.scheme}"), PEEL.Mention, f"entities.{m.scheme}")
        b.add(node, PEEL.inInspection, b.iri())
        b.add(node, PEEL.concept, target)
        b.add(node, PEEL.matchedLabel, Literal(m.matched))
        b.evidence(node, _sentence(doc, m.block, m.span), doc.blocks[m.block].section)
        area = doc.blocks[m.block].area
        if area:
            b.add(node, PEEL.area, PAREA[area])
        k = statement_of.get(m.block)
        st = _statement_iri(b, doc, k)
        if st is None:
            continue
        b.add(node, PEEL.statement, st)
        b.add(st, PEEL.mentions, target)
        if m.scheme == "factor":
            for theme in fac[m.concept].broader:
                b.add(st, PEEL.hasTheme, PFAC[theme])
        if m.scheme in ("factor", "team"):
            shared.setdefault(target, set()).add(k)
    for target, ks in shared.items():
        for x in ks:
            for y in ks:
                if doc.statements[x].area != doc.statements[y].area:
                    b.add(_statement_iri(b, doc, x), PEEL.relatedTo, _statement_iri(b, doc, y))


def _add_claims(b: _Builder, doc: Document) -> None:
    """Causal claims: a CausalClaim node (cause, effect, cue, modality, evidence, statement, area) and the direct
    edge ``cause peel:causes effect`` between Condition nodes. A cause that restates an earlier effect
    (the "This" of "This means ...") reuses that effect's node, so chains connect."""
    nodes: list[tuple[Span, str]] = []  # effect spans seen so far, in order
    instances: dict[str, set[str]] = {}  # condition -> the factors it is an instance of

    def instance_of(iri: str, factors) -> None:
        for key in factors:
            b.add(iri, PEEL.instanceOf, PFAC[key])
        instances.setdefault(iri, set()).update(factors)

    def condition(span: Span, text: str, claim_index: int, role: str) -> str:
        c = doc.claims[claim_index]
        factors = c.cause_factors if role == "cause" else c.effect_factors
        if role == "cause":
            for eff, iri in reversed(nodes):
                if eff.start < span.end and span.start < eff.end:
                    instance_of(iri, factors)
                    return iri
        iri = b.iri("condition", f"{span.start}-{span.end}")
        if not b.has(iri, RDF.type, PEEL.Condition):
            b.node(iri, PEEL.Condition, "causal.condition")
            b.add(iri, PEEL.inInspection, b.iri())
            b.add(iri, RDFS.label, Literal(text))
            b.evidence(iri, span, doc.blocks[c.block].section)
            if c.area:
                b.add(iri, PEEL.area, PAREA[c.area])
            st = _statement_iri(b, doc, c.statement)
            if st is not None:
                b.add(iri, PEEL.statement, st)
            instance_of(iri, factors)
        return iri

    counters: dict[str, int] = {}
    edges: list[tuple[str, str, bool]] = []  # (cause, effect, asserted) of every peel:causes edge
    claims: list[tuple[str, str, str | None]] = []  # (claim, cause, area)
    for k, c in enumerate(doc.claims):
        cause = condition(c.cause, c.cause_text, k, "cause")
        effect = condition(c.effect, c.effect_text, k, "effect")
        nodes.append((c.effect, effect))
        scope = c.area or "report"
        counters[scope] = counters.get(scope, 0) + 1
        node = b.node(b.iri("claim", f"{scope}-{counters[scope]}"), PEEL.CausalClaim, f"causal.{c.rule}")
        b.add(node, PEEL.inInspection, b.iri())
        b.add(node, PEEL.cause, cause)
        b.add(node, PEEL.effect, effect)
        b.add(node, PEEL.cue, Literal(doc.quote(c.cue)))
        b.add(node, PEEL.modality, MODALITY_TERMS[c.modality])
        b.add(node, RDFS.label, Literal(f"{c.cause_text} → {c.effect_text}"))
        b.evidence(node, c.evidence, doc.blocks[c.block].section)
        if c.area:
            b.add(node, PEEL.area, PAREA[c.area])
        st = _statement_iri(b, doc, c.statement)
        if st is not None:
            b.add(node, PEEL.statement, st)
        if cause != effect:
            b.add(cause, PEEL.causes, effect)
            edges.append((cause, effect, c.modality == "asserted"))
        claims.append((node, cause, c.area))
    reach = _add_reach(b, edges)
    _add_factor_reach(b, instances, reach, claims)


def _add_reach(b: _Builder, edges: list[tuple[str, str, bool]]) -> dict[str, set[str]]:
    """The reach relation, materialised so that queries need no unbounded property path: ``x peel:reaches y``
    where a chain of one or more ``peel:causes`` edges of this report leads from x to y (``peel:causes+``),
    and ``x peel:reachesAsserted y`` where such a chain has only asserted claims. Returns peel:reaches."""
    reaches: dict[str, set[str]] = {}
    for prop, keep in ((PEEL.reaches, lambda asserted: True), (PEEL.reachesAsserted, bool)):
        out: dict[str, set[str]] = {}
        for cause, effect, asserted in edges:
            if keep(asserted):
                out.setdefault(cause, set()).add(effect)
        for start in sorted(out):
            seen, todo = set(), sorted(out[start])
            while todo:
                x = todo.pop()
                if x not in seen:
                    seen.add(x)
                    todo.extend(out.get(x, ()))
            for x in sorted(seen):
                b.add(start, prop, x)
            if prop == PEEL.reaches:
                reaches[start] = seen
    return reaches


def _add_factor_reach(b: _Builder, instances: dict[str, set[str]], reaches: dict[str, set[str]],
                      claims: list[tuple[str, str, str | None]]) -> None:
    """What each factor's causal chains reach in this report, materialised for the national picture:
    ``f peel:reachesClaim claim`` where the claim's cause is an instance of f or is reached (peel:reaches) from
    one, and ``f peel:reachesArea a`` for the areas of those claims."""
    chains: dict[str, set[str]] = {}  # factor -> its conditions and every node they reach
    for c, factors in instances.items():
        for f in factors:
            chains.setdefault(f, set()).update({c}, reaches.get(c, ()))
    for f in sorted(chains):
        for claim, cause, area in claims:
            if cause in chains[f]:
                b.add(PFAC[f], PEEL.reachesClaim, claim)
                if area:
                    b.add(PFAC[f], PEEL.reachesArea, PAREA[area])


def _area_label(key: str) -> str:
    from .extract.thesaurus import areas

    c = areas().get(key)
    return c.pref if c else key


def build_quads(docs: list[Document]) -> list[ox.Quad]:
    quads = ontology_quads()
    for doc in docs:
        quads.extend(document_quads(doc))
    return quads


def build_dataset(docs: list[Document]):
    """The same graph as an rdflib Dataset (for SHACL and for tests that compare graphs)."""
    from rdflib import Dataset

    ds = Dataset()
    for k, v in PREFIXES.items():
        ds.bind(k, v, replace=True)
    ds.parse(data=ox.serialize(build_quads(docs), format=ox.RdfFormat.N_QUADS), format="nquads")
    return ds


def cycle_quads(docs: list[Document], links) -> list[ox.Quad]:
    """Repetitions between consecutive cycles of a force (``peelgraph.cycles.link``) as RDF, in the named graph
    ``<force>/<later cycle>/cycles``: ``later peel:repeats earlier``, a ``peel:Repetition`` with the similarity
    and both headings as quoted, and ``peel:notRepeatedIn`` the later inspection on earlier statements that
    nothing repeats."""
    quads: dict[ox.Quad, None] = {}

    def statement(k: int, i: int) -> tuple[str, str, Span]:
        doc, st = docs[k], docs[k].statements[i]
        base = report_base(doc)
        return PID[f"{base}/{STATEMENT_PATHS[st.kind]}/{st.area}-{st.ordinal}"], base, st.heading

    def add(g, s, p, o):
        o = o if isinstance(o, (ox.Literal, ox.NamedNode)) else iri(o)
        quads[ox.Quad(iri(s), iri(p), o, g)] = None

    for a, b in links.pairs:
        lbase = report_base(docs[b])
        add(iri(GRAPHS[f"{lbase}/cycles"]), PID[lbase], PEEL.previousInspection, PID[report_base(docs[a])])
    for r in links.repeats:
        later, lbase, lspan = statement(*r.later)
        earlier, ebase, espan = statement(*r.earlier)
        g = iri(GRAPHS[f"{lbase}/cycles"])
        st = docs[r.later[0]].statements[r.later[1]]
        node = PID[f"{lbase}/repeat/{STATEMENT_PATHS[st.kind]}/{st.area}-{st.ordinal}"]
        add(g, later, PEEL.repeats, earlier)
        add(g, node, RDF.type, PEEL.Repetition)
        add(g, node, PEEL.rule, Literal("cycles.dice"))
        add(g, node, RDFS.label, Literal(f"{st.label} (repeats {docs[r.earlier[0]].inspection.cycle})"))
        add(g, node, PEEL.later, later)
        add(g, node, PEEL.earlier, earlier)
        add(g, node, PEEL.similarity, _dec(r.similarity))
        add(g, node, PEEL.laterText, Literal(docs[r.later[0]].quote(lspan)))
        add(g, node, PEEL.earlierText, Literal(docs[r.earlier[0]].quote(espan)))
        add(g, node, PEEL.evidence, PID[f"{lbase}/passage/{lspan.start}-{lspan.end}"])
        add(g, node, PEEL.evidence, PID[f"{ebase}/passage/{espan.start}-{espan.end}"])
        add(g, node, PROV.wasGeneratedBy, PID[f"{lbase}/extraction"])  # the build that extracted the later report
        add(g, node, PROV.wasDerivedFrom, PID[f"{lbase}/source"])
        add(g, node, PROV.wasDerivedFrom, PID[f"{ebase}/source"])
    for (k, i), later_doc in links.not_repeated:
        earlier, _, _ = statement(k, i)
        lbase = report_base(docs[later_doc])
        add(iri(GRAPHS[f"{lbase}/cycles"]), earlier, PEEL.notRepeatedIn, PID[lbase])
    return list(quads)
