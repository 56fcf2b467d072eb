"""Documents to RDF: the only place instance IRIs are minted.

Every node gets ``peel:evidence`` pointing at a ``peel:Passage`` whose ``peel:text`` is exactly
``source[peel:start:peel:end]``, and PROV saying which source text (by checksum) and extractor version
produced it. IRIs are readable and deterministic: the same report always gives the same graph.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from . import __version__, resources
from .model import GRADE_RANK, Document, Span
from .vocab import (
    GRADE_TERMS, GRAPHS, ONTOLOGY_GRAPH, PAREA, PEEL, PID, POLARITY_TERMS, PREFIXES, STATEMENT_CLASSES,
    STATEMENT_PATHS, STATUS_TERMS, force_slug, slug,
)

ONTOLOGY_FILES = ("peel.ttl", "areas.ttl", "factors.ttl", "entities.ttl")


def _dec(x: float) -> Literal:
    return Literal(Decimal(repr(float(x))).normalize() if x != int(x) else Decimal(int(x)), datatype=XSD.decimal)


def new_dataset() -> Dataset:
    ds = Dataset()
    for k, v in PREFIXES.items():
        ds.bind(k, v, replace=True)
    return ds


def add_ontology(ds: Dataset) -> None:
    g = ds.graph(ONTOLOGY_GRAPH)
    for name in ONTOLOGY_FILES:
        path = resources.ontology(name)
        if path.exists():
            g.parse(path, format="turtle")


class _Builder:
    def __init__(self, doc: Document, g: Graph, base: str):
        self.doc, self.g, self.base = doc, g, base
        self.activity = PID[f"{base}/extraction"]
        self.source = PID[f"{base}/source"]

    def iri(self, *parts: str) -> URIRef:
        return PID["/".join([self.base, *parts])]

    def add(self, s, p, o):
        self.g.add((s, p, o))

    def node(self, iri: URIRef, cls: URIRef, rule: str) -> URIRef:
        self.add(iri, RDF.type, cls)
        self.add(iri, PROV.wasGeneratedBy, self.activity)
        self.add(iri, PROV.wasDerivedFrom, self.source)
        self.add(iri, PEEL.rule, Literal(rule))
        return iri

    def passage(self, span: Span, section: tuple[str, ...] = ()) -> URIRef:
        iri = self.iri("passage", f"{span.start}-{span.end}")
        if (iri, RDF.type, PEEL.Passage) not in self.g:
            text = self.doc.quote(span)
            self.add(iri, RDF.type, PEEL.Passage)
            self.add(iri, PEEL.text, Literal(text))
            self.add(iri, PEEL.start, Literal(span.start, datatype=XSD.integer))
            self.add(iri, PEEL.end, Literal(span.end, datatype=XSD.integer))
            self.add(iri, PEEL.line, Literal(self.doc.source.count("\n", 0, span.start) + 1, datatype=XSD.integer))
            self.add(iri, PEEL.inSource, self.source)
            if section:
                self.add(iri, PEEL.section, Literal(" > ".join(s for s in section if s)))
        return iri

    def evidence(self, node: URIRef, span: Span, section: tuple[str, ...] = (), prop=PEEL.evidence) -> None:
        self.add(node, prop, self.passage(span, section))


def report_graph_iri(doc: Document) -> URIRef:
    return GRAPHS[report_base(doc)]


def report_base(doc: Document) -> str:
    insp = doc.inspection
    return f"{force_slug(insp.force)}/{slug(insp.cycle)}"


def add_document(ds: Dataset, doc: Document) -> URIRef:
    """Add one extracted report as its own named graph; returns the inspection IRI."""
    base = report_base(doc)
    g = ds.graph(GRAPHS[base])
    b = _Builder(doc, g, base)
    insp = doc.inspection

    b.add(b.source, RDF.type, PEEL.SourceText)
    b.add(b.source, RDF.type, PROV.Entity)
    b.add(b.source, PEEL.sha256, Literal(doc.sha256))
    b.add(b.source, PEEL.length, Literal(len(doc.source), datatype=XSD.integer))
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
        b.add(inspection, DCTERMS.issued, Literal(insp.issued, datatype=XSD.gYearMonth if len(insp.issued) == 7 else XSD.date))
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
        b.add(node, PEEL.ordinal, Literal(st.ordinal, datatype=XSD.integer))
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
    return inspection


def _area_label(key: str) -> str:
    from .extract.thesaurus import areas

    c = areas().get(key)
    return c.pref if c else key


def build_dataset(docs: list[Document]) -> Dataset:
    ds = new_dataset()
    add_ontology(ds)
    for doc in docs:
        add_document(ds, doc)
    return ds
