"""Figures: percentages with confidence intervals, proportions ("12 of 23", "four of eight"), counts
("6,700 crimes"), money ("£70m") and time thresholds ("within 10 seconds"); and national standards the
text states, with whether each figure meets its standard.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import Block, Document, Metric, Span, Standard
from .structure import rules

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
STANDARD_CUE = re.compile(r"\bnational (?:standard|target|guideline|expectation)s?\b", re.I)


@lru_cache(maxsize=None)
def patterns() -> dict[str, re.Pattern]:
    m = rules()["metrics"]
    words = "|".join(sorted(m["number_words"], key=len, reverse=True))
    n = rf"(?:{NUM}|(?:{words}))"
    units = "|".join(m["duration_units"])
    lead = "|".join(sorted((re.escape(x) for x in m["duration_lead"]), key=len, reverse=True))
    return {
        "ci": re.compile(rf"\(?\s*(?:with )?(?:a )?confidence interval of\s*(?:\+/-|\+-|±|plus or minus)\s*(?P<v>{NUM})\s*(?:percent|per cent|%)\s*\)?", re.I),
        "percent": re.compile(rf"(?<![\w.])(?P<v>{NUM})\s?(?:percent|per cent|%)", re.I),
        "proportion": re.compile(rf"(?<![\w.,£])(?P<a>{n})\s+(?:out\s+)?of\s+(?:the\s+|these\s+|those\s+)?(?P<b>{n})(?![\w%]|[.,]\d|\s?(?:percent|per cent))", re.I),
        "money": re.compile(rf"£\s?(?P<v>{NUM})\s?(?P<mult>bn|billion|m|million|k|thousand)?(?![\w])", re.I),
        "duration": re.compile(rf"\b(?:{lead})\s+(?P<n>{n})\s+(?P<u>(?:{units})s?)\b", re.I),
        "count": re.compile(rf"(?<![\w.,£/'-])(?P<n>{NUM})(?![\w/%.]|[.,]\d|\s?(?:percent|per cent))\s+(?P<noun>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){{0,3}})"),
    }


def number(text: str) -> float:
    words = rules()["metrics"]["number_words"]
    low = text.lower()
    return float(words[low]) if low in words else float(text.replace(",", ""))


def extract(doc: Document) -> Document:
    statement_of = {j: k for k, st in enumerate(doc.statements) for j in st.blocks}
    for i, b in enumerate(doc.blocks):
        if b.kind not in ("paragraph", "item", "heading") or not re.search(r"\d|£|\b(?:of|within|under)\b", b.text):
            continue
        taken: list[tuple[int, int]] = []  # text the standards (then each figure) took, in block positions
        _standards(doc, b, taken)
        for m in _metrics(b, taken):
            m.block = i
            m.statement = statement_of.get(i)
            m.area = b.area
            doc.metrics.append(m)
    _compare(doc)
    return doc


def _free(taken, a: int, b: int) -> bool:
    return all(b <= s or a >= e for s, e in taken)


def _standards(doc: Document, b: Block, taken) -> None:
    """A sentence that names a national standard with a percentage states that standard."""
    p = patterns()
    for s, e in b.sentences():
        sentence = b.text[s:e]
        if not STANDARD_CUE.search(sentence):
            continue
        pm = p["percent"].search(sentence)
        if not pm:
            continue
        for std in rules()["standard"]:
            if _names(sentence, std["keywords"]):
                label = std["label"]
                dm = p["duration"].search(sentence)
                if dm:
                    label = f"{label}: {pm.group(0)} within {dm.group('n')} {dm.group('u')}"
                doc.standards.append(Standard(
                    key=std["key"], label=label, value=number(pm.group("v")), unit="percent",
                    direction=std["direction"], span=b.subspan(s, e),
                ))
                taken.append((s + pm.start(), s + pm.end()))
                if dm:
                    taken.append((s + dm.start(), s + dm.end()))
                break


def _names(sentence: str, keywords: list[str]) -> bool:
    return any(re.search(rf"(?<![\w-]){re.escape(k)}", sentence, re.I) for k in keywords)


def _metrics(b: Block, taken) -> list[Metric]:
    p = patterns()
    r = rules()["metrics"]
    text = b.text
    found: list[Metric] = []

    def add(kind, m, value, unit, a, z, **kw):
        taken.append((a, z))
        found.append(Metric(kind=kind, value=value, unit=unit, label=_label(text, a, z), span=b.subspan(a, z), block=-1, **kw))

    cis = {}
    for m in p["ci"].finditer(text):
        cis[m.start()] = m
    for m in p["percent"].finditer(text):
        if not _free(taken, m.start(), m.end()) or any(c.start() <= m.start() < c.end() for c in cis.values()):
            continue
        ci = next((c for c in cis.values() if 0 <= c.start() - m.end() <= 2), None)
        kw = {}
        if ci:
            kw = {"ci": number(ci.group("v")), "ci_span": b.subspan(ci.start("v"), ci.end())}
            taken.append((ci.start(), ci.end()))
        add("percent", m, number(m.group("v")), "percent", m.start(), m.end(), **kw)
    for m in p["proportion"].finditer(text):
        if not _free(taken, m.start(), m.end()) or _is_code(text, m.start()):
            continue
        a, d = number(m.group("a")), number(m.group("b"))
        if d == 0 or a > d or _year(m.group("a")) or _year(m.group("b")):
            continue
        add("proportion", m, round(a / d, 4), "proportion", m.start(), m.end(), numerator=a, denominator=d)
    for m in p["money"].finditer(text):
        if not _free(taken, m.start(), m.end()):
            continue
        mult = {"bn": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "k": 1e3, "thousand": 1e3}.get((m.group("mult") or "").lower(), 1)
        add("money", m, number(m.group("v")) * mult, "GBP", m.start(), m.end())
    for m in p["duration"].finditer(text):
        if not _free(taken, m.start(), m.end()):
            continue
        unit = m.group("u").lower().rstrip("s")
        add("duration", m, number(m.group("n")), unit, m.start(), m.end())
    stop = set(r["count_stop"])
    for m in p["count"].finditer(text):
        n = m.group("n")
        if not _free(taken, m.start(), m.end("n")) or n in r["service_numbers"] or _year(n) or _is_code(text, m.start()):
            continue
        words = []
        for w in m.group("noun").split():
            if w in stop:
                break
            words.append(w)
        plural = set(r["irregular_plurals"])
        while words and not (words[-1] in plural or words[-1].endswith("s") and not words[-1].endswith("ss")):
            words.pop()
        if not words:
            continue
        end = m.start("noun") + len(" ".join(words))
        add("count", m, number(n), "count", m.start(), end)
    found.sort(key=lambda x: x.span)
    return found


def _year(n: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d", n))


def _is_code(text: str, start: int) -> bool:
    before = text[:start].rstrip(" '\"(").rsplit(" ", 1)[-1].lower()
    return before in rules()["metrics"]["not_after"]


def _label(text: str, a: int, z: int) -> str:
    """The figure and what it measures: the figure's clause, cut at the next clause break."""
    tail = re.split(r"[;:,()]|\s(?:and|but|which|while|where|so)\s|\.(?:\s|$)", text[z:], maxsplit=1)[0]
    words = tail.split()
    return " ".join([text[a:z], *words[:12]]).strip()


def _compare(doc: Document) -> None:
    """Link each metric to a stated standard for the same measure in the same statement or paragraph."""
    for k, std in enumerate(doc.standards):
        keywords = next(s["keywords"] for s in rules()["standard"] if s["key"] == std.key)
        for m in doc.metrics:
            if m.unit != std.unit:
                continue
            same = (m.statement is not None and doc.statements[m.statement].body.start <= std.span.start < doc.statements[m.statement].body.end) or \
                doc.blocks[m.block].span.start <= std.span.start < doc.blocks[m.block].span.end
            if not same:
                continue
            b = doc.blocks[m.block]
            sentence = next((b.text[s:e] for s, e in b.sentences() if b.subspan(s, e).start <= m.span.start < b.subspan(s, e).end), "")
            if not _names(sentence, keywords):
                continue
            m.standard = k
            m.meets = m.value >= std.value if std.direction == "at-least" else m.value <= std.value
