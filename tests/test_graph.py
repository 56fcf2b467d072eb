"""The graph: every passage is the exact source text, IRIs are stable, statements carry their links."""

import pytest
import variants as v
from conftest import extract_text
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from peelgraph import graph
from peelgraph.vocab import PEEL, RDF


def union(ds) -> Graph:
    g = Graph()
    for s, p, o, _ in ds.quads():
        g.add((s, p, o))
    return g


def passages(ds):
    p = lambda name: URIRef(PEEL[name])
    for s in ds.subjects(URIRef(RDF.type), p("Passage")):
        yield str(ds.value(s, p("text"))), int(ds.value(s, p("start"))), int(ds.value(s, p("end")))


@pytest.mark.parametrize("variant", [lambda t: t, lambda t: v.windows(v.curly(t)), lambda t: v.pdf_like(t, width=64)])
def test_graph_every_passage_is_the_exact_source_text(variant, seed_text):
    text = variant(seed_text)
    doc = extract_text(text)
    ds = union(graph.build_dataset([doc]))
    found = 0
    for quote, start, end in passages(ds):
        assert doc.source[start:end] == quote
        found += 1
    assert doc.source == text and found > 500


def test_graph_same_input_same_graph(seed_doc):
    a, b = graph.build_dataset([seed_doc]), graph.build_dataset([seed_doc])
    for g in a.graphs():
        assert isomorphic(g, b.graph(g.identifier))


def test_graph_iris_are_readable_and_follow_the_contract(seed_doc):
    ds = union(graph.build_dataset([seed_doc]))
    afis = sorted(str(s) for s in ds.subjects(URIRef(RDF.type), URIRef(PEEL.AreaForImprovement)))
    assert "https://w3id.org/peelgraph/id/derbyshire/2021-22/afi/investigating-crime-1" in afis


def test_graph_statements_mention_glossary_terms_and_standards(seed_doc):
    ds = union(graph.build_dataset([seed_doc]))
    mentions = URIRef(PEEL.mentions)
    targets = {ds.value(o, URIRef(RDF.type)) for _, _, o in ds.triples((None, mentions, None))}
    assert {URIRef(PEEL.GlossaryTerm), URIRef(PEEL.NationalStandard), URIRef(PEEL.Factor)} <= targets | {
        t for o in ds.objects(None, mentions) for t in ds.objects(o, URIRef(RDF.type))}


MODALITIES = ("asserted", "hedged", "predicted")


def test_graph_every_claim_has_one_modality(seed_doc):
    import copy
    import dataclasses

    doc = copy.copy(seed_doc)  # the seed's claims with each modality in turn, so all three are written
    doc.claims = [dataclasses.replace(c, modality=MODALITIES[k % 3]) for k, c in enumerate(seed_doc.claims)]
    ds = union(graph.build_dataset([doc]))
    claims = list(ds.subjects(URIRef(RDF.type), URIRef(PEEL.CausalClaim)))
    assert len(claims) == len(doc.claims) >= 3
    values = [list(ds.objects(c, URIRef(PEEL.modality))) for c in claims]
    assert all(len(v) == 1 for v in values)
    terms = {URIRef(PEEL[m.title()]): m for m in MODALITIES}
    found = sorted(terms[v[0]] for v in values)
    assert found == sorted(c.modality for c in doc.claims)
