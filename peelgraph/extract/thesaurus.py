"""SKOS data files (areas, factors, teams) loaded into plain records for the rules to match against.

The extractor reads labels, not triples: a Concept knows its key (the IRI's last segment), preferred,
alternative and hidden labels, definition, broader concepts and classes. Loading validates the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .. import resources
from ..errors import PeelgraphError

_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def heading_key(text: str) -> str:
    """Fold a heading for comparison: case, quotes, dashes, '&', punctuation and spaces."""
    text = text.translate(_FOLD).lower().replace("&", "and")
    return re.sub(r"[^a-z0-9]", "", text)


@dataclass(frozen=True)
class Concept:
    key: str
    iri: str
    pref: str
    alt: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    definition: str = ""
    broader: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.pref, *self.alt, *self.hidden)


@lru_cache(maxsize=None)
def load(name: str) -> tuple[Concept, ...]:
    """Every skos:Concept in ontology/NAME, in IRI order."""
    from rdflib import Graph, Literal, RDF
    from rdflib.namespace import SKOS

    path = resources.ontology(name)
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as e:  # rdflib raises many kinds; all mean the data file is broken
        raise PeelgraphError(f"{path}: cannot read ({e}); fix the file or reinstall peelgraph.") from None
    out = []
    for s in sorted(set(g.subjects(RDF.type, SKOS.Concept))):
        iri = str(s)
        prefs = [str(o) for o in g.objects(s, SKOS.prefLabel)]
        if len(prefs) != 1:
            raise PeelgraphError(f"{path}: {iri} needs exactly one skos:prefLabel, has {len(prefs)}.")
        extra = {}
        for p, o in g.predicate_objects(s):
            if isinstance(o, Literal) and not str(p).startswith(str(SKOS)):
                extra[str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]] = o.toPython()
        out.append(Concept(
            key=re.split(r"[/#]", iri)[-1],
            iri=iri,
            pref=prefs[0],
            alt=tuple(sorted(str(o) for o in g.objects(s, SKOS.altLabel))),
            hidden=tuple(sorted(str(o) for o in g.objects(s, SKOS.hiddenLabel))),
            definition=str(g.value(s, SKOS.definition) or ""),
            broader=tuple(sorted(re.split(r"[/#]", str(o))[-1] for o in g.objects(s, SKOS.broader))),
            types=tuple(sorted(str(o).rsplit("#", 1)[-1] for o in g.objects(s, RDF.type))),
            extra=extra,
        ))
    return tuple(out)


@lru_cache(maxsize=None)
def areas() -> dict[str, Concept]:
    return {c.key: c for c in load("areas.ttl")}


@lru_cache(maxsize=None)
def area_index() -> dict[str, str]:
    """Folded heading or table label -> area key."""
    index: dict[str, str] = {}
    for c in areas().values():
        for label in c.labels:
            index.setdefault(heading_key(label), c.key)
    return index
