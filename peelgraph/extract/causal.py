"""Causal claims: "X, which means Y", "This limits Y", "Y because X", "If X doesn't ..., it will ...".

Deterministic and rule based. Cue verbs, backward cues, connectives and constructions are data in
``ontology/cues.toml``; this module reads the grammar around them, with the part-of-speech tags and
dependency parse of ``grammar`` (spaCy) where a sentence holds a cue: whether a cue form is the verb it
looks like, where a causal verb's subject is, whether a verb form is finite, negated or a purpose
infinitive, what "This" or "It" refers to, and whether the claim is asserted, hedged or predicted.
Precision comes first: a cue whose subject or object cannot be placed gives no claim.

A side of a claim is a list of segments ``(block, start, end)`` in the blocks' cleaned text (a noun
phrase, a clause, the previous sentence or paragraph); ``Block.subspan`` maps them to exact source spans.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from .. import resources
from ..errors import PeelgraphError
from ..model import Block, CausalClaim, Document, Span
from . import grammar

Seg = tuple[int, int, int]  # (block index, start, end) in the block's cleaned text
DETS = ("the", "its", "our", "their", "a", "an")


def _alt(words) -> str:
    return "|".join(sorted({re.escape(w).replace(r"\ ", r"\s+") for w in words}, key=lambda x: (-len(x), x)))


@lru_cache(maxsize=None)
def cues() -> dict:
    """The rules of ontology/cues.toml, compiled and checked."""
    path = resources.ontology("cues.toml")
    try:
        with open(path, "rb") as f:
            return _compile(tomllib.load(f))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise PeelgraphError(f"{path}: cannot read the causal cue rules ({e}); fix the file or reinstall peelgraph.") from None
    except (KeyError, TypeError, ValueError, IndexError, re.error) as e:
        raise PeelgraphError(f"{path}: invalid causal cue rule ({e!r}); see the comments at the top of the file.") from None


def _compile(d: dict) -> dict:
    w = {k: [x.lower() for x in v] for k, v in d["words"].items()}
    p, forms = d["patterns"], {}
    for v in d["verb"]:
        if len(v["forms"]) not in (4, 5):
            raise ValueError(f"verb {v['lemma']!r} needs four forms (-s, past, bare, -ing) and may add a past participle")
        for k, f in enumerate(v["forms"]):
            forms.setdefault(f.lower(), (v, 1 if k == 4 else k))
        if "object" in v:
            v["object_re"] = re.compile(v["object"], re.I)
    aux = w["modals"] + w["perfect"] + w["progressive"] + w["negated_aux"]
    particles = {v["particle"] for v in d["verb"] if "particle" in v}
    back = [(re.compile(rf"\b(?:{_alt(b['phrases'])})\b", re.I),
             {k: re.compile(b[k], re.I) for k in ("follow", "not_follow", "precede", "requires_before") if k in b}
             | {k: set(b[k]) for k in ("pos", "dep", "head_has") if k in b})
            for b in d["backward"]]
    constructions = [(c, re.compile(c["pattern"].replace("{predicate}", p["predicate"]), re.I)) for c in d["construction"]]
    for c, rx in constructions:
        groups = {"cause", "cue"} | (set() if c.get("effect") == "previous" else {"effect"})
        if not groups <= set(rx.groupindex) or not c.get("cue"):
            raise ValueError(f"construction {c.get('name')!r} needs a cue and the groups {', '.join(sorted(groups))}")
    compiled = {k: re.compile(p[k], re.I) for k in (
        "trailing_aux", "clause_start", "right_stop", "normative", "predictive", "negative_predictive", "definition")}
    g = {k: set(v) if isinstance(v, list) else v for k, v in d["grammar"].items()}
    mod = d["modality"]
    # "can't", "couldn't", "cannot" state an inability, not a possibility
    modality = {k: re.compile(rf"\b(?:{_alt(mod[k])})\b(?!'t|n't|not\b)", re.I) for k in ("hedged", "predicted")}
    return compiled | {
        "grammar": g, "modality": modality, "modal_before": re.compile(mod["before_backward"], re.I),
        "w": {k: set(v) for k, v in w.items()}, "forms": forms, "backward": back, "constructions": constructions,
        "paragraph_sentences": int(d["anaphora"]["paragraph_sentences"]),
        "verb": re.compile(
            rf"(?P<rel>\b(?:which|that)\s+)?(?P<aux>\b(?:{_alt(aux)})\s+)?(?P<adv>(?:\b(?:{_alt(w['adverbs'])}|[a-z]+ly)\s+){{0,3}})"
            rf"(?<![\w-])(?P<form>{_alt(forms)})\b(?P<part>\s+(?:{_alt(particles)})\b)?", re.I),
        "form": re.compile(rf"(?<![\w-])(?:{_alt(forms)})\b", re.I),  # where "verb" can match at all (a quick test)
        "connective": re.compile(rf"^(?P<cue>{_alt(x for c in d['connective'] for x in c['phrases'])})\s*,\s*", re.I),
        "bare_connective": re.compile(rf"^(?P<cue>{_alt(x for c in d['connective'] for x in c.get('bare', []))})\s+(?!{_alt(w['not_after_bare'])}\b)", re.I),
        "pointer": re.compile(d["lists"]["pointer"], re.I), "names_list": re.compile(d["lists"]["names_list"], re.I),
        "lead": [re.compile(x, re.I) for x in p["lead"]],
        "determiner": re.compile(rf"^(?P<det>{_alt(w['determiners'] + w['pronouns'])})\b\s*(?P<np>.*)$", re.I | re.S),
        "main_clause": re.compile(r"^(?:although|though|while|whilst|despite|even though|when|whenever|once)\s[^,]+,\s+", re.I),
        "intro": re.compile(r"^(?:when|whenever|while|whilst|although|though|once|where)\s+(?P<intro>[^,]+),\s+(?P<subj>.+)$", re.I | re.S),
        "embedded": re.compile(rf"\b(?:{_alt(w['embedded'])})\b", re.I),
    }


@dataclass
class _Claim:
    cause: list[Seg]
    effect: list[Seg]
    cue: Seg
    cue_text: str
    rule: str
    tail: bool = False  # the effect runs to the end of its sentence
    clausal: bool = False  # the effect is a whole clause, which a "This" in the next sentence may mean
    modality: str = "asserted"


@dataclass
class _Cand:
    start: int  # in the block's text; a relative pronoun belongs to the cue
    end: int
    kind: str  # verb | relative | participle | coordinated | backward
    cue_text: str
    rule: str
    verb: dict = field(default_factory=dict)
    ok: bool = True  # the grammatical position allows a claim
    negated: bool = False
    cause: list[Seg] | None = None
    token: object = None  # the cue's first token in the parse
    bare: bool = False  # the bare form of a verb (k == 2), which a parsed plural subject can make finite
    modality: str = "asserted"


class _Extractor:
    def __init__(self, doc: Document, progress: bool = False):
        self.r, self.blocks, self.source = cues(), doc.blocks, doc.source
        agents = set(self.r["w"]["agents"])
        if doc.inspection:
            force = doc.inspection.force.lower()
            agents |= {force, re.sub(r"\s+(?:constabulary|police|police service)$", "", force)}
        agent = rf"(?:(?:the|our|its|their|a|an|some|many|these|this|all)\s+)?(?:[\w-]+\s+){{0,2}}?(?:{_alt(agents)})"
        self.agent_start, self.agent_only = re.compile(rf"^{agent}(?!')\b", re.I), re.compile(rf"^{agent}$", re.I)
        self.agent_words = agents
        self.claims: dict[tuple[int, int], list[_Claim]] = {}
        self.sents = {b.index: b.sentences() for b in self.blocks}
        self.parse = grammar.Parse()  # empty: the rules alone first decide which sentences need the parse
        self.unparsed: dict[tuple[int, int, int], list[_Cand]] = {}  # their candidates, which the parse cannot change
        self.matched: dict[tuple, list] = {}  # regular expressions' matches in a sentence (matches, constructs)
        self.parse = grammar.parse([(b.index, s, b.text[s:e]) for b in self.blocks if b.kind in ("paragraph", "item", "heading")
                                    for s, e in self.sents[b.index] if self.needs_parse(b, s, e)], progress)
        grammar.parsed(doc.sha256)

    def bounds(self, b: Block, s: int, e: int) -> tuple[int, int]:
        """Where the rules read a sentence: after a discourse opener ("However,"), before end punctuation."""
        m = self.r["lead"][0].match(b.text[s:e])
        lead, end = s + (m.end() if m else 0), e
        while end > s and b.text[end - 1] in ".:;!? ":
            end -= 1
        return lead, end

    def needs_parse(self, b: Block, s: int, e: int) -> bool:
        """Could the parse change what the rules find in a sentence? Only when it holds a cue the rules alone
        would accept, a bare verb form (a parsed plural subject can make it finite), or a connective or
        construction. Only those sentences are parsed."""
        r, (lead, end) = self.r, self.bounds(b, s, e)
        t = b.text
        if r["connective"].match(t[lead:end]) or r["bare_connective"].match(t[s:end]) or self.constructs(t, lead, end, b.index):
            return True
        cands = self.candidates(t, lead, end, b.index)
        if any(c.ok or c.bare for c in cands):
            return True
        self.unparsed[(b.index, lead, end)] = cands
        return False

    def modality(self, words: str, token=None) -> str:
        """Hedged ("may", "could", "likely"), predicted ("will", "should") or asserted, from the words of a
        verb group and, where the cue was parsed, the auxiliaries and adverbs the parse attaches to it."""
        if token is not None:
            g = self.r["grammar"]
            chain = grammar.climb(token, g["modal_through"])
            words += " " + " ".join(t.text for t in chain[1:])
            words += " " + " ".join(c.text for t in chain for c in t.children if c.dep_ in g["modal_deps"])
        for kind in ("hedged", "predicted"):
            if self.r["modality"][kind].search(words):
                return kind
        return "asserted"

    def clause_modality(self, segs: list[Seg] | None) -> str:
        """The modality of a clause that is itself the effect ("As a result, victims may ...")."""
        if not segs:
            return "asserted"
        b, i, j = segs[0]
        head = " ".join(self.blocks[b].text[i:j].split()[:6])
        return self.modality(head)

    # ------------------------------------------------------------------ text
    def trim(self, bi: int, i: int, j: int, effect: bool = False) -> tuple[int, int]:
        """Drop discourse openers, reporting frames ("We found that"), a leading "that", end punctuation."""
        t, changed = self.blocks[bi].text, True
        while changed and i < j:
            changed = False
            while i < j and t[i] in " ,;:-\"'(":
                i, changed = i + 1, True
            for rx in self.r["lead"]:
                m = rx.match(t[i:j])
                if m and m.end():
                    i, changed = i + m.end(), True
            if effect and re.match(r"to\s", t[i:j]):  # "helping to improve X"
                i, changed = i + 3, True
            m = re.search(r"(?:[\s.,;:]|\band\b|\bor\b|\bbut\b)+$", t[i:j])
            if m and m.start() < j - i:
                j, changed = i + m.start(), True
        return i, j

    def seg(self, bi: int, i: int, j: int, effect: bool = False) -> list[Seg] | None:
        i, j = self.trim(bi, i, j, effect)
        return [(bi, i, j)] if j - i >= 2 and re.search(r"[A-Za-z]", self.blocks[bi].text[i:j]) else None

    def text(self, segs: list[Seg]) -> str:
        return " ".join(self.blocks[b].text[i:j] for b, i, j in segs)

    def is_agent(self, segs: list[Seg]) -> bool:
        """Only an actor ("The constabulary", "Specialist officers"): its verb is an action, not a cause."""
        text = self.text(segs).strip(" .,")
        return bool(self.agent_only.match(text)) and not set(text.lower().split()) & self.r["w"]["state_words"]

    # ------------------------------------------------------------------ anaphora
    def previous(self, bi: int, si: int, kind: str = "this") -> list[Seg] | None:
        """What a sentence-initial "This" (kind "this") or "It" (kind "it") in sentence si of block bi means."""
        if si > 0:
            pb, ps = bi, si - 1
        elif bi == 0 or self.blocks[bi].kind == "heading" or self.blocks[bi - 1].kind not in ("paragraph", "item"):
            return None  # never across a heading
        elif self.blocks[bi - 1].kind == "item" and self.blocks[bi].kind != "item":
            if kind != "this":
                return None
            k = bi - 1
            while k > 0 and self.blocks[k - 1].kind == "item":
                k -= 1
            return [s for x in range(k, bi) for s in self.seg(x, 0, len(self.blocks[x].text)) or []] or None
        else:
            pb, ps = bi - 1, len(self.sents[bi - 1]) - 1
        if ps < 0:
            return None
        before, (s, e) = self.claims.get((pb, ps), []), self.sents[pb][ps]
        if kind == "it":
            if before:
                return before[0].cause  # "It also means": another effect of the same cause
            i, j = self.trim(pb, s, e)
            if self.agent_start.match(self.blocks[pb].text[i:j]):
                return None  # "It" is the force itself
        tails = [c for c in before if c.tail and c.clausal]
        if tails and kind == "this":
            return tails[-1].effect  # a chain: "A. As a result, B. This means C" gives B -> C
        if si == 0 and len(self.sents[pb]) <= self.r["paragraph_sentences"]:
            return self.seg(pb, 0, len(self.blocks[pb].text))
        t, main = self.blocks[pb].text, s  # the main clause: after ", but" or an opening "Although X,"
        for m in re.finditer(r",\s+but\s+", t[s:e]):
            main = s + m.end()
        m = self.r["main_clause"].match(t[s:e])
        return self.seg(pb, s + m.end() if main == s and m else main, e)

    def plain_subject(self, bi: int, i: int, j: int) -> bool:
        """Can the text before a finite causal verb be its subject? Not an embedded question ("how well
        it prevents"), a clause with its own auxiliary, or a reduced relative ("the service it provides")."""
        if re.search(r"(?:,|\band|\bor)\s*$", self.blocks[bi].text[i:j]):
            return False  # "X, which wastes time and increases Y": the subject belongs to another verb
        i, j = self.trim(bi, i, j)
        region = self.blocks[bi].text[i:j]
        m = self.r["intro"].match(region)
        region = m.group("subj") if m else region
        words, w = region.lower().split(), self.r["w"]
        if not words or self.r["embedded"].search(region) or len(words) > 1 and words[-1] in w["personal"]:
            return False
        if any(x in w["modals"] | w["perfect"] | w["progressive"] | {"be", "been", "being"} or x.endswith("n't") for x in words):
            return False
        for n in (3, 2, 1):  # an actor right before the verb: "the service the force provides"
            if len(words) > n and " ".join(words[-n:]) in self.agent_words:
                k = len(words) - n - 1
                k -= words[k] in DETS and k > 0
                return words[k] in w["prepositions"] | {"and", "or", "of"}
        return True

    def resolve(self, bi: int, si: int, i: int, j: int, sent_start: int, how: str = "np", mid: bool = False) -> list[Seg] | None:
        """A cause or effect region: an anaphor becomes its referent, a descriptive one ("These delays")
        its noun phrase; how="sentence" sends every anaphor to the previous sentence, how="keep" keeps a
        determiner's noun phrase as written."""
        i, j = self.trim(bi, i, j)
        t, w = self.blocks[bi].text, self.r["w"]
        if j <= i:
            return None
        region = t[i:j]
        m = self.r["intro"].match(region)
        if m:  # "When staff treat the public fairly, this increases ..."
            subj, a = m.group("subj").strip().lower(), i + m.start("intro")
            if subj not in w["pronouns"]:
                return self.resolve(bi, si, i + m.start("subj"), j, sent_start, how, mid)
            verb = re.search(r"\s(?:is|are|was|were|has|have|had|can|will|may|does|do|isn't|doesn't|hasn't)\b", m.group("intro"))
            return self.seg(bi, a, a + verb.start() if subj == "it" and verb else i + m.end("intro"))
        m = self.r["determiner"].match(region)
        if m:
            det, words = m.group("det").lower(), m.group("np").lower().split()
            if det == "that" and words or any(x in w["not_subject"] or x in w["modals"] or x.endswith("n't") for x in words):
                return self.seg(bi, i, j)  # a noun phrase with "that", or a clause whose subject is "this"
            if words and how == "keep":
                return self.seg(bi, i, j)  # the noun phrase as written, determiner and all
            if words and len(words) <= 6 and words[-1] not in w["light_nouns"] and how == "np":
                return self.seg(bi, i + m.start("np"), j)
            if len(words) > 6:
                return self.seg(bi, i, j)
            a, z = self.trim(bi, sent_start, i)
            if mid and z > a:  # mid-sentence "this": the clause before it; a mid-sentence "it" is ambiguous
                return None if det == "it" else self.seg(bi, sent_start, i)
            return self.previous(bi, si, "it" if det == "it" else "this")
        if region.lower() in w["pronouns"] | w["personal"] | {"them"}:
            return None
        return self.seg(bi, i, j)

    # ------------------------------------------------------------------ one sentence
    def sentence(self, b: Block, si: int, s: int, e: int) -> list[_Claim]:
        t, bi, r, out = b.text, b.index, self.r, []
        lead, end = self.bounds(b, s, e)
        m = r["connective"].match(t[lead:end]) or r["bare_connective"].match(t[s:end])
        if m:  # "As a result, Y", "So Y": the cause is the previous sentence
            base = lead if m.re is r["connective"] else s
            a = base + m.end()
            stop = self.stop(t, a, end)
            cause, effect, cue = self.previous(bi, si), self.seg(bi, a, stop, effect=True), m.group("cue").lower()
            if cause and effect and not r["normative"].search(self.text(effect)) and self.clause_follows(bi, a):
                out.append(_Claim(cause, effect, (bi, base, base + m.end("cue")), cue, f"connective:{cue}", stop >= end, True,
                                  self.clause_modality(effect)))
        for c, m in self.constructs(t, lead, end, bi):
            out += self.construction(bi, si, s, lead, c, m)
        cands = self.unparsed.pop((bi, lead, end), None)
        if cands is None:
            cands = self.candidates(t, lead, end, bi)
        for k in range(len(cands)):
            out += self.candidate(b, si, s, lead, end, cands, k)
        return out

    def clause_follows(self, bi: int, i: int) -> bool:
        """Does a clause with its own subject start at ``i`` ("So there is ...", not "So far")? True where
        nothing was parsed."""
        tok = self.parse.token(bi, i)
        return tok is None or grammar.starts_clause(tok, self.r["grammar"])

    def stop(self, t: str, i: int, end: int, next_start: int | None = None) -> int:
        """Where a side to the right of a cue ends: a clause break, the next cue or the sentence end."""
        m = self.r["right_stop"].search(t, i, end)
        return min(end, m.start() if m else end, end if next_start is None else next_start)

    def construction(self, bi: int, si: int, s: int, lead: int, c: dict, m: re.Match) -> list[_Claim]:
        r, previous = self.r, c.get("effect") == "previous"
        etext = "" if previous else m.group("effect")
        if "effect_requires" in c and not r[c["effect_requires"]].search(etext) or r["normative"].search(etext) and not c.get("normative_ok"):
            return []
        if "cause_forbids" in c and re.search(c["cause_forbids"], m.group("cause").strip(), re.I):
            return []
        if "effect_clause" in c and not self.clause_follows(bi, lead + m.start("effect")):
            return []
        cause = self.resolve(bi, si, lead + m.start("cause"), lead + m.end("cause"), s, c.get("resolve", "np"))
        # "It does this through X": what "this" did is the previous sentence
        effect = self.previous(bi, si) if previous else self.seg(bi, lead + m.start("effect"), lead + m.end("effect"), effect=True)
        if not cause or not effect or self.is_agent(cause):
            return []
        modality = c.get("modality") or self.clause_modality(effect if not previous else None)
        if modality == "asserted" and "effect_requires" in c and "modality" not in c:  # a condition: "If X, it will Y"
            modality = "hedged" if r["modality"]["hedged"].search(etext) else "predicted"
        return [_Claim(cause, effect, (bi, lead + m.start("cue"), lead + m.end("cue")), c["cue"], f"construction:{c['name']}",
                       modality=modality)]

    def grammatical(self, bi: int, m: re.Match, opt: dict) -> bool:
        """Does the parse give a backward cue's first word the role its rule asks ("as" a subordinating
        conjunction whose clause has a subject)? True where nothing was parsed."""
        tok = self.parse.token(bi, m.start())
        return tok is None or grammar.has_role(tok, opt)

    def verb_token(self, bi: int, m: re.Match, verb: dict):
        """The cue's verb in the parse, or False when the parse reads the form as another part of speech
        ("causes of concern", "partnership leads") or the particle as an infinitive marker ("leads to
        discuss"). None where nothing was parsed."""
        tok = self.parse.token(bi, m.start("form"))
        if tok is None:
            return None
        own = m.group("part") and m.group("part").strip().lower() == verb.get("particle")
        part = self.parse.token(bi, m.start("part") + len(m.group("part")) - len(m.group("part").lstrip())) if own else None
        return tok if grammar.reads_as_verb(tok, part, self.r["grammar"]) else False

    def candidates(self, t: str, lead: int, end: int, bi: int = -1) -> list[_Cand]:
        """Every cue in the sentence, with whether its grammatical position allows a claim."""
        r, w, found = self.r, self.r["w"], []
        for (rx, opt), matches in zip(r["backward"], self.matches(t, lead, end, bi)[1]):
            for m in matches:
                after, before = t[m.end():end].lstrip(), t[lead:m.start()]
                if "follow" in opt and not opt["follow"].match(after) or "not_follow" in opt and opt["not_follow"].match(after):
                    continue
                if "precede" in opt and opt["precede"].search(before) or "requires_before" in opt and not opt["requires_before"].search(before):
                    continue
                if not self.grammatical(bi, m, opt):
                    continue
                c = _Cand(m.start(), m.end(), "backward", m.group(0).lower(), f"backward:{m.group(0).lower()}")
                c.modality = self.modality(r["modal_before"].search(before).group(0) if r["modal_before"].search(before) else "")
                found.append(c)
        for m in self.matches(t, lead, end, bi)[0]:
            verb, k = r["forms"][m.group("form").lower()]
            tok = self.verb_token(bi, m, verb)
            if tok is False:
                continue
            aux, rel = (m.group("aux") or "").strip().lower(), m.group("rel")
            part = (m.group("part") or "").strip().lower()
            if verb.get("required") and part != verb.get("particle"):
                continue
            cue_end = m.end() if part and part == verb.get("particle") else m.end("form")
            cue_text = m.group("form").lower() + (f" {part}" if cue_end == m.end() and part else "")
            c = _Cand(m.start(), cue_end, "relative" if rel else "verb", cue_text, f"verb:{verb['lemma']}", verb, token=tok,
                      bare=k == 2 and not aux)
            restrictive = rel and not t[lead:m.start()].rstrip().endswith((",", ";"))
            c.negated = aux in w["negated_aux"] | w["hypothetical"] | (w["hypothetical_relative"] if restrictive else set()) \
                or bool(set(m.group("adv").lower().split()) & w["negations"])
            c.modality = self.modality(f"{aux} {m.group('adv')}", tok)
            before = t[lead:m.start()].rstrip()
            prev = before.split()[-1].lower() if before.split() else ""
            if aux:  # the form an auxiliary takes: "should help", "has helped", "is causing"
                c.ok = k == (1 if aux in w["perfect"] else 3 if aux in w["progressive"] else 2)
            elif k == 3:  # ", meaning Y"; not a list of -ing forms ("keeping people safe, reducing crime")
                c.ok = bool(verb.get("participle")) and before.endswith((",", ";")) and not rel \
                    and not (tok and grammar.listed(tok, r["grammar"]))
                c.kind = "participle" if c.ok else c.kind
            elif not rel:
                c.ok = (self.plural_subject(t, lead, m.start()) or bool(tok) and grammar.plural_subject(tok, r["grammar"])) if k == 2 else \
                    prev not in w["noun_before"] and not (k == 1 and re.match(r"\s+by\b", t[m.end("form"):]))
            if not rel and not aux and (prev == "to" or k == 3 and prev in w["prepositions"]) or rel and prev in w["prepositions"]:
                c.ok = False  # purpose ("to help"), gerund ("by providing"), "to which"
            obj = t[cue_end:end]
            if not re.match(r"\s+[\w'\"£(\[]", obj) or obj.split()[0].lower() in w["not_object"]:
                c.ok = False  # no object: "improved from", "should improve in"
            om = verb["object_re"].match(obj.strip()) if "object_re" in verb else None
            if om and om.groupdict().get("cue"):  # "has a negative impact on": the cue runs into the object
                c.end = cue_end + len(obj) - len(obj.lstrip()) + om.end("cue")
                c.cue_text = f"{c.cue_text} {' '.join(om.group('cue').lower().split())}"
            if om or "object_re" not in verb:
                found.append(c)
        back = [c for c in found if c.kind == "backward"]
        found = [c for c in found if c.kind == "backward" or not any(c.start < x.end and x.start < c.end for x in back)]
        kept: list[_Cand] = []
        for c in sorted(found, key=lambda c: (c.start, c.start - c.end)):
            if kept and c.start < kept[-1].end:
                continue
            if c.kind == "verb" and kept and re.search(r"(?:,|\band|\bor)\s*$", t[kept[-1].end:c.start]):
                c.kind = "coordinated"  # "creates work and causes delays"
            kept.append(c)
        return kept

    def matches(self, t: str, lead: int, end: int, bi: int) -> tuple[list[re.Match], list[list[re.Match]]]:
        """The cue verbs' and the backward cues' matches in a sentence. The parse does not change them, so they
        are kept for the rules' second pass."""
        key = ("cues", bi, lead, end)
        if key not in self.matched:
            verbs = list(self.r["verb"].finditer(t, lead, end)) if self.r["form"].search(t, lead, end) else []
            self.matched[key] = verbs, [list(rx.finditer(t, lead, end)) for rx, _ in self.r["backward"]]
        return self.matched[key]

    def constructs(self, t: str, lead: int, end: int, bi: int) -> list[tuple[dict, re.Match]]:
        """The constructions that match the sentence ("This is being achieved through X"), with their matches."""
        key = ("constructions", bi, lead, end)
        if key not in self.matched:
            self.matched[key] = [(c, m) for c, rx in self.r["constructions"] if (m := rx.match(t[lead:end]))]
        return self.matched[key]

    def plural_subject(self, t: str, lead: int, start: int) -> bool:
        """A bare verb right after its own plural subject: "These delays limit", "Staff shortages limit"."""
        cs = max([lead, *(m.end() for m in self.r["clause_start"].finditer(t, lead, start))])
        words, w = t[cs:start].lower().replace(",", " ").split(), self.r["w"]
        if not words or len(words) > 6 or any(x in w["not_subject"] or x.endswith("n't") for x in words):
            return False
        if " ".join(words) in w["determiners"] or len(words) == 2 and " ".join(words) in w["determiners"]:
            return True
        last = words[-1]
        return last.endswith("s") and not last.endswith("ss") and last not in w["determiners"] | w["noun_before"] | w["personal"] | {"its", "us", "his", "thus", "plus"}

    def candidate(self, b: Block, si: int, s: int, lead: int, end: int, cands: list[_Cand], k: int) -> list[_Claim]:
        t, bi, r, c = b.text, b.index, self.r, cands[k]
        prev, nxt = cands[k - 1] if k else None, cands[k + 1] if k + 1 < len(cands) else None
        if not c.ok:
            return []
        limit = c.start
        while c.kind == "participle" and limit > lead and t[limit - 1] in " ,;":
            limit -= 1
        lb = max([lead, *(m.end() for m in r["clause_start"].finditer(t, lead, limit)), prev.end if prev and prev.ok else lead])
        nested = ("verb", "backward") if c.kind == "backward" else ("verb",)  # a cue inside this one's right side
        right = self.stop(t, c.end, end, nxt.start if nxt and nxt.kind not in nested else None)
        if c.kind == "backward":
            m = r["trailing_aux"].search(t[lb:c.start])  # "X can be affected by"
            effect_end = lb + m.start() if m else c.start
            if not t[lb:effect_end].strip() and lb == lead:  # "Because X, Y"
                comma = t.find(",", c.end, end)
                if comma < 0:
                    return []
                cause = self.resolve(bi, si, c.end, comma, s)
                effect = self.seg(bi, comma + 1, self.stop(t, comma + 1, end))
            else:
                head = self.modified(bi, c)
                if head:  # the participle phrase ends where its subtree does: "the delays caused by the backlog"
                    right = min(right, self.parse.extent(bi, self.parse.token(bi, c.start))[1])
                cause, effect = self.seg(bi, c.end, right), self.resolve(bi, si, max(lb, head), effect_end, s)
            if not cause or not effect or r["normative"].search(self.text(effect)):
                return []
            return [_Claim(cause, effect, (bi, c.start, c.end), c.cue_text, c.rule, right >= end, modality=c.modality)]
        subj = self.parsed_subject(bi, c, lb)
        antecedent = self.antecedent(bi, c, lead) if c.kind == "relative" else None
        if c.kind == "coordinated":
            cause = prev.cause if prev and prev.kind != "backward" else None
        elif subj:  # the verb's subject in the parse: "its alliance with the county council has enabled ..."
            cause = self.resolve(bi, si, *subj, s, mid=True)
        elif antecedent is not None:  # "problem-management plans that prevent ...": the noun phrase
            cause = antecedent or None
        elif c.kind == "verb" and not self.plain_subject(bi, lb, c.start):
            return []
        else:
            cause = self.resolve(bi, si, lb, c.start, s, mid=True)
        c.cause = cause = None if cause and (self.is_agent(cause) or self.agent_head(bi, cause)) and not c.verb.get("agent_ok") else cause
        effect = self.seg(bi, c.end, right, effect=True)
        if not cause or not effect or c.negated or r["normative"].search(self.text(effect)):
            return []
        if c.kind == "verb" and c.verb["lemma"] == "mean" and r["definition"].search(self.text(cause)):
            return []  # "'national' means applying to England or Wales": a definition
        rule = c.rule if c.kind in ("verb", "coordinated") else f"{c.kind}:{c.verb['lemma']}"
        return [_Claim(cause, effect, (bi, c.start, c.end), c.cue_text, rule, right >= end, bool(c.verb.get("clausal")), c.modality)]

    def antecedent(self, bi: int, c: _Cand, lead: int) -> list[Seg] | None:
        """The noun phrase a restrictive relative clause ("plans that prevent ...") is about: its segments,
        [] when it is only a pronoun or a placeholder noun ("those that pose ...", "the factors that
        influence ...": no claim), None to keep the clause (a
        sentential ", which ...", a light noun such as "a way that promotes", or nothing parsed)."""
        t, tok = self.blocks[bi].text, c.token
        if tok is not None:  # "the factors that are likely to influence": the clause's verb is "are"
            tok = grammar.climb(tok, self.r["grammar"]["subject_through"])[-1]
        if tok is None or tok.dep_ != "relcl" or t[lead:c.start].rstrip().endswith((",", ";")):
            return None
        head, w = tok.head, self.r["w"]
        if head.lower_ in w["pronouns"] | w["personal"] | set(w["generic_antecedents"]) | {"those", "them", "one", "ones", "anyone", "someone"}:
            return []
        if head.pos_ not in self.r["grammar"]["noun_pos"] or head.lower_ in w["light_nouns"]:
            return None
        a = max(lead, self.parse.extent(bi, head)[0])
        return self.seg(bi, a, c.start) or None

    def agent_head(self, bi: int, segs: list[Seg]) -> bool:
        """Is the head of a parsed cause an actor ("Its economic crime unit provides", "This report gives")?"""
        b, i, j = segs[0]
        if len(segs) != 1 or b != bi:
            return False
        tok = self.parse.token(b, i)
        if tok is None:
            return False
        head = grammar.phrase_head(tok, lambda t: i <= self.parse.char(b, t) < j)
        heads = [head, *(x for x in head.children if x.dep_ == "conj")]  # "The team and new policy": not only actors
        words = {x.lower_ for x in head.subtree}
        return all(x.lower_ in self.agent_words for x in heads) and not words & self.r["w"]["state_words"]

    def modified(self, bi: int, c: _Cand) -> int:
        """Where the noun phrase starts that a participle cue modifies ("staff understand [the harm] caused by
        X": the effect is the harm, not what the staff understand); 0 when the cue is no such participle."""
        tok = self.parse.token(bi, c.start)
        if tok is None or tok.dep_ != "acl" or tok.tag_ != "VBN" or tok.head.i > tok.i:
            return 0
        return self.parse.extent(bi, tok.head)[0]

    def parsed_subject(self, bi: int, c: _Cand, lb: int) -> tuple[int, int] | None:
        """The extent of a finite cue verb's subject in the parse, when it lies in the verb's clause."""
        if c.kind != "verb" or c.token is None:
            return None
        g = self.r["grammar"]
        if c.token.dep_ in g["reduced_relative_deps"]:
            return None  # "how effective a service the force gives": the rules decide
        if grammar.embedded(c.token, self.r["w"]["embedded"], g["subject_deps"], self.r["w"]["factive"]):
            return None  # "how this investment will improve": embedded; the rules decide
        subj = grammar.verb_subject(c.token, g)
        if subj is None or subj.lower_ in self.r["w"]["pronouns"] | self.r["w"]["personal"]:
            return None  # a bare pronoun: the rules that resolve "it" and "this" decide
        a, z = self.parse.extent(bi, subj)
        return (a, z) if lb <= a and z <= c.start else None

    # ------------------------------------------------------------------ lists
    def lists(self) -> None:
        """A lead-in ending in ":" gives its causal verb to every following bullet, one claim each."""
        for b in self.blocks:
            sents = self.sents[b.index]
            if not sents or not b.text.rstrip().endswith(":") or b.index + 1 >= len(self.blocks) or self.blocks[b.index + 1].kind != "item":
                continue
            pointer = bool(self.r["pointer"].match(b.text[slice(*sents[-1])]))  # "These are:"
            si = len(sents) - 1 - pointer
            if si < 0 or not pointer and not self.r["names_list"].search(b.text[slice(*sents[-1])]):
                continue
            claims = self.claims.get((b.index, si), [])
            lead = next((c for c in claims if c.tail and c.rule.split(":")[0] in ("verb", "relative")), None)
            if lead is None or not pointer and not self.r["names_list"].search(self.text(lead.cause)):
                continue
            claims.remove(lead)
            k = b.index + 1
            while k < len(self.blocks) and self.blocks[k].kind == "item":
                text = self.blocks[k].text  # the bullet up to its own cue or ";"
                cut = min([len(text), *(c.cue[1] for c in self.claims.get((k, 0), [])), *([text.find(";")] if ";" in text else [])])
                cause = self.seg(k, 0, cut)
                if cause:
                    claims.append(_Claim(cause, lead.effect, lead.cue, lead.cue_text, f"list:{lead.rule}", modality=lead.modality))
                k += 1

    # ------------------------------------------------------------------ records
    def span(self, segs: list[Seg]) -> Span:
        """The source span of segments, widened to whole glossary links ("[term](#)") at either end."""
        a, z = min(self.blocks[b].subspan(i, j).start for b, i, j in segs), max(self.blocks[b].subspan(i, j).end for b, i, j in segs)
        quote, src = self.source[a:z], self.source
        if quote.count("](") > quote.count("[") and "[" in src[max(0, a - 200):a]:
            a = src.rindex("[", 0, a)
        m = re.match(r"(?:\\.|[^\]\\\n])*\]\([^)\s]*\)", src[z:z + 300])
        if quote.count("[") > quote.count("](") and m:
            z += m.end()
        return Span(a, z)

    def sentence_span(self, seg: Seg) -> Span:
        b, i, j = seg
        bounds = self.sents[b] or [(0, len(self.blocks[b].text))]
        a = max((s for s, _ in bounds if s <= i), default=0)
        z = min((e for _, e in bounds if e >= j), default=len(self.blocks[b].text))
        return self.blocks[b].subspan(a, z)

    def record(self, c: _Claim, statement_of: dict[int, int]) -> CausalClaim:
        evidence = self.sentence_span(c.cue)
        for seg in (*c.cause, *c.effect):
            evidence = evidence.cover(self.sentence_span(seg))
        bi = c.cue[0]
        return CausalClaim(
            cause=self.span(c.cause), effect=self.span(c.effect), cue=self.span([c.cue]), cue_text=c.cue_text,
            cause_text=self.text(c.cause), effect_text=self.text(c.effect), evidence=evidence, block=bi,
            statement=statement_of.get(bi), area=self.blocks[bi].area, rule=c.rule, modality=c.modality,
        )


BARE_PRONOUNS = frozenset("it this that these those them him her us you me".split())


def extract(doc: Document, progress: bool = False) -> Document:
    """Add the causal claims the report states to ``doc.claims`` (run after structure and metrics)."""
    x = _Extractor(doc, progress)
    for b in doc.blocks:
        if b.kind in ("paragraph", "item", "heading"):
            for si, (s, e) in enumerate(x.sents[b.index]):
                x.claims[(b.index, si)] = x.sentence(b, si, s, e)
    x.lists()
    statement_of = {j: k for k, st in enumerate(doc.statements) for j in st.blocks}
    seen = set()
    for key in sorted(x.claims):
        for c in x.claims[key]:
            rec = x.record(c, statement_of)
            if (rec.cause, rec.effect) in seen or rec.cause.end > rec.effect.start and rec.effect.end > rec.cause.start:
                continue  # a duplicate, or a side that overlaps the other
            if rec.effect_text.strip(" .,").lower() in BARE_PRONOUNS:
                continue  # "... which supports it": a bare pronoun says nothing about what is affected
            seen.add((rec.cause, rec.effect))
            doc.claims.append(rec)
    return doc


def claims_in_text(text: str, name: str = "<text>", progress: bool = False) -> list[CausalClaim]:
    """The causal claims of any text (a report, a page, a pasted paragraph): no structure needed."""
    from ..parse import parse_text

    return extract(parse_text(text, name), progress).claims
