"""The ontology (ontology/peel.ttl), the SHACL shapes (ontology/shapes.ttl) and the violation queries
(queries/checks/*-violation.rq): every term is declared, the seed graph conforms, broken graphs do not."""

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

from peelgraph import extract, graph
from peelgraph.model import GRADE_RANK
from peelgraph.parse import read
from peelgraph.vocab import GRADE_TERMS, PEEL

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
CHECKS = sorted((ROOT / "queries" / "checks").glob("*-violation.rq"))
SEED = ROOT / "seeds" / "derbyshire-peel-2021-22.txt"
W3C = tuple(str(ns) for ns in (RDF, RDFS, SKOS, PROV, ORG, DCTERMS, OWL, XSD))
VOCAB = sorted(URIRef(PEEL[name]) for name in PEEL.__annotations__)

# A small report graph that uses every shape and passes every check. Each broken case below edits it.
GOOD = """
@prefix peel: <https://w3id.org/peelgraph/ontology#> .
@prefix parea: <https://w3id.org/peelgraph/area/> .
@prefix pfac: <https://w3id.org/peelgraph/factor/> .
@prefix pent: <https://w3id.org/peelgraph/entity/> .
@prefix w: <https://w3id.org/peelgraph/id/wessex/2023-25/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

parea:responding-to-the-public a peel:Area, skos:Concept ; skos:prefLabel "Responding to the public"@en ; peel:graded true .
pfac:call-handling-staff a peel:Factor, skos:Concept ; skos:prefLabel "call handling staff"@en .
pent:workforce a peel:Theme, skos:Concept ; skos:prefLabel "workforce"@en .
pent:control-room a peel:Team, skos:Concept ; skos:prefLabel "control room"@en .

w:source a peel:SourceText, prov:Entity ; peel:length 200 ;
    peel:sha256 "4597a814064c4a3ce4aae8e252f4d58d828668aa5a507d3da77d2ba905ce9cd5" .
w:extraction a peel:Extraction, prov:Activity ; prov:used w:source ; prov:wasAssociatedWith peel:peelgraph ; peel:version "0.1.0" .
w:p-force a peel:Passage ; peel:text "Wessex Police" ; peel:start 0 ; peel:end 13 ; peel:line 1 ; peel:inSource w:source .
w:p-cycle a peel:Passage ; peel:text "2023/25" ; peel:start 14 ; peel:end 21 ; peel:line 2 ; peel:inSource w:source .
w:p-grade a peel:Passage ; peel:text "Good" ; peel:start 30 ; peel:end 34 ; peel:line 3 ; peel:inSource w:source .
w:p-afi a peel:Passage ; peel:text "Answer calls faster" ; peel:start 40 ; peel:end 59 ; peel:inSource w:source ; peel:section "Responding to the public" .
w:p-share a peel:Passage ; peel:text "4 of 8 calls" ; peel:start 60 ; peel:end 72 ; peel:inSource w:source .
w:p-standard a peel:Passage ; peel:text "at most 5 percent" ; peel:start 80 ; peel:end 97 ; peel:inSource w:source .
w:p-rate a peel:Passage ; peel:text "4.8 percent" ; peel:start 100 ; peel:end 111 ; peel:inSource w:source .
w:p-claim a peel:Passage ; peel:text "Too few staff means slow answers" ; peel:start 120 ; peel:end 152 ; peel:inSource w:source .

w:force a peel:Force, org:Organization ; rdfs:label "Wessex Police" ; peel:evidence w:p-force ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:inspection a peel:Inspection ; rdfs:label "PEEL 2023/25: Wessex Police" ; peel:ofForce w:force ;
    peel:cycle "2023/25" ; dcterms:issued "2024-05"^^xsd:gYearMonth ; peel:evidence w:p-cycle ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:judgment a peel:Judgment ; peel:inInspection w:inspection ; peel:area parea:responding-to-the-public ;
    peel:status peel:Graded ; peel:grade peel:Good ; peel:evidence w:p-grade ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:afi a peel:AreaForImprovement, peel:Statement ; rdfs:label "Answer calls faster" ; peel:ordinal 1 ; peel:source "afi" ;
    peel:area parea:responding-to-the-public ; peel:inInspection w:inspection ; peel:evidence w:p-afi ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:finding a peel:Finding, peel:Statement ; rdfs:label "Too few staff means slow answers" ; peel:polarity peel:Negative ;
    peel:area parea:responding-to-the-public ; peel:inInspection w:inspection ; peel:evidence w:p-claim ;
    peel:mentions pfac:call-handling-staff, w:control-room ; peel:hasTheme pent:workforce ; peel:relatedTo w:afi ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:control-room a peel:Team ; peel:instanceOf pent:control-room ; peel:matchedLabel "control room" .
w:standard a peel:NationalStandard ; rdfs:label "Calls abandoned" ; peel:standardKey "call-abandonment" ;
    peel:value 5.0 ; peel:unit "percent" ; peel:direction "at-most" ; peel:inInspection w:inspection ; peel:evidence w:p-standard ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:share a peel:Metric ; rdfs:label "4 of 8 calls" ; peel:metricKind "proportion" ; peel:unit "proportion" ;
    peel:value 0.5 ; peel:numerator 4.0 ; peel:denominator 8.0 ; peel:supports w:afi ;
    peel:inInspection w:inspection ; peel:area parea:responding-to-the-public ; peel:evidence w:p-share ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:rate a peel:Metric ; rdfs:label "4.8 percent" ; peel:metricKind "percent" ; peel:unit "percent" ;
    peel:value 4.8 ; peel:confidenceInterval 0.5 ; peel:comparedTo w:standard ; peel:meetsStandard true ;
    peel:inInspection w:inspection ; peel:evidence w:p-rate ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:mention a peel:Mention ; peel:concept pfac:call-handling-staff ; peel:matchedLabel "staff" ; peel:statement w:finding ;
    peel:area parea:responding-to-the-public ; peel:evidence w:p-claim ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:few-staff a peel:Condition ; rdfs:label "Too few staff" ; peel:instanceOf pfac:call-handling-staff ; peel:evidence w:p-claim ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:slow-answers a peel:Condition ; rdfs:label "slow answers" ; peel:area parea:responding-to-the-public ; peel:evidence w:p-claim ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:claim a peel:CausalClaim ; peel:cause w:few-staff ; peel:effect w:slow-answers ; peel:cue "means" ; peel:modality peel:Asserted ;
    rdfs:label "Too few staff → slow answers" ; peel:statement w:finding ; peel:evidence w:p-claim ;
    prov:wasGeneratedBy w:extraction ; prov:wasDerivedFrom w:source ; peel:rule "test" .
w:few-staff peel:causes w:slow-answers ; peel:reaches w:slow-answers ; peel:reachesAsserted w:slow-answers .
w:claim peel:area parea:responding-to-the-public .
pfac:call-handling-staff peel:reachesClaim w:claim ; peel:reachesArea parea:responding-to-the-public .
"""
W = "https://w3id.org/peelgraph/id/wessex/2023-25/"

