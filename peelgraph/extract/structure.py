"""Sections, the inspection, graded judgments and statements (AFIs, causes of concern, findings).

The report's own layout drives everything: a heading that names an assessment area (or is followed by a
grade line) opens an area section; "Areas for improvement", "Main findings" and the like open a list of
statements; every other heading with body text under it is one statement. The summary table's grades and
the section grades are cross-checked, and a disagreement stops the build.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from .. import resources
from ..errors import InputError, ReportError
from ..model import GRADES, AreaSection, Block, Document, Inspection, Judgment, Span, Statement, TableEntry, sentence_bounds, slug
from .thesaurus import area_index, areas, heading_key

GRADE_KEYS = {heading_key(g): g for g in GRADES}
GRADE_WORDS = re.compile(r"\b(?:" + "|".join(GRADES) + r")\b", re.I)


@lru_cache(maxsize=None)
def rules() -> dict:
    with open(resources.rules("rules.toml"), "rb") as f:
        data = tomllib.load(f)
    data["other_keys"] = {heading_key(h) for h in data["other_sections"]}
    data["subsection_keys"] = {heading_key(h): tuple(v) for h, v in data["subsections"].items()}
    data["inspection_re"] = {
        "force": [re.compile(p) for p in data["inspection"]["force"]],
        "cycle": re.compile(data["inspection"]["cycle"]),
        "issued": re.compile(data["inspection"]["issued"], re.M),
        "inspector_title": re.compile(data["inspection"]["inspector_title"], re.I),
    }
    pol = data["polarity"]
    data["polarity_re"] = {k: _words(pol[k]) for k in ("negative", "positive", "contrast", "shortfall", "strength", "modal")}
    return data


def _words(phrases: list[str]) -> re.Pattern:
    alts = sorted((re.escape(p) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(alts) + r")(?![\w'])", re.I)


def extract(doc: Document) -> Document:
    _sections(doc)
    _check_is_report(doc)
    _inspection(doc)
    _table(doc)
    _judgments(doc)
    _statements(doc)
    _check_complete(doc)
    return doc


def _next_text_block(doc: Document, i: int) -> Block | None:
    for b in doc.blocks[i + 1 :]:
        if b.kind != "table":
            return b
    return None


def _sections(doc: Document) -> None:
    """Give every block its section path and record the area sections."""
    r = rules()
    index = area_index()
    area: str | None = None
    top = sub_heading = ""
    sub: tuple[str, str] | None = None
    seen: dict[str, AreaSection] = {}
    for i, b in enumerate(doc.blocks):
        if b.kind == "heading":
            key = heading_key(b.text)
            nxt = _next_text_block(doc, i)
            # a heading followed by a grade line is an area; a wrapped grade-table header is not
            graded_next = nxt is not None and nxt.kind == "grade" and len(GRADE_WORDS.findall(b.text)) < 2
            if key in index or graded_next:
                area = index.get(key) or slug(b.text)[:60]
                if area not in index.values():
                    doc.warnings.append(f"unknown area heading {b.text!r}; recorded under its own key {area!r}")
                top, sub = b.text, None
                if area not in seen:
                    seen[area] = AreaSection(area=area, heading=b.text, span=b.span)
                    doc.sections.append(seen[area])
                if graded_next and seen[area].grade is None:
                    seen[area].grade = GRADES[[g.lower() for g in GRADES].index(nxt.text.lower())]
                    seen[area].grade_span = nxt.span
                b.section = (top,)
                continue
            if key in r["other_keys"]:
                area, top, sub = None, b.text, None
                b.section = (top,)
                continue
            if key in r["subsection_keys"] and area is not None:
                sub, sub_heading = r["subsection_keys"][key], b.text
                b.section = (top, b.text)
                continue
        b.section = (top, sub_heading) if sub else (top,)
        b.area = area
        b.sub = sub
    # headings of area sections belong to their own area
    for s in doc.sections:
        for b in doc.blocks:
            if b.span == s.span:
                b.area = s.area
                break


def _check_is_report(doc: Document) -> None:
    graded = [s for s in doc.sections if s.area in areas() and areas()[s.area].extra.get("graded")]
    if len(graded) < 2 and not rules()["inspection_re"]["cycle"].search(doc.source[:5000]):
        raise InputError(
            f"{doc.path}: this does not look like a PEEL report (no 'PEEL 20xx' title and fewer than two "
            "assessment-area headings); check the file."
        )


def _inspection(doc: Document) -> None:
    rx = rules()["inspection_re"]
    m = rx["cycle"].search(doc.source)
    if not m:
        raise ReportError(f"{doc.path}: no PEEL cycle found (a title such as 'PEEL 2021/22'); is this a PEEL report?")
    cycle = re.sub(r"\s+", "", m.group("cycle").replace("to", "-").replace("\u2013", "-").replace("\u2014", "-"))
    cycle_span = Span(m.start("cycle"), m.end("cycle"))
    force = force_span = None
    for b in doc.blocks[:40]:
        if b.kind not in ("heading", "paragraph"):
            continue
        for pat in rx["force"]:
            fm = pat.search(b.text)
            if fm:
                force, force_span = fm.group("force").strip(), b.subspan(fm.start("force"), fm.end("force"))
                break
        if force:
            break
    if not force:
        raise ReportError(f"{doc.path}: no force name found (a line such as 'An inspection of X Police').")
    issued = issued_span = None
    for im in rx["issued"].finditer(doc.source):
        month = "January February March April May June July August September October November December".split()
        issued = f"{im.group('year')}-{month.index(im.group('month')) + 1:02d}"
        issued_span = Span(im.start("month"), im.end("year"))
    inspector = inspector_span = None
    for i, b in enumerate(doc.blocks):
        if b.kind == "heading" and rx["inspector_title"].match(b.text) and i:
            prev = doc.blocks[i - 1]
            if prev.kind == "heading" and re.fullmatch(r"(?:Sir |Dame |Dr )?[A-Z][\w'.-]+(?: [A-Z][\w'.-]+){1,3}", prev.text):
                inspector, inspector_span = prev.text, prev.span
    doc.inspection = Inspection(force, cycle, issued, inspector, force_span, cycle_span, issued_span, inspector_span)


def _cells(block: Block) -> list[tuple[str, Span, int]]:
    """(text, span, column position) of each cell: tab-separated, or laid out with runs of spaces (text
    from `pdftotext -layout`), where the position is the cell's character column."""
    out = []
    if "\t" in block.text:
        start = 0
        for k, part in enumerate(block.text.split("\t")):
            stripped = part.strip()
            lead = len(part) - len(part.lstrip())
            out.append((stripped, block.subspan(start + lead, start + lead + len(stripped)) if stripped else None, k))
            start += len(part) + 1
        return out
    for m in re.finditer(r"\S+(?: \S+)*", block.text):
        out.append((m.group(0), block.subspan(m.start(), m.end()), m.start()))
    return out


