"""Every IRI peelgraph uses, declared once. Other modules import terms from here, never write IRIs."""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

PID = Namespace("https://w3id.org/peelgraph/id/")
PFAC = Namespace("https://w3id.org/peelgraph/factor/")
PAREA = Namespace("https://w3id.org/peelgraph/area/")
PENT = Namespace("https://w3id.org/peelgraph/entity/")
GRAPHS = Namespace("https://w3id.org/peelgraph/graph/")
ONTOLOGY_GRAPH = GRAPHS["ontology"]


class PEEL(DefinedNamespace):
    """The peelgraph ontology (ontology/peel.ttl)."""

    _NS = Namespace("https://w3id.org/peelgraph/ontology#")
    _fail = True

    # classes
    Force: URIRef
    Inspection: URIRef
    Area: URIRef
    Judgment: URIRef
    Grade: URIRef
    JudgmentStatus: URIRef
    Statement: URIRef
    AreaForImprovement: URIRef
    CauseOfConcern: URIRef
    Recommendation: URIRef
    Finding: URIRef
    Polarity: URIRef
    Metric: URIRef
    NationalStandard: URIRef
    Team: URIRef
    Initiative: URIRef
    InitiativeType: URIRef
    Factor: URIRef
    Theme: URIRef
    Condition: URIRef
    CausalClaim: URIRef
    Passage: URIRef
    SourceText: URIRef
    Extraction: URIRef
    # individuals
    Outstanding: URIRef
    Good: URIRef
    Adequate: URIRef
    RequiresImprovement: URIRef
    Inadequate: URIRef
    GradeScheme: URIRef
    Graded: URIRef
    Ungraded: URIRef
    NotYetInspected: URIRef
    Positive: URIRef
    Negative: URIRef
    Mixed: URIRef
    peelgraph: URIRef
    # properties
    ofForce: URIRef
    cycle: URIRef
    inspector: URIRef
    inInspection: URIRef
    area: URIRef
    grade: URIRef
    rank: URIRef
    status: URIRef
    graded: URIRef
    order: URIRef
    evidence: URIRef
    context: URIRef
    polarity: URIRef
    ordinal: URIRef
    source: URIRef
    value: URIRef
    unit: URIRef
    metricKind: URIRef
    numerator: URIRef
    denominator: URIRef
    confidenceInterval: URIRef
    supports: URIRef
    comparedTo: URIRef
    meetsStandard: URIRef
    direction: URIRef
    standardKey: URIRef
    text: URIRef
    start: URIRef
    end: URIRef
    line: URIRef
    section: URIRef
    inSource: URIRef
    sha256: URIRef
    length: URIRef
    version: URIRef
    rule: URIRef
    mentions: URIRef
    hasTheme: URIRef
    relatedTo: URIRef
    cause: URIRef
    effect: URIRef
    causes: URIRef
    cue: URIRef
    matchedLabel: URIRef
    instanceOf: URIRef
    Mention: URIRef
    statement: URIRef
    concept: URIRef


GRADE_TERMS = {
    "Outstanding": PEEL.Outstanding,
    "Good": PEEL.Good,
    "Adequate": PEEL.Adequate,
    "Requires improvement": PEEL.RequiresImprovement,
    "Inadequate": PEEL.Inadequate,
}
STATUS_TERMS = {"graded": PEEL.Graded, "ungraded": PEEL.Ungraded, "not-yet-inspected": PEEL.NotYetInspected}
POLARITY_TERMS = {"Positive": PEEL.Positive, "Negative": PEEL.Negative, "Mixed": PEEL.Mixed}
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


def slug(text: str) -> str:
    """A readable IRI segment: lower case ASCII words joined by hyphens."""
    text = text.replace("\u2019", "'").replace("'", "").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def force_slug(force: str) -> str:
    """'Wessex Police' -> 'wessex'; 'the Metropolitan Police Service' -> 'metropolitan'."""
    name = re.sub(r"^the\s+", "", force.strip(), flags=re.I)
    name = re.sub(r"\s+(?:Constabulary|Police Service|Police Force|Police)$", "", name, flags=re.I)
    return slug(name) or slug(force)
