"""Causal claims: "X, which means Y", "This limits Y", "Y because X", "If X doesn't ..., it will ...".

Deterministic and rule based. The cue words, connectives and constructions are data in
``ontology/cues.toml``; this module reads a sentence's grammar around them: where the subject of a causal
verb starts, whether a verb form is finite, negated or a purpose infinitive, what "This" or "It" refers
to. Precision comes first: a cue whose subject or object cannot be placed gives no claim.

Each side of a claim is a list of segments ``(block, start, end)`` in the blocks' cleaned text, so a
side can be a noun phrase, a clause, the previous sentence or the whole previous paragraph; segments map
to exact source spans with ``Block.subspan``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from .. import resources
from ..errors import PeelgraphError
from ..model import Block, CausalClaim, Document, Span

Seg = tuple[int, int, int]  # (block index, start, end) in the block's cleaned text
MAX_PARAGRAPH_SENTENCES = 5  # "This" opening a paragraph refers to the whole previous one up to this size


def _alt(words) -> str:
    return "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True))


@lru_cache(maxsize=None)
def cues() -> dict:
    """The cue rules of ontology/cues.toml, compiled and checked."""
    path = resources.ontology("cues.toml")
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
        return _compile(data)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise PeelgraphError(f"{path}: cannot read the causal cue rules ({e}); fix the file or reinstall peelgraph.") from None
    except (KeyError, TypeError, ValueError, IndexError, re.error) as e:
        raise PeelgraphError(f"{path}: invalid causal cue rule ({e!r}); see the comments at the top of the file.") from None


def _compile(d: dict) -> dict:
    w = {k: [x.lower() for x in v] for k, v in d["words"].items()}
    p = d["patterns"]
    forms = {}
    for v in d["verb"]:
        if len(v["forms"]) != 4:
            raise ValueError(f"verb {v['lemma']!r} needs four forms (-s, past, bare, -ing)")
        for k, f in enumerate(v["forms"]):
            forms.setdefault(f.lower(), (v, k))
        if "object" in v:
            v["object_re"] = re.compile(v["object"], re.I)
    aux = w["modals"] + w["perfect"] + w["progressive"] + w["negated_aux"]
    particles = {v["particle"] for v in d["verb"] if "particle" in v}
    verb_re = re.compile(
        rf"(?P<rel>\b(?:which|that)\s+)?(?P<aux>\b(?:{_alt(aux)})\s+)?(?P<adv>(?:\b(?:{_alt(w['adverbs'])})\s+){{0,3}})"
        rf"\b(?P<form>{_alt(forms)})\b(?P<part>\s+(?:{_alt(particles)})\b)?", re.I)
    back = []
    for b in d["backward"]:
        rx = re.compile(rf"\b(?:{_alt(b['phrases'])})\b", re.I)
        opt = {k: re.compile(b[k], re.I) for k in ("follow", "precede", "not_follow", "requires_before") if k in b}
        back.append((rx, opt))
    constructions = []
    for c in d["construction"]:
        rx = re.compile(c["pattern"], re.I)
        if not {"cause", "effect", "cue"} <= set(rx.groupindex):
            raise ValueError(f"construction {c['name']!r} needs the groups cause, effect and cue")
        constructions.append((c, rx))
    return {
        "w": {k: set(v) for k, v in w.items()}, "forms": forms, "verb_re": verb_re, "backward": back,
        "connective": re.compile(rf"^(?P<cue>{_alt(x for c in d['connective'] for x in c['phrases'])})\s*,\s*", re.I),
        "constructions": constructions,
        "pointer": re.compile(d["lists"]["pointer"], re.I), "names_list": re.compile(d["lists"]["names_list"], re.I),
        "lead": [re.compile(x, re.I) for x in p["lead"]],
        "trailing_aux": re.compile(p["trailing_aux"], re.I), "clause_start": re.compile(p["clause_start"], re.I),
        "right_stop": re.compile(p["right_stop"], re.I), "normative": re.compile(p["normative"], re.I),
        "predictive": re.compile(p["predictive"], re.I), "negative_predictive": re.compile(p["negative_predictive"], re.I),
        "determiner": re.compile(rf"^(?P<det>{_alt(w['determiners'] + w['pronouns'])})\b\s*(?P<np>.*)$", re.I | re.S),
        "concessive": re.compile(r"^(?:although|though|while|whilst|despite [^,]+|even though)\s[^,]+,\s+", re.I),
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
    key: tuple[int, int]  # (block, sentence) of the cue
    tail: bool = False  # the effect runs to the end of its sentence
    clausal: bool = False  # the effect is a whole clause (a "This" in the next sentence may mean it)


@dataclass
class _Cand:
    start: int  # cue start (relative pronoun included), block text
    end: int
    kind: str  # verb | relative | participle | coordinated | backward
    cue_text: str
    rule: str
    verb: dict = field(default_factory=dict)
    ok: bool = True  # grammatical position allows a claim
    negated: bool = False
    cause: list[Seg] | None = None


class _Extractor:
    def __init__(self, doc: Document):
        self.doc, self.r, self.blocks = doc, cues(), doc.blocks
        agents = set(self.r["w"]["agents"])
        if doc.inspection:
            agents |= {doc.inspection.force.lower(), re.sub(r"\s+(?:constabulary|police|police service)$", "", doc.inspection.force.lower())}
        agent = rf"(?:the\s+|our\s+|its\s+|their\s+|a\s+|an\s+|some\s+|many\s+|these\s+|this\s+|all\s+)?(?:[\w-]+\s+){{0,2}}?(?:{_alt(agents)})"
        self.agent_re = re.compile(rf"^{agent}(?!')\b", re.I)  # a subject that is an actor
        self.agent_only = re.compile(rf"^{agent}$", re.I)
        self.agent_words = {a.lower() for a in agents}
        self.claims: dict[tuple[int, int], list[_Claim]] = {}
        self.sents = {b.index: b.sentences() for b in self.blocks}

    # ------------------------------------------------------------------ text helpers
    def trim(self, bi: int, i: int, j: int, effect: bool = False) -> tuple[int, int]:
        t = self.blocks[bi].text
        changed = True
        while changed and i < j:
            changed = False
            while i < j and t[i] in " ,;:-\"'(":
                i, changed = i + 1, True
            for rx in self.r["lead"]:
                m = rx.match(t[i:j])
                if m and m.end():
                    i, changed = i + m.end(), True
            if effect and re.match(r"to\s", t[i:j]):
                i, changed = i + 3, True
            m = re.search(r"(?:[\s.,;:]|\band\b|\bor\b)+$", t[i:j])
            if m and m.start() < j - i:
                j, changed = i + m.start(), True
        return i, j

    def seg(self, bi: int, i: int, j: int, effect: bool = False) -> list[Seg] | None:
        i, j = self.trim(bi, i, j, effect)
        return [(bi, i, j)] if j - i >= 2 and re.search(r"[A-Za-z]", self.blocks[bi].text[i:j]) else None

    def text(self, segs: list[Seg]) -> str:
        return " ".join(self.blocks[b].text[i:j] for b, i, j in segs)

    def is_agent(self, segs: list[Seg]) -> bool:
        text = self.text(segs).strip(" .,")
        return bool(self.agent_only.match(text)) and not set(text.lower().split()) & self.r["w"]["state_words"]

    def starts_with_agent(self, bi: int, i: int, j: int) -> bool:
        i, j = self.trim(bi, i, j)
        return bool(self.agent_re.match(self.blocks[bi].text[i:j]))

    # ------------------------------------------------------------------ anaphora
    def previous(self, bi: int, si: int, kind: str = "this") -> list[Seg] | None:
        """What a sentence-initial "This" (or "It") of sentence si in block bi refers to."""
        if si > 0:
            pb, ps = bi, si - 1
        else:
            if bi == 0 or self.blocks[bi].kind == "heading":
                return None
            prev = self.blocks[bi - 1]
            if prev.kind == "item" and self.blocks[bi].kind != "item":
                k = bi - 1
                while k > 0 and self.blocks[k - 1].kind == "item":
                    k -= 1
                return [(x, 0, len(self.blocks[x].text)) for x in range(k, bi)] if kind == "this" else None
            if prev.kind not in ("paragraph", "item"):
                return None  # never across a heading
            pb, ps = bi - 1, len(self.sents[bi - 1]) - 1
        before = self.claims.get((pb, ps), [])
        s, e = self.sents[pb][ps]
        if kind == "it":
            if before:
                return before[0].cause
            if self.starts_with_agent(pb, s, e):
                return None  # "It" is the force itself: an action, not a cause
        tails = [c for c in before if c.tail and c.clausal]
        if tails and kind == "this":
            return tails[-1].effect  # a chain: "A. As a result, B. This means C" gives B -> C
        if si == 0 and len(self.sents[pb]) <= MAX_PARAGRAPH_SENTENCES:
            return self.seg(pb, 0, len(self.blocks[pb].text))
        main = s  # the main clause: after ", but" or after a concessive opening ("Although X, Y")
        for m in re.finditer(r",\s+but\s+", self.blocks[pb].text[s:e]):
            main = s + m.end()
        m = self.r["concessive"].match(self.blocks[pb].text[s:e])
        if main == s and m:
            main = s + m.end()
        return self.seg(pb, main, e)

    def plain_subject(self, bi: int, i: int, j: int) -> bool:
        """The text before a finite causal verb can be its subject: no embedded question ("how well it
        prevents"), no auxiliary of another clause, no reduced relative ("the service it provides")."""
        if re.search(r"(?:,|\band|\bor)\s*$", self.blocks[bi].text[i:j]):
            return False  # "X, which wastes time and increases Y": the subject belongs to another verb
        i, j = self.trim(bi, i, j)
        region = self.blocks[bi].text[i:j]
        m = self.r["intro"].match(region)
        if m:
            region = m.group("subj")
        words = region.lower().split()
        w = self.r["w"]
        if not words or self.r["embedded"].search(region):
            return False
        if any(x in w["modals"] | w["perfect"] | w["progressive"] | {"be", "been", "being"} or x.endswith("n't") for x in words):
            return False
        if len(words) > 1 and words[-1] in w["personal"]:
            return False
        for n in (3, 2, 1):  # "the service the force provides": an actor right before the verb
            if len(words) > n and " ".join(words[-n:]) in self.agent_words:
                k = len(words) - n - 1
                k -= words[k] in ("the", "its", "our", "their", "a", "an") and k > 0
                return words[k] in w["prepositions"] | {"and", "or", "of"}
        return True

    def resolve(self, bi: int, si: int, i: int, j: int, sent_start: int, how: str = "np", mid: bool = False) -> list[Seg] | None:
        """A subject or cause region: an anaphor becomes its referent, a descriptive one its noun phrase."""
        i, j = self.trim(bi, i, j)
        t = self.blocks[bi].text
        if j <= i:
            return None
        region = t[i:j]
        m = self.r["intro"].match(region)
        if m:
            subj = m.group("subj").strip().lower()
            if subj in self.r["w"]["pronouns"]:
                a = i + m.start("intro")
                if subj == "it":
                    vm = re.search(r"\s(?:is|are|was|were|has|have|had|can|will|may|does|do|isn't|doesn't|hasn't)\b", region[m.start("intro"):m.end("intro")])
                    return self.seg(bi, a, a + vm.start() if vm else i + m.end("intro"))
                return self.seg(bi, a, i + m.end("intro"))
            return self.resolve(bi, si, i + m.start("subj"), j, sent_start, how, mid)
        m = self.r["determiner"].match(region)
        if m:
            det, np_ = m.group("det").lower(), m.group("np").strip()
            words = np_.lower().split()
            if det in ("that",) and words:
                return self.seg(bi, i, j)  # "that" + noun is a plain noun phrase
            w = self.r["w"]
            if any(x in w["not_subject"] or x in w["modals"] or x.endswith("n't") for x in words):
                return self.seg(bi, i, j)  # a clause with "this" as its subject, not a noun phrase
            if words and len(words) <= 6 and words[-1] not in w["light_nouns"] and how == "np":
                return self.seg(bi, i + m.start("np"), j)
            if len(words) > 6:
                return self.seg(bi, i, j)
            a, z = self.trim(bi, sent_start, i)
            if mid and z > a:  # mid-sentence pronoun: the clause before it in the same sentence
                if det == "it" and self.starts_with_agent(bi, sent_start, i):
                    return None
                return self.seg(bi, sent_start, i)
            return self.previous(bi, si, "it" if det == "it" else "this")
        if region.lower() in self.r["w"]["pronouns"] | {"they", "them", "he", "she", "we", "i", "you"}:
            return None
        return self.seg(bi, i, j)

    # ------------------------------------------------------------------ one sentence
    def sentence(self, b: Block, si: int, s: int, e: int) -> list[_Claim]:
        t, bi, r, out = b.text, b.index, self.r, []
        lead = s
        m = r["lead"][0].match(t[s:e])
        if m:
            lead = s + m.end()
        end = e
        while end > s and t[end - 1] in ".:;!? ":
            end -= 1
        m = r["connective"].match(t[lead:end])
        if m:
            a = lead + m.end()
            cause, effect = self.previous(bi, si), self.seg(bi, a, self._stop(t, a, end), effect=True)
            if cause and effect and not r["normative"].search(self.text(effect)):
                cue = m.group("cue").lower()
                out.append(_Claim(cause, effect, (bi, lead, lead + m.end("cue")), cue, f"connective:{cue}", (bi, si), self._stop(t, a, end) >= end, True))
        for c, rx in r["constructions"]:
            m = rx.match(t[lead:end])
            if m:
                out += self.construction(b, si, s, lead, c, m)
        cands = self.candidates(t, s, lead, end)
        for k, c in enumerate(cands):
            out += self.candidate(b, si, s, lead, end, cands, k)
        return out

    def _stop(self, t: str, i: int, end: int, next_start: int | None = None) -> int:
        m = self.r["right_stop"].search(t, i, end)
        stop = min(end, m.start() if m else end)
        return min(stop, next_start) if next_start is not None else stop

    def construction(self, b: Block, si: int, s: int, lead: int, c: dict, m: re.Match) -> list[_Claim]:
        r, bi = self.r, b.index
        ctext, etext = m.group("cause"), m.group("effect")
        if "effect_requires" in c and not r[c["effect_requires"]].search(etext):
            return []
        if r["normative"].search(etext) or ("cause_forbids" in c and re.search(c["cause_forbids"], ctext.strip(), re.I)):
            return []
        cause = self.resolve(bi, si, lead + m.start("cause"), lead + m.end("cause"), s, c.get("resolve", "np"))
        effect = self.seg(bi, lead + m.start("effect"), lead + m.end("effect"), effect=True)
        if not cause or not effect or self.is_agent(cause):
            return []
        cue = (bi, lead + m.start("cue"), lead + m.end("cue"))
        return [_Claim(cause, effect, cue, m.group("cue").lower(), f"construction:{c['name']}", (bi, si))]

    def candidates(self, t: str, s: int, lead: int, end: int) -> list[_Cand]:
        r, w, found = self.r, self.r["w"], []
        for rx, opt in r["backward"]:
            for m in rx.finditer(t, lead, end):
                after = t[m.end():end].lstrip()
                if "follow" in opt and not opt["follow"].match(after) or "not_follow" in opt and opt["not_follow"].match(after):
                    continue
                before = t[lead:m.start()]
                if "precede" in opt and opt["precede"].search(before) or "requires_before" in opt and not opt["requires_before"].search(before):
                    continue
                found.append(_Cand(m.start(), m.end(), "backward", m.group(0).lower(), f"backward:{m.group(0).lower()}"))
        for m in r["verb_re"].finditer(t, lead, end):
            verb, k = r["forms"][m.group("form").lower()]
            aux = (m.group("aux") or "").strip().lower()
            adv = m.group("adv").lower().split()
            part = (m.group("part") or "").strip().lower()
            cue_end = m.end() if part and part == verb.get("particle") else m.end("form")
            if verb.get("required") and part != verb.get("particle"):
                continue
            c = _Cand(m.start(), cue_end, "relative" if m.group("rel") else "verb", (m.group("form") + (" " + part if part and cue_end == m.end() else "")).lower(), f"verb:{verb['lemma']}", verb)
            c.negated = aux in w["negated_aux"] or any(a in w["negations"] for a in adv) or aux in w["hypothetical"]
            before = t[lead:m.start()].rstrip()
            prev = before.split()[-1].lower() if before.split() else ""
            if aux and aux not in w["negated_aux"]:
                c.ok = k == {**{a: 2 for a in w["modals"]}, **{a: 1 for a in w["perfect"]}, **{a: 3 for a in w["progressive"]}}[aux]
            elif aux:
                c.ok = k == (1 if aux.startswith(("has", "have", "had")) else 3 if aux.startswith(("is", "are", "was", "were")) else 2)
            elif k == 3:
                c.ok = bool(verb.get("participle")) and before.endswith((",", ";")) and not m.group("rel")
                c.kind = "participle" if c.ok else c.kind
            elif k == 2 and not m.group("rel"):
                c.ok = self._plural_subject(t, s, lead, m.start())
            elif k in (0, 1) and not m.group("rel"):
                c.ok = prev not in w["noun_before"] and not (k == 1 and re.match(r"\s+by\b", t[m.end("form"):]))
            if not m.group("rel") and not aux and (prev == "to" or (k == 3 and prev in w["prepositions"])):
                c.ok = False
            if m.group("rel") and prev in w["prepositions"]:
                c.ok = False  # "to which", "by which": no subject
            obj = t[cue_end:end]
            if not obj.strip() or not re.match(r"\s+[\w'\"£(\[]", obj) or obj.split()[0].lower() in w["not_object"]:
                c.ok = False
            if "object_re" in verb and not verb["object_re"].match(obj.strip()):
                continue
            found.append(c)
        back = [c for c in found if c.kind == "backward"]
        found = [c for c in found if c.kind == "backward" or not any(c.start < x.end and x.start < c.end for x in back)]
        found.sort(key=lambda c: (c.start, -(c.end - c.start)))
        kept: list[_Cand] = []
        for c in found:
            if kept and c.start < kept[-1].end:
                continue  # overlaps a longer or earlier cue
            if c.kind == "verb" and kept and re.search(r"(?:,|\band|\bor)\s*$", t[kept[-1].end:c.start]):
                c.kind = "coordinated"
            kept.append(c)
        return kept

    def _plural_subject(self, t: str, s: int, lead: int, start: int) -> bool:
        """A bare verb after its own plural subject: "These delays limit", "Staff shortages limit"."""
        cs = lead
        for m in self.r["clause_start"].finditer(t, lead, start):
            cs = m.end()
        words = t[cs:start].lower().replace(",", " ").split()
        if not words or len(words) > 6 or any(x in self.r["w"]["not_subject"] or x.endswith("n't") for x in words):
            return False
        w = self.r["w"]
        if " ".join(words) in w["determiners"] or " ".join(words[:2]) in w["determiners"] and len(words) == 2:
            return True
        last = words[-1]
        return last.endswith("s") and not last.endswith("ss") and last not in w["determiners"] | w["noun_before"] | w["personal"] | {"its", "us", "his", "thus", "plus"}

    def candidate(self, b: Block, si: int, s: int, lead: int, end: int, cands: list[_Cand], k: int) -> list[_Claim]:
        t, bi, r, c = b.text, b.index, self.r, cands[k]
        prev = cands[k - 1] if k else None
        nxt = cands[k + 1] if k + 1 < len(cands) else None
        if not c.ok:
            return []
        lb, limit = lead, c.start
        while c.kind == "participle" and limit > lead and t[limit - 1] in " ,;":
            limit -= 1
        for m in r["clause_start"].finditer(t, lead, limit):
            lb = m.end()
        if prev and prev.ok:
            lb = max(lb, prev.end)
        stop_next = nxt.start if nxt and nxt.kind != "verb" else None
        right = self._stop(t, c.end, end, stop_next)
        if c.kind == "backward":
            effect_end = c.start
            m = r["trailing_aux"].search(t[lb:c.start])
            if m:
                effect_end = lb + m.start()
            if not t[lb:effect_end].strip() and lb == lead:  # "Because X, Y"
                comma = t.find(",", c.end, end)
                if comma < 0:
                    return []
                cause = self.resolve(bi, si, c.end, comma, s)
                effect = self.seg(bi, comma + 1, self._stop(t, comma + 1, end, stop_next))
            else:
                effect = self.resolve(bi, si, lb, effect_end, s)
                cause = self.seg(bi, c.end, right)
            if not cause or not effect or (effect and r["normative"].search(self.text(effect))):
                return []
            return [_Claim(cause, effect, (bi, c.start, c.end), c.cue_text, c.rule, (bi, si), right >= end)]
        if c.kind == "coordinated":
            cause = prev.cause if prev and prev.kind != "backward" else None
        else:
            if c.kind == "verb" and not self.plain_subject(bi, lb, c.start):
                return []
            cause = self.resolve(bi, si, lb, c.start, s, mid=True)
        if cause and self.is_agent(cause) and not c.verb.get("agent_ok"):
            cause = None
        c.cause = cause
        effect = self.seg(bi, c.end, right, effect=True)
        if not cause or not effect or c.negated or r["normative"].search(self.text(effect)):
            return []
        rule = c.rule if c.kind in ("verb", "coordinated") else f"{c.kind}:{c.verb['lemma']}"
        return [_Claim(cause, effect, (bi, c.start, c.end), c.cue_text, rule, (bi, si), right >= end, bool(c.verb.get("clausal")))]

    # ------------------------------------------------------------------ lists
    def lists(self) -> None:
        """A lead-in ending in ":" gives its causal verb to every following bullet."""
        for b in self.blocks:
            if not b.text.rstrip().endswith(":") or b.index + 1 >= len(self.blocks) or self.blocks[b.index + 1].kind != "item":
                continue
            sents = self.sents[b.index]
            ls, le = sents[-1]
            if self.r["pointer"].match(b.text[ls:le]):
                si = len(sents) - 2
                if si < 0:
                    continue
            else:
                si = len(sents) - 1
                if not self.r["names_list"].search(b.text[ls:le]):
                    continue
            claims = self.claims.get((b.index, si), [])
            lead = next((c for c in claims if c.tail and c.rule.split(":")[0] in ("verb", "relative")), None)
            if lead is None or (si == len(sents) - 1 and not self.r["names_list"].search(self.text(lead.cause))):
                continue
            claims.remove(lead)
            k = b.index + 1
            while k < len(self.blocks) and self.blocks[k].kind == "item":
                item = self.blocks[k]
                cut = min([len(item.text), *(c.cue[1] for c in self.claims.get((k, 0), []))])
                semi = item.text.find(";")
                cut = min(cut, semi) if semi >= 0 else cut
                m = re.search(r",\s*$", item.text[:cut])
                cause = self.seg(k, 0, m.start() if m else cut)
                if cause:
                    claims.append(_Claim(cause, lead.effect, lead.cue, lead.cue_text, f"list:{lead.rule}", (b.index, si)))
                k += 1

    # ------------------------------------------------------------------ records
    def span(self, segs: list[Seg]) -> Span:
        spans = [self.blocks[b].subspan(i, j) for b, i, j in segs]
        out = spans[0]
        for x in spans[1:]:
            out = out.cover(x)
        return out

    def sentence_span(self, seg: Seg) -> Span:
        b, i, j = seg
        bounds = self.sents[b] or [(0, len(self.blocks[b].text))]
        a = max((s for s, _ in bounds if s <= i), default=0)
        z = min((e for _, e in bounds if e >= j), default=len(self.blocks[b].text))
        return self.blocks[b].subspan(a, z)

    def record(self, c: _Claim, statement_of: dict[int, int]) -> CausalClaim:
        ev = self.sentence_span(c.cue)
        for seg in (*c.cause, *c.effect):
            ev = ev.cover(self.sentence_span(seg))
        bi = c.cue[0]
        return CausalClaim(
            cause=self.span(c.cause), effect=self.span(c.effect), cue=self.span([c.cue]), cue_text=c.cue_text,
            cause_text=self.text(c.cause), effect_text=self.text(c.effect), evidence=ev, block=bi,
            statement=statement_of.get(bi), area=getattr(self.blocks[bi], "area", None), rule=c.rule,
        )


def extract(doc: Document) -> Document:
    """Add the causal claims the report states to ``doc.claims`` (after structure and metrics)."""
    x = _Extractor(doc)
    for b in doc.blocks:
        if b.kind not in ("paragraph", "item", "heading"):
            continue
        for si, (s, e) in enumerate(x.sents[b.index]):
            x.claims[(b.index, si)] = x.sentence(b, si, s, e)
    x.lists()
    statement_of = {j: k for k, st in enumerate(doc.statements) for j in st.blocks}
    seen = set()
    for key in sorted(x.claims):
        for c in x.claims[key]:
            rec = x.record(c, statement_of)
            if (rec.cause, rec.effect) in seen or rec.cause.end > rec.effect.start and rec.effect.end > rec.cause.start:
                continue
            seen.add((rec.cause, rec.effect))
            doc.claims.append(rec)
    return doc