def _table(doc: Document) -> None:
    """The summary judgments table: a header row of grades, then rows whose column gives the grade. A table
    laid out with spaces is read by column position, and only if every cell starts under a header column;
    a label that names no known area is reported and left out of the cross-check."""
    index = area_index()
    for i, b in enumerate(doc.blocks):
        if b.kind != "table":
            continue
        header = _cells(b)
        cols = {pos: GRADE_KEYS[heading_key(c)] for c, _, pos in header if heading_key(c) in GRADE_KEYS}
        if len(cols) < 3:
            continue
        tabbed = "\t" in b.text
        entries = []
        for row in doc.blocks[i + 1 :]:
            if row.kind != "table":
                break
            for label, span, pos in _cells(row):
                if not label:
                    continue
                col = pos if tabbed else next((c for c in cols if abs(c - pos) <= 3), None)
                if col not in cols:
                    if tabbed:
                        raise ReportError(f"{doc.path}: summary table label {label!r} stands in no grade column.")
                    doc.warnings.append("the summary table's columns do not line up; grades are read from the sections")
                    return
                area = index.get(heading_key(label))
                if area is None:
                    doc.warnings.append(f"summary table label {label!r} matches no known area; not cross-checked")
                    continue
                entries.append(TableEntry(label, area, cols[col], span))
        doc.table.extend(entries)
        return


def _line(doc: Document, span: Span) -> int:
    return doc.source.count("\n", 0, span.start) + 1


def _judgments(doc: Document) -> None:
    table = {}
    for t in doc.table:
        if t.area in table and table[t.area].grade != t.grade:
            raise ReportError(
                f"{doc.path}: conflicting grades for {t.label!r} in the summary table "
                f"({table[t.area].grade} and {t.grade}); correct the report text."
            )
        table[t.area] = t
    sections = {s.area: s for s in doc.sections}
    for area, t in table.items():
        s = sections.get(area)
        if s and s.grade and s.grade != t.grade:
            raise ReportError(
                f"{doc.path}: conflicting grades for {s.heading!r}: the summary table says {t.grade} "
                f"(line {_line(doc, t.span)}) but the section says {s.grade} (line {_line(doc, s.grade_span)}); "
                "correct the report text."
            )
    not_yet = [p.lower() for p in rules()["not_yet_inspected"]]
    for s in doc.sections:
        evidence = [s.span]
        if s.grade:
            evidence.append(s.grade_span)
            if s.area in table:
                evidence.append(table[s.area].span)
            doc.judgments.append(Judgment(s.area, s.grade, "graded", evidence))
            continue
        if s.area in table:
            t = table[s.area]
            doc.judgments.append(Judgment(s.area, t.grade, "graded", evidence + [t.span]))
            doc.warnings.append(f"{s.heading!r} has no grade line; graded {t.grade} from the summary table")
            continue
        status, status_span = "ungraded", None
        for b in doc.blocks:
            if b.area == s.area and b.kind == "paragraph":
                low = b.text.lower()
                hit = next((p for p in not_yet if p in low), None)
                if hit:
                    status, status_span = "not-yet-inspected", b.span
                    break
        s.status, s.status_span = status, status_span
        doc.judgments.append(Judgment(s.area, None, status, evidence + ([status_span] if status_span else [])))
    _not_graded_here(doc)
    if not any(j.grade for j in doc.judgments):
        raise ReportError(
            f"{doc.path}: no graded judgments found (no summary table of grades and no grade line under any "
            "area heading); is the report complete?"
        )


