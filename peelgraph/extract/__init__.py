"""Extraction stages: each takes a Document and adds typed records to it; none knows about RDF."""

from __future__ import annotations

from ..model import Document
from . import causal, entities, metrics, structure


def run(doc: Document) -> Document:
    """Every stage, in order."""
    structure.extract(doc)
    metrics.extract(doc)
    entities.extract(doc)
    causal.extract(doc)
    entities.link_claims(doc)
    return doc
