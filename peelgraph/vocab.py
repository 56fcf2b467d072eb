"""Every IRI peelgraph uses, declared once. Other modules import terms from here, never write IRIs.

Plain strings, so that commands which never build RDF do not pay for importing rdflib; wrap a term in
``rdflib.URIRef`` (or ``pyoxigraph.NamedNode``) where a library needs one.
"""

from __future__ import annotations

import re

from .model import slug


class Namespace(str):
    """An IRI prefix: ``NS["local"]`` and ``NS.local`` give the full IRI."""

    def __getitem__(self, name):  # type: ignore[override]
        if not isinstance(name, str):
            return str.__getitem__(self, name)
        return str(self) + name

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return str(self) + name


class _Closed(type):
    """A namespace class whose terms are exactly its annotations: an undeclared term is an error."""

    def __new__(mcs, name, bases, ns):
        cls = super().__new__(mcs, name, bases, ns)
        for term in ns.get("__annotations__", {}):
            setattr(cls, term, str(ns["_NS"]) + term)
        return cls

    def __getitem__(cls, term: str) -> str:
        if term not in cls.__annotations__:
            raise KeyError(f"{term!r} is not declared in {cls.__name__}")
        return str(cls._NS) + term


RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PID = Namespace("https://w3id.org/peelgraph/id/")
PFAC = Namespace("https://w3id.org/peelgraph/factor/")
PAREA = Namespace("https://w3id.org/peelgraph/area/")
PENT = Namespace("https://w3id.org/peelgraph/entity/")
GRAPHS = Namespace("https://w3id.org/peelgraph/graph/")
ONTOLOGY_GRAPH = GRAPHS["ontology"]


class PEEL(metaclass=_Closed):
    """The peelgraph ontology (ontology/peel.ttl)."""

    _NS = Namespace("https://w3id.org/peelgraph/ontology#")

    # classes
    Force: str
    Inspection: str
    Area: str
    Judgment: str
    Grade: str
    JudgmentStatus: str
    Statement: str
    AreaForImprovement: str
    CauseOfConcern: str
    Recommendation: str
    Finding: str
    Polarity: str
    Modality: str
    Metric: str
    NationalStandard: str
    Team: str
    Initiative: str
    InitiativeType: str
    Factor: str
    Theme: str
    Condition: str
    CausalClaim: str
    Passage: str
    SourceText: str
    Extraction: str
    # individuals
    Outstanding: str
    Good: str
    Adequate: str
    RequiresImprovement: str
    Inadequate: str
    GradeScheme: str
    Graded: str
    Ungraded: str
    NotYetInspected: str
    Positive: str
    Negative: str
    Mixed: str
    Asserted: str
    Hedged: str
    Predicted: str
    peelgraph: str
    # properties
    ofForce: str
    cycle: str
    inspector: str
    inInspection: str
    area: str
    grade: str
    rank: str
    status: str
    graded: str
    order: str
    evidence: str
    context: str
    polarity: str
    ordinal: str
    source: str
    value: str
    unit: str
    metricKind: str
    numerator: str
    denominator: str
    confidenceInterval: str
    supports: str
    comparedTo: str
    meetsStandard: str
    direction: str
    standardKey: str
    text: str
    start: str
    end: str
    line: str
    page: str
    section: str
    inSource: str
    sha256: str
    length: str
    version: str
    rule: str
    mentions: str
    hasTheme: str
    relatedTo: str
    cause: str
    effect: str
    causes: str
    reaches: str
    reachesAsserted: str
    reachesClaim: str
    reachesArea: str
    cue: str
    modality: str
    matchedLabel: str
    instanceOf: str
    Mention: str
    GlossaryTerm: str
    statement: str
    concept: str
    # across cycles (peelgraph/cycles.py, ontology/areas.ttl)
    FrameworkArea: str
    frameworkCycle: str
    Repetition: str
    repeats: str
    later: str
    earlier: str
    similarity: str
    laterText: str
    earlierText: str
    notRepeatedIn: str
    previousInspection: str


GRADE_TERMS = {
    "Outstanding": PEEL.Outstanding,
    "Good": PEEL.Good,
    "Adequate": PEEL.Adequate,
    "Requires improvement": PEEL.RequiresImprovement,
    "Inadequate": PEEL.Inadequate,
}
STATUS_TERMS = {"graded": PEEL.Graded, "ungraded": PEEL.Ungraded, "not-yet-inspected": PEEL.NotYetInspected}
POLARITY_TERMS = {"Positive": PEEL.Positive, "Negative": PEEL.Negative, "Mixed": PEEL.Mixed}
MODALITY_TERMS = {"asserted": PEEL.Asserted, "hedged": PEEL.Hedged, "predicted": PEEL.Predicted}
STATEMENT_CLASSES = {
    "AreaForImprovement": PEEL.AreaForImprovement,
    "CauseOfConcern": PEEL.CauseOfConcern,
    "Recommendation": PEEL.Recommendation,
    "Finding": PEEL.Finding,
}
STATEMENT_PATHS = {"AreaForImprovement": "afi", "CauseOfConcern": "concern", "Recommendation": "recommendation", "Finding": "finding"}

PREFIXES = {
    "peel": str(PEEL._NS), "pid": str(PID), "pfac": str(PFAC), "parea": str(PAREA), "pent": str(PENT),
    "skos": str(SKOS), "prov": str(PROV), "org": str(ORG), "dcterms": str(DCTERMS), "rdfs": str(RDFS),
    "rdf": str(RDF), "xsd": str(XSD), "owl": str(OWL),
}
SPARQL_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


def force_slug(force: str) -> str:
    """'Wessex Police' -> 'wessex'; 'the Metropolitan Police Service' -> 'metropolitan'."""
    name = re.sub(r"^the\s+", "", force.strip(), flags=re.I)
    name = re.sub(r"\s+(?:Constabulary|Police Service|Police Force|Police)$", "", name, flags=re.I)
    return slug(name) or slug(force)