# (case, old text in GOOD, new text, the focus node a SHACL result must name)
SHAPE_BREAKS = [
    ("grade-literal", "peel:grade peel:Good", 'peel:grade "Good"', "judgment"),
    ("two-grades", "peel:grade peel:Good", "peel:grade peel:Good, peel:Adequate", "judgment"),
    ("graded-without-grade", "peel:grade peel:Good ;", "", "judgment"),
    ("grade-but-ungraded", "peel:status peel:Graded", "peel:status peel:Ungraded", "judgment"),
    ("bad-status", "peel:status peel:Graded", 'peel:status "graded"', "judgment"),
    ("cycle-pattern", 'peel:cycle "2023/25"', 'peel:cycle "2023"', "inspection"),
    ("two-forces", "peel:ofForce w:force", "peel:ofForce w:force, w:judgment", "inspection"),
    ("statement-no-evidence", "peel:evidence w:p-afi ;", "", "afi"),
    ("statement-empty-label", 'rdfs:label "Answer calls faster"', 'rdfs:label " "', "afi"),
    ("statement-unknown-area", "peel:area parea:responding-to-the-public ; peel:inInspection w:inspection ; peel:evidence w:p-afi",
     "peel:area parea:nowhere ; peel:inInspection w:inspection ; peel:evidence w:p-afi", "afi"),
    ("polarity-literal", "peel:polarity peel:Negative", 'peel:polarity "Negative"', "finding"),
    ("metric-no-value", "peel:value 0.5 ;", "", "share"),
    ("metric-value-string", "peel:value 0.5 ;", 'peel:value "0.5" ;', "share"),
    ("numerator-over-denominator", "peel:numerator 4.0", "peel:numerator 9.0", "share"),
    ("numerator-alone", "peel:denominator 8.0 ;", "", "share"),
    ("metric-kind", 'peel:metricKind "percent"', 'peel:metricKind "percentage"^^xsd:string', "rate"),
    ("meets-without-compared", "peel:comparedTo w:standard ;", "", "rate"),
    ("compared-to-statement", "peel:comparedTo w:standard", "peel:comparedTo w:afi", "rate"),
    ("standard-direction", 'peel:direction "at-most"', 'peel:direction "below"', "standard"),
    ("passage-end-before-start", "peel:start 30 ; peel:end 34", "peel:start 30 ; peel:end 29", "p-grade"),
    ("passage-no-source", "peel:end 13 ; peel:line 1 ; peel:inSource w:source", "peel:end 13 ; peel:line 1", "p-force"),
    ("evidence-not-passage", "peel:evidence w:p-grade", "peel:evidence w:force", "force"),
    ("no-provenance", 'peel:evidence w:p-rate ;\n    prov:wasGeneratedBy w:extraction ;', "peel:evidence w:p-rate ;", "rate"),
    ("claim-no-evidence", 'w:finding ; peel:evidence w:p-claim ;', 'w:finding ;', "claim"),
    ("claim-no-cue", 'peel:cue "means" ;', "", "claim"),
    ("claim-cause-is-statement", "peel:cause w:few-staff", "peel:cause w:afi", "claim"),
    ("claim-no-modality", "peel:modality peel:Asserted ;", "", "claim"),
    ("claim-two-modalities", "peel:modality peel:Asserted", "peel:modality peel:Asserted, peel:Hedged", "claim"),
    ("claim-modality-literal", "peel:modality peel:Asserted", 'peel:modality "asserted"', "claim"),
    ("claim-modality-not-a-modality", "peel:modality peel:Asserted", "peel:modality peel:Negative", "claim"),
    ("modality-on-condition", 'rdfs:label "slow answers" ;', 'rdfs:label "slow answers" ; peel:modality peel:Hedged ;',
     "slow-answers"),
    ("mention-without-concept", "peel:concept pfac:call-handling-staff ;", "", "mention"),
    ("mention-of-statement", "peel:concept pfac:call-handling-staff", "peel:concept w:afi", "mention"),
    ("instance-of-statement", "peel:instanceOf pfac:call-handling-staff", "peel:instanceOf w:afi", "few-staff"),
    ("in-statement-not-statement", "peel:statement w:finding ;\n    peel:area", "peel:statement w:share ;\n    peel:area", "mention"),
    ("related-to-metric", "peel:relatedTo w:afi", "peel:relatedTo w:share", "share"),
]

