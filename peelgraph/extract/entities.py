"""Mentions of shared concepts: factors (ontology/factors.ttl), teams (ontology/entities.ttl) and named
initiatives (operations, boards, strategies, policies, programmes, directorates).

Matching is deterministic and explainable: each Mention keeps the label that matched and its exact span.
Labels match as phrases on word boundaries, case-insensitively (acronyms such as THRIVE case-sensitively),
with an optional determiner between words ("vacancies in its neighbourhood teams"); where matches overlap
the longest wins.
"""

from __future__ import annotations

import bisect

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from .. import resources
from ..model import Document, Mention, Span, slug
from .thesaurus import Concept, load

INITIATIVE_HEADS = (
    "board", "boards", "strategy", "strategies", "plan", "plans", "policy", "policies", "programme", "programmes",
    "directorate", "operation", "scheme", "framework", "forum", "group", "panel", "initiative", "project",
    "workshops", "toolkit", "toolkits",
)
# Words an initiative's name may not start with: evaluations and time words are not part of the name.
INITIATIVE_ADJ = {"effective", "good", "clear", "strong", "comprehensive", "detailed", "future", "current", "previous",
                  "existing", "formal", "robust", "overall", "single", "separate", "specific", "appropriate", "various",
                  "many", "few", "more", "most", "less", "limited", "local", "force-wide", "constabulary", "force", "new"}
INITIATIVE_SKIP = {"a", "an", "the", "its", "their", "our", "this", "these", "new", "some", "several", "each", "any",
                   "all", "every", "no", "other", "such", "that", "which", "and", "or", "of", "for", "to", "in", "on",
                   "with", "by", "has", "have", "had", "is", "are", "was", "were", "be", "been", "it", "they", "we",
                   "uses", "use", "holds", "runs", "operates", "leads", "chairs", "includes", "called", "named"}


DETERMINERS = frozenset("its their the a an our his her this these those".split())
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'&/-]*[A-Za-z0-9]|[A-Za-z0-9]")


@dataclass
class _Matcher:
    """A trie over label words (determiners dropped): one pass over a text finds every label in it."""

    concepts: dict[str, Concept]
    trie: dict
    by_label: dict[str, str]


def _words(label: str) -> list[str]:
    return [w for w in TOKEN.findall(label.replace("\u2019", "'")) if w.lower() not in DETERMINERS]


def _acronym(label: str) -> bool:
    return " " not in label.strip() and sum(c.isupper() for c in label) >= 2


@lru_cache(maxsize=None)
def matcher(name: str, cls: str) -> _Matcher:
    path = resources.ontology(name)
    concepts = {c.key: c for c in (load(name) if path.exists() else ()) if cls in c.types}
    trie: dict = {}
    by_label: dict[str, str] = {}
    for c in sorted(concepts.values(), key=lambda c: c.key):
        for label in c.labels:
            words = _words(label)
            if not words:
                continue
            exact = _acronym(label)
            node = trie
            for w in words:  # acronyms (THRIVE, PPNs) match case-sensitively: their keys carry "="
                node = node.setdefault("=" + w if exact else w.lower(), {})
            node.setdefault("", c.key)
            by_label.setdefault(label.lower(), c.key)
    return _Matcher(concepts, trie, by_label)


