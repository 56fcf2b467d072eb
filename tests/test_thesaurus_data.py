"""Checks on the vocabulary data: ontology/factors.ttl, ontology/entities.ttl and ontology/cues.toml.

Labels are compared the way peelgraph.extract.entities matches them (words on word boundaries,
case-insensitive except single-token acronyms, determiners between words ignored), and the seed
regressions run the real matcher over the seed report.
"""
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from peelgraph.extract import causal, entities as ents

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
SEED = ROOT / "seeds" / "derbyshire-peel-2021-22.txt"

PFAC = Namespace("https://w3id.org/peelgraph/factor/")
PENT = Namespace("https://w3id.org/peelgraph/entity/")
PEEL = Namespace("https://w3id.org/peelgraph/ontology#")
LABEL_PROPS = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)

# Single words too common in inspection reports to identify one factor or team.
COMMON_WORDS = set("""
training data staff demand performance culture policy policies risk risks victim victims investigation
investigations supervision leadership management support communication engagement capacity resources
resource system systems technology standards standard quality recording crime crimes police policing
officer officers workforce force forces team teams plan plans strategy review reviews scrutiny outcome
outcomes partners partnership vulnerability vulnerable safeguarding prevention change changes finance
funding budget estate equipment process processes people public community communities service services
work working time information practice guidance response calls call contact improvement improvements
issues problems priority priorities skills experience structure framework understanding analysis model
learning development safety health delays delay effective consistent officers' complaints
""".split())

# Names that would make the vocabulary force-specific (the 43 forces of England and Wales, and
# names used only in the seed report).
FORCE_SPECIFIC = [
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "City of London", "Cleveland",
    "Cumbria", "Derbyshire", "Devon and Cornwall", "Dorset", "Durham", "Dyfed-Powys", "Essex",
    "Gloucestershire", "Greater Manchester", "Gwent", "Hampshire", "Hertfordshire", "Humberside", "Kent",
    "Lancashire", "Leicestershire", "Lincolnshire", "Merseyside", "Metropolitan", "Norfolk", "North Wales",
    "North Yorkshire", "Northamptonshire", "Northumbria", "Nottinghamshire", "South Wales",
    "South Yorkshire", "Staffordshire", "Suffolk", "Surrey", "Sussex", "Thames Valley", "Warwickshire",
    "West Mercia", "West Midlands", "West Yorkshire", "Wiltshire",
    "RARU", "PCOT", "Resolve", "Our People Board", "north and south", "cost of policing",
]


def norm(text: str) -> str:
    """Fold report text the way the matcher expects: unescape, drop markdown links, straight quotes."""
    text = text.replace("\\(", "(").replace("\\)", ")")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return text.replace("\u2019", "'").replace("\u2018", "'")


DETERMINERS = frozenset("its their the a an our his her this these those".split())
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'&/-]*[A-Za-z0-9]|[A-Za-z0-9]")


def is_acronym(label: str) -> bool:
    return " " not in label.strip() and sum(c.isupper() for c in label) >= 2


def label_key(label: str) -> tuple[str, ...]:
    """The word sequence a label matches: determiners dropped, case folded except for acronyms."""
    words = [w for w in TOKEN.findall(norm(label)) if w.lower() not in DETERMINERS]
    return tuple(("=" + w) if is_acronym(label) else w.lower() for w in words)


def load(name: str) -> Graph:
    g = Graph()
    g.parse(ONTOLOGY / name)
    return g


@pytest.fixture(scope="module")
def factors() -> Graph:
    return load("factors.ttl")


@pytest.fixture(scope="module")
def entities() -> Graph:
    return load("entities.ttl")


@pytest.fixture(scope="module")
def cues() -> dict:
    with open(ONTOLOGY / "cues.toml", "rb") as fh:
        return tomllib.load(fh)


def concept_labels(g: Graph) -> dict[URIRef, list[str]]:
    out = defaultdict(list)
    for prop in LABEL_PROPS:
        for s, o in g.subject_objects(prop):
            out[s].append(str(o))
    return out


# --------------------------------------------------------------------------------------- factors

def test_themes_and_factors(factors):
    themes = set(factors.subjects(RDF.type, PEEL.Theme))
    facs = set(factors.subjects(RDF.type, PEEL.Factor))
    assert 12 <= len(themes) <= 17
    assert 60 <= len(facs) <= 110
    assert (PFAC[""], RDF.type, SKOS.ConceptScheme) in factors
    for t in themes:
        assert (t, SKOS.topConceptOf, PFAC[""]) in factors, t
        assert len(list(factors.objects(t, SKOS.prefLabel))) == 1, t
        assert list(factors.objects(t, SKOS.definition)), t
    for f in facs:
        prefs = list(factors.objects(f, SKOS.prefLabel))
        assert len(prefs) == 1 and prefs[0].language == "en", f
        assert list(factors.objects(f, SKOS.definition)), f
        assert (f, SKOS.inScheme, PFAC[""]) in factors, f
        broader = list(factors.objects(f, SKOS.broader))
        assert len(broader) == 1 and broader[0] in themes, f
        assert len(list(factors.objects(f, SKOS.altLabel))) >= 2, f
        for r in factors.objects(f, SKOS.related):
            assert r in facs, (f, r)
            assert (r, SKOS.related, f) in factors, (f, r)