# check name -> (old text in GOOD, new text); an empty old text appends the new text
CHECK_BREAKS = {
    "passage-length": ("peel:start 30 ; peel:end 34", "peel:start 30 ; peel:end 35"),
    "passage-bounds": ("peel:length 200", "peel:length 100"),
    "orphan-passage": ("", 'w:p-orphan a peel:Passage ; peel:text "x" ; peel:start 1 ; peel:end 2 ; peel:inSource w:source .'),
    "grade-without-judgment": ("peel:grade peel:Good", 'peel:grade "Good"'),
    "judgment-without-grade": ("peel:grade peel:Good ;", ""),
    "judgment-conflict": ("peel:grade peel:Good", "peel:grade peel:Good, peel:Adequate"),
    "statement-without-evidence": ("peel:evidence w:p-afi ;", ""),
    "metric-proportion": ("peel:numerator 4.0", "peel:numerator 9.0"),
    "standard-comparison": ("peel:meetsStandard true", "peel:meetsStandard false"),
    "causal-claim-without-evidence": ('w:finding ; peel:evidence w:p-claim ;', 'w:finding ;'),
    "causal-edge": ("w:few-staff peel:causes w:slow-answers ;", "w:few-staff"),
    "reach": ("peel:reaches w:slow-answers ;", ""),
    "factor-reach": ("pfac:call-handling-staff peel:reachesClaim w:claim ;", "pfac:call-handling-staff"),
    "report-graph": ("w:claim a peel:CausalClaim ;", "w:claim a peel:CausalClaim ; peel:inInspection w:elsewhere ;"),
}


def edit(old: str, new: str) -> str:
    if not old:
        return GOOD + new
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def flat(ds: Dataset) -> Graph:
    """One graph of every quad: pySHACL validates each named graph of a Dataset on its own."""
    g = Graph()
    for s, p, o, _ in ds.quads():
        g.add((s, p, o))
    return g


def to_store(nquads: bytes) -> ox.Store:
    store = ox.Store()
    store.load(nquads, format=ox.RdfFormat.N_QUADS)
    return store


def _term(t):
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    return Literal(t.value, lang=t.language) if t.language else Literal(t.value, datatype=URIRef(t.datatype.value))