def find(m: _Matcher, text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, concept key, matched text) for every label in text; where matches overlap the longest
    (then the earliest) wins. Determiners between label words are skipped."""
    toks = [(t.start(), t.end(), t.group(0)) for t in TOKEN.finditer(text)]
    hits, root = [], m.trie
    for i in range(len(toks)):
        if toks[i][2].lower() not in root and "=" + toks[i][2] not in root:
            continue  # no label starts with this word
        best = None
        frontier = [(m.trie, i, False)]  # node, next token, whether the last token was a skipped determiner
        while frontier:
            node, j, skipped = frontier.pop()
            if "" in node and j > i and not skipped and (best is None or toks[j - 1][1] > best[1]):
                best = (toks[i][0], toks[j - 1][1], node[""])
            if j >= len(toks):
                continue
            word = toks[j][2]
            for cand in (word.lower(), "=" + word):
                if cand in node:
                    frontier.append((node[cand], j + 1, False))
            if j > i and not skipped and word.lower() in DETERMINERS:
                frontier.append((node, j + 1, True))
        if best:
            hits.append(best)
    out, end = [], -1
    for s, e, key in sorted(hits, key=lambda h: (h[0], -(h[1] - h[0]))):
        if s >= end:
            out.append((s, e, key, text[s:e]))
            end = e
    return out


def factors() -> _Matcher:
    return matcher("factors.ttl", "Factor")


def teams() -> _Matcher:
    return matcher("entities.ttl", "Team")


INITIATIVE = re.compile(
    r"(?:\bOperation\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"
    r"|['\"](?P<quoted>[A-Z][^'\"]{2,60}?(?:" + "|".join(h.capitalize() for h in INITIATIVE_HEADS) + r"))['\"]"
    r"|(?<![\w'])(?P<np>(?:[A-Za-z][\w-]*\s+){1,5})(?P<head>" + "|".join(INITIATIVE_HEADS) + r")\b)"
)


def initiatives(text: str) -> list[tuple[int, int, str]]:
    """Named initiatives: 'Operation X', quoted names ending in a head word, and noun phrases of up to four
    modifiers before a head word ('vulnerability action plan', 'crime allocation policy')."""
    out = []
    for m in INITIATIVE.finditer(text):
        if m.group("np") is None:
            start = m.start("quoted") if m.group("quoted") else m.start()
            end = m.end("quoted") if m.group("quoted") else m.end()
            out.append((start, end, text[start:end]))
            continue
        words = m.group("np").split()
        keep, bounded = [], False
        for w in reversed(words):
            if w.lower() in INITIATIVE_SKIP:
                bounded = True  # a determiner or preposition opens the noun phrase
                break
            if not re.fullmatch(r"[A-Za-z][\w-]+", w) or w.endswith(("ly", "ed", "ing")):
                break
            keep.insert(0, w)
        while keep and keep[0].lower() in INITIATIVE_ADJ:
            keep.pop(0)
        if not keep or not bounded:
            continue
        name = " ".join(keep + [m.group("head")])
        start = m.start("head") - len(" ".join(keep)) - 1
        if text[start:m.end()] != name:
            continue
        out.append((start, m.end(), name))
    return out


def extract(doc: Document) -> Document:
    fm, tm = factors(), teams()
    for i, b in enumerate(doc.blocks):
        if b.kind not in ("heading", "paragraph", "item") or b.area is None:
            continue
        for scheme, m in (("factor", fm), ("team", tm)):
            for s, e, key, matched in find(m, b.text):
                doc.mentions.append(Mention(scheme, key, m.concepts[key].pref, matched, b.subspan(s, e), i))
        for s, e, name in initiatives(b.text):
            doc.mentions.append(Mention("initiative", slug(name), name, name, b.subspan(s, e), i))
        for term in b.terms:  # glossary links: one node per distinct term, however it is capitalised
            doc.mentions.append(Mention("term", slug(term.text), term.text, term.text, term.span, i))
    return doc


def match_query(text: str) -> list[Concept]:
    """Factors a user's words name: every word of TEXT (plurals folded) appears in one of a factor's labels."""
    words = {_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())}
    if not words:
        return []
    return [c for c, labels in _label_words() if any(words <= label for label in labels)]


@lru_cache(maxsize=None)
def _label_words() -> tuple[tuple[Concept, tuple[frozenset, ...]], ...]:
    out = []
    for c in sorted(factors().concepts.values(), key=lambda c: c.key):
        out.append((c, tuple(frozenset(_stem(w) for w in re.findall(r"[a-z0-9]+", lab.lower())) for lab in c.labels)))
    return tuple(out)


def suggest(text: str, n: int = 5) -> list[str]:
    labels = {lab.lower(): c.pref for c in factors().concepts.values() for lab in c.labels}
    close = difflib.get_close_matches(text.lower(), list(labels), n=n * 3, cutoff=0.5)
    out = []
    for lab in close:
        if labels[lab] not in out:
            out.append(labels[lab])
    return out[:n]


def _stem(w: str) -> str:
    return w[:-3] + "y" if w.endswith("ies") else w[:-1] if w.endswith("s") and not w.endswith("ss") else w


def link_claims(doc: Document) -> Document:
    """The factors each causal claim's cause and effect are instances of (run after the causal stage)."""
    for c in doc.claims:
        c.cause_factors = tuple(condition_factors(doc, c.cause, c.statement))
        c.effect_factors = tuple(condition_factors(doc, c.effect, c.statement))
    return doc


def condition_factors(doc: Document, span: Span, statement: int | None) -> list[str]:
    """The factors a cause or effect clause is an instance of: those whose labels stand inside it, and, where
    the clause names a factor in general terms ("staffing"), the related factor its own statement names (the
    statement about neighbourhood vacancies makes "staffing" neighbourhood staffing)."""
    concepts = factors().concepts
    by_block, starts, spans = _factor_mentions(doc)
    keys = set()
    for k in range(bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)):
        if spans[k].span.end <= span.end:
            keys.add(spans[k].concept)
    if statement is not None:
        context = {m.concept for j in doc.statements[statement].blocks for m in by_block.get(j, ())}
        for k in list(keys):
            keys.update(r for r in concepts[k].related if r in context and concepts[r].broader == concepts[k].broader)
    return sorted(keys)


def _factor_mentions(doc: Document) -> tuple[dict[int, list[Mention]], list[int], list[Mention]]:
    """Factor mentions by block, and all of them in order of their start (with the starts), computed once per
    document."""
    cached = doc.__dict__.get("_factor_mentions")
    if cached is None or cached[0] != len(doc.mentions):
        by_block: dict[int, list[Mention]] = {}
        for m in doc.mentions:
            if m.scheme == "factor":
                by_block.setdefault(m.block, []).append(m)
        ordered = sorted((m for ms in by_block.values() for m in ms), key=lambda m: m.span.start)
        cached = doc.__dict__["_factor_mentions"] = (len(doc.mentions), (by_block, [m.span.start for m in ordered], ordered))
    return cached[1]