def test_entities(entities):
    teams = set(entities.subjects(RDF.type, PEEL.Team))
    kinds = set(entities.subjects(RDF.type, PEEL.InitiativeType))
    assert len(teams) >= 20 and len(kinds) >= 12
    for c in teams | kinds:
        prefs = list(entities.objects(c, SKOS.prefLabel))
        assert len(prefs) == 1 and prefs[0].language == "en", c
        assert list(entities.objects(c, SKOS.definition)), c
        assert (c, SKOS.inScheme, PENT[""]) in entities, c


# ---------------------------------------------------------------------------------------- labels

def test_labels_well_formed(factors, entities):
    for g in (factors, entities):
        for prop in LABEL_PROPS:
            for s, o in g.subject_objects(prop):
                assert isinstance(o, Literal) and o.language == "en", (s, o)
                assert str(o) == str(o).strip() and "  " not in str(o) and str(o), (s, o)


def test_no_label_shared_by_two_concepts(factors, entities):
    owner: dict[tuple[str, ...], URIRef] = {}
    clashes = []
    for g in (factors, entities, load("areas.ttl")):
        for concept, labs in concept_labels(g).items():
            for lab in labs:
                k = label_key(lab)
                if owner.setdefault(k, concept) != concept:
                    clashes.append((lab, owner[k], concept))
    assert not clashes


def test_pref_not_repeated_as_alt(factors, entities):
    for g in (factors, entities):
        for c, pref in g.subject_objects(SKOS.prefLabel):
            others = {str(o).casefold() for p in (SKOS.altLabel, SKOS.hiddenLabel) for o in g.objects(c, p)}
            assert str(pref).casefold() not in others, (c, pref)


def test_no_single_common_word_labels(factors, entities):
    teams = set(entities.subjects(RDF.type, PEEL.Team))
    bad = []
    for g, keep in ((factors, None), (entities, teams)):
        for c, labs in concept_labels(g).items():
            if keep is not None and c not in keep:
                continue  # initiative kinds are head nouns by design ("board", "strategy")
            bad += [(c, lab) for lab in labs if " " not in lab and lab.casefold() in COMMON_WORDS]
    assert not bad


def test_nothing_force_specific(factors, entities):
    text = "\n".join(str(o) for g in (factors, entities) for o in g.objects() if isinstance(o, Literal))
    text += (ONTOLOGY / "cues.toml").read_text(encoding="utf-8")
    found = [n for n in FORCE_SPECIFIC if re.search(rf"\b{re.escape(n)}\b", text)]
    assert not found
    assert not re.search(r"\bOperation [A-Z][a-z]+", text)


# ------------------------------------------------------------------------------------------ cues

def test_cues(cues):
    """cues.toml is interpreted by peelgraph.extract.causal, which compiles and checks it; here only the
    values that code cannot catch: duplicates, value types, references between tables."""
    causal.cues.cache_clear()
    causal.cues()  # raises PeelgraphError on a bad regex, a verb without four forms, a missing group
    lemmas = [v["lemma"] for v in cues["verb"]]
    assert len(lemmas) == len(set(lemmas))
    for v in cues["verb"]:
        assert all(f == f.lower() for f in v["forms"]), v
        for flag in ("required", "participle", "agent_ok"):
            assert isinstance(v.get(flag, False), bool), v
    phrases = [p for b in cues["backward"] for p in b["phrases"]]
    assert len(phrases) == len(set(phrases)) and all(p == p.lower() for p in phrases)
    connectives = [p.lower() for c in cues["connective"] for p in c["phrases"]]
    assert len(connectives) == len(set(connectives))
    names = [c["name"] for c in cues["construction"]]
    assert len(names) == len(set(names))
    for c in cues["construction"]:
        if "effect_requires" in c:
            assert c["effect_requires"] in cues["patterns"], c


# ------------------------------------------------------------------------------ seed regressions

# Phrasings of the seed report the vocabulary must recognise (concept, text that must resolve to it).
SEED_PHRASES = [
    ("neighbourhood-vacancies", "vacancies in neighbourhood teams"),
    ("neighbourhood-vacancies", "vacancies within its neighbourhood policing teams"),
    ("abstraction", "covering response team functions"),
    ("abstraction", "abstraction rates"),
    ("supervisory-oversight", "supervision of investigations"),
    ("first-contact-risk-assessment", "risk at initial contact"),
    ("victim-personal-statements", "victim personal statements"),
    ("victim-needs-assessments", "victim needs assessment"),
    ("performance-management", "effective performance framework"),
    ("governance-arrangements", "governance structure"),
    ("understanding-of-demand", "understanding of current demand"),
    ("wellbeing", "wellbeing"),
    ("inclusion-training", "inclusion training"),
    ("multi-agency-working", "multi-agency working arrangements"),
]


@pytest.fixture(scope="module")
def seed_hits() -> list[tuple[str, str]]:
    text = norm(SEED.read_text(encoding="utf-8"))
    return [(key, " ".join(matched.casefold().split())) for _, _, key, matched in ents.find(ents.factors(), text)]


@pytest.mark.parametrize("slug, phrase", SEED_PHRASES)
def test_seed_phrasings_resolve(seed_hits, slug, phrase):
    assert any(key == slug and matched.startswith(phrase.casefold()) for key, matched in seed_hits)
