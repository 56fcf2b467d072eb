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
    related: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.pref, *self.alt, *self.hidden)


@lru_cache(maxsize=None)
def load(name: str) -> tuple[Concept, ...]:
    """Every skos:Concept in ontology/NAME, in IRI order."""
    import pyoxigraph as ox

    path = resources.ontology(name)
    try:
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (SyntaxError, OSError) as e:
        raise PeelgraphError(f"{path}: cannot read ({e}); fix the file or reinstall peelgraph.") from None
    props: dict[str, dict[str, list]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            props.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)
    out = []
    for subject in sorted(props):
        p = props[subject]
        types = [o.value for o in p.get(RDF_TYPE, [])]
        if SKOS + "Concept" not in types:
            continue
        prefs = [o.value for o in p.get(SKOS + "prefLabel", [])]
        if len(prefs) != 1:
            raise PeelgraphError(f"{path}: {subject} needs exactly one skos:prefLabel, has {len(prefs)}.")
        extra = {}
        for pred, objs in p.items():
            if not pred.startswith(SKOS) and isinstance(objs[0], ox.Literal):
                o = objs[0]
                dt = o.datatype.value.rsplit("#", 1)[-1]
                extra[_local(pred)] = (o.value == "true" if dt == "boolean" else int(o.value) if dt == "integer" else o.value)
        values = lambda key: tuple(sorted(o.value for o in p.get(SKOS + key, [])))
        locals_ = lambda key: tuple(sorted(_local(o.value) for o in p.get(SKOS + key, [])))
        out.append(Concept(
            key=_local(subject), iri=subject, pref=prefs[0], alt=values("altLabel"), hidden=values("hiddenLabel"),
            definition=(values("definition") or ("",))[0], broader=locals_("broader"),
            types=tuple(sorted(_local(t) for t in types)), related=locals_("related"), extra=extra,
        ))
    return tuple(out)


SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


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