def via_oxigraph(ds: Dataset, how: str) -> Graph:
    """The dataset after a trip through Oxigraph: dumped as N-Quads, or term by term (explicit xsd:string)."""
    store = to_store(ds.serialize(format="nquads").encode())
    if how == "nquads":
        back = Dataset()
        back.parse(data=store.dump(format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
        return flat(back)
    g = Graph()
    for q in store:
        g.add((_term(q.subject), _term(q.predicate), _term(q.object)))
    return g


def run_check(store: ox.Store, path: Path) -> list:
    return list(store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True))


def good_store(ttl: str) -> ox.Store:
    store = ox.Store()
    store.load(ttl.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(W + "graph"))
    return store


@pytest.fixture(scope="module")
def peel_ttl() -> Graph:
    return Graph().parse(ONTOLOGY / "peel.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY / "shapes.ttl", format="turtle")


@pytest.fixture(scope="module")
def seed() -> Dataset:
    doc = read(str(SEED))
    extract.run(doc)
    return graph.build_dataset([doc])


@pytest.fixture(scope="module")
def seed_store(seed) -> ox.Store:
    return to_store(seed.serialize(format="nquads").encode())


def conforms(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    ok, report, _ = validate(data, shacl_graph=shapes, inference="none")
    return ok, report


@pytest.mark.parametrize("term", VOCAB, ids=lambda t: t.split("#")[-1])
def test_ontology_declares_every_vocab_term(peel_ttl, term):
    assert (term, RDF.type, None) in peel_ttl, f"{term} is not declared in ontology/peel.ttl"
    assert (term, RDFS.label, None) in peel_ttl, f"{term} has no rdfs:label"
    assert (term, SKOS.definition, None) in peel_ttl, f"{term} has no skos:definition"


def test_ontology_declares_only_vocab_terms(peel_ttl):
    ns = str(PEEL._NS)
    declared = {s for s in peel_ttl.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(ns)}
    assert declared - set(VOCAB) == {URIRef(ns)}  # the ontology node itself


@pytest.mark.parametrize("label,term", GRADE_TERMS.items())
def test_ontology_grades_match_model(peel_ttl, label, term):
    term = URIRef(term)
    assert set(peel_ttl.objects(term, SKOS.prefLabel)) == {Literal(label)}
    assert set(peel_ttl.objects(term, URIRef(PEEL.rank))) == {Literal(GRADE_RANK[label])}
    assert (term, SKOS.inScheme, URIRef(PEEL.GradeScheme)) in peel_ttl


def test_ontology_covers_every_term_in_seed_graph(seed, peel_ttl):
    used = {p for _, p, _, _ in seed.quads()} | {o for _, p, o, _ in seed.quads() if p == RDF.type}
    undeclared = {t for t in used if not str(t).startswith(W3C) and (t, RDF.type, None) not in peel_ttl}
    assert not undeclared


@pytest.mark.parametrize("path", [ONTOLOGY / "shapes.ttl", *CHECKS], ids=lambda p: p.name)
def test_ontology_declares_every_peel_term_in_shapes_and_checks(path):
    names = set(re.findall(r"\bpeel:([A-Za-z]\w*)", path.read_text(encoding="utf-8")))
    assert names - set(PEEL.__annotations__) == set()


@pytest.mark.parametrize("how", ["rdflib", "nquads", "terms"])
def test_shapes_accept_seed_graph(seed, shapes, how):
    data = flat(seed) if how == "rdflib" else via_oxigraph(seed, how)
    ok, report = conforms(data, shapes)
    assert ok, report.serialize(format="turtle")


def test_shapes_accept_good_graph(peel_ttl, shapes):
    ok, report = conforms(peel_ttl + Graph().parse(data=GOOD, format="turtle"), shapes)
    assert ok, report.serialize(format="turtle")


@pytest.mark.parametrize("case,old,new,focus", SHAPE_BREAKS, ids=[c[0] for c in SHAPE_BREAKS])
def test_shapes_reject_broken_graph(peel_ttl, shapes, case, old, new, focus):
    ok, report = conforms(peel_ttl + Graph().parse(data=edit(old, new), format="turtle"), shapes)
    assert not ok
    assert URIRef(W + focus) in set(report.objects(None, SH.focusNode))


@pytest.mark.parametrize("path", CHECKS, ids=lambda p: p.stem)
def test_checks_find_nothing_in_seed_or_good_graph(seed_store, path):
    assert path.read_text(encoding="utf-8").startswith("#"), "a check starts with a comment saying what it checks"
    assert run_check(seed_store, path) == []
    assert run_check(good_store(GOOD), path) == []


@pytest.mark.parametrize("path", CHECKS, ids=lambda p: p.stem)
def test_checks_find_broken_graph(path):
    name = path.name.removesuffix("-violation.rq")
    assert name in CHECK_BREAKS, f"add a broken example for {path.name} to CHECK_BREAKS"
    assert run_check(good_store(edit(*CHECK_BREAKS[name])), path)