NOT_GRADED = re.compile(r"\b(?:don't|do not|didn't|did not)\s+(?:grade|make a graded judgment)|\bno graded judgment\b", re.I)


def _not_graded_here(doc: Document) -> None:
    """An area with no section that a sentence says is not graded in this report ("We don't grade how well
    the force tackles serious and organised crime in this report") is recorded as not graded here: inspected
    separately (not-yet-inspected) where the sentence or the next says so, otherwise ungraded."""
    have = {j.area for j in doc.judgments}
    not_yet = [p.lower() for p in rules()["not_yet_inspected"]] + ["separate", "regional", "separately"]
    for b in doc.blocks:
        if b.kind != "paragraph" or b.area is not None:
            continue
        bounds = b.sentences()
        for k, (i, j) in enumerate(bounds):
            sentence = b.text[i:j]
            if not NOT_GRADED.search(sentence):
                continue
            low = sentence.lower()
            for c in areas().values():
                if c.key in have or not any(heading_key(lab) in heading_key(low) for lab in c.labels):
                    continue
                following = b.text[i : bounds[k + 1][1]] if k + 1 < len(bounds) else sentence
                status = "not-yet-inspected" if any(p in following.lower() for p in not_yet) else "ungraded"
                doc.judgments.append(Judgment(c.key, None, status, [b.subspan(i, j)]))
                have.add(c.key)


def _statements(doc: Document) -> None:
    r = rules()
    counters: dict[tuple[str, str], int] = {}
    blocks = doc.blocks
    for i, b in enumerate(blocks):
        if b.kind != "heading" or b.area is None or b.sub is None and not _finding_area(b):
            continue
        if heading_key(b.text) in r["subsection_keys"] or any(s.span == b.span for s in doc.sections):
            continue
        sub = b.sub
        kind, source = sub if sub else ("Finding", r["finding_areas"][b.area])
        body = []
        for j in range(i + 1, len(blocks)):
            if blocks[j].kind in ("heading", "grade", "table"):
                break
            body.append(j)
        if not body:
            continue
        key = (b.area, kind)
        counters[key] = counters.get(key, 0) + 1
        st = Statement(
            kind=kind, source=source, area=b.area, label=b.text, heading=b.span,
            body=b.span.cover(blocks[body[-1]].span), blocks=[i, *body], ordinal=counters[key],
        )
        if kind == "Finding":
            st.polarity = polarity(b.text, [blocks[j].text for j in body])
        doc.statements.append(st)


def _finding_area(b: Block) -> bool:
    return b.area in rules()["finding_areas"] and not b.sub


def polarity(heading: str, body: list[str]) -> str:
    """Positive, Negative or Mixed, from the heading's cues and the facts its body states."""
    rx = rules()["polarity_re"]
    neg = rx["negative"].search(heading)
    halves = CONTRAST.split(heading, maxsplit=1)
    if len(halves) == 2 and not (rx["negative"].search(halves[0]) and rx["negative"].search(halves[1])):
        return "Mixed"
    facts = [s for text in body for s in _sentences(text) if not rx["modal"].search(s)]
    if neg:
        strong = any(rx["strength"].search(s) and not rx["shortfall"].search(s) for s in facts)
        return "Mixed" if strong else "Negative"
    weak = any(rx["shortfall"].search(s) and not rx["strength"].search(s) for s in facts)
    return "Mixed" if weak else "Positive"


CONTRAST = re.compile(r",\s+(?:but|although|though|yet|however)\s+|^(?:Although|While|Though)\s+(?=.*,)", re.I)


def _sentences(text: str) -> list[str]:
    return [text[i:j] for i, j in sentence_bounds(text)]


def _check_complete(doc: Document) -> None:
    sections = {s.area for s in doc.sections}
    missing = [t.label for t in doc.table if t.area not in sections]
    if missing:
        raise ReportError(
            f"{doc.path}: the report looks truncated: the summary table grades {', '.join(missing)} but no such "
            "section was found; use the complete report text."
        )
    # Page furniture (a date line, a web address) may follow the last paragraph; a truncated report ends
    # on a long block without closing punctuation, or on a section or list heading with nothing under it.
    tail = [b for b in doc.blocks if b.kind != "table" and (len(b.text.split()) >= 8 or b.kind == "grade"
            or heading_key(b.text) in rules()["subsection_keys"] or b.span in {x.span for x in doc.sections})]
    last = tail[-1] if tail else None
    if last is not None and last.kind != "paragraph" and last.kind != "item":
        raise ReportError(
            f"{doc.path}: the report looks truncated: it ends mid-sentence or on a heading "
            f"({last.text[-60:]!r}, line {_line(doc, last.span)}); use the complete report text."
        )
