"""Report text to a Document of blocks with exact source offsets.

Reads what reports look like in practice: the inspectorate's web export (blank-line paragraphs, glossary
links ``[term](#)``, a tab-separated judgments table) and text pulled from PDFs (lines hard-wrapped
mid-sentence, running footers and page numbers, form feeds, CRLF, curly quotes and dashes). Offsets always
point into the text as decoded, so ``source[start:end]`` is the exact evidence.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from . import pdf
from .errors import InputError
from .model import GRADES, Block, Document, Span, Term

FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2026": ".", "\u2022": "-", "\u25aa": "-",
    "\u00b7": "-", "\u25cf": "-", "\uf0b7": "-",
})
LINK = re.compile(r"\[((?:\\.|[^\]\\])+)\]\(([^)\s]*)\)")
BULLET = re.compile(r"^\s*(?:[-*\u2022\u25aa\u25cf\u00b7\uf0b7\u2013]|\(?[0-9]{1,2}[.)]|\([a-z]\))\s+")
PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?\s*$", re.I)
CONTENTS_LINE = re.compile(r"^\S.*?(?:\t+|\s\.{2,}\s*|\s{2,})\d{1,3}\s*$")
LINE = re.compile(r"([^\r\n\f]*)(\r\n|\r|\n|\f|$)")
TERMINAL = re.compile(r"[.!?:;][\"')\]]*$")
GRADE_LINE = {g.lower(): g for g in GRADES}
MAX_BYTES = 50_000_000


def read(path: str | Path) -> Document:
    """Read one report file into a Document (blocks only; extraction stages add the rest)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e}).") from None
    sha256 = hashlib.sha256(data).hexdigest()
    if pdf.is_pdf(data):  # the PDF's text layer, laid out page by page; passages then know their page
        text, pages = pdf.read(data, str(path))
        return parse_text(text, str(path), sha256=sha256, pages=pages)
    return parse_text(text_of(data, str(path)), str(path), sha256=sha256)


def text_of(data: bytes, name: str = "<input>") -> str:
    """The text offsets refer to: the decoded file, for a PDF the text of its pages (a form feed after each),
    or for a saved web page the text shown on it."""
    from . import htmltext

    text = decode(data, name)
    if pdf.is_pdf(data):
        return text
    return htmltext.to_text(text) if name.lower().endswith((".html", ".htm")) or htmltext.looks_like_html(text) else text


def decode(data: bytes, name: str = "<input>") -> str:
    if not data.strip():
        raise InputError(f"{name}: empty (nothing but white space); there is no text to read.")
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: {len(data):,} bytes is too large for a report text (limit {MAX_BYTES:,}).")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name}: broken UTF-16 text; re-save it as UTF-8.") from None
    if pdf.is_pdf(data):
        return pdf.read(data, name)[0]
    if b"\x00" in data[:4096] or sum(b < 9 or 13 < b < 32 and b != 12 for b in data[:4096]) > 8:
        raise InputError(f"{name}: this looks like a binary file, not report text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}); "
            "convert it first, e.g. `iconv -f cp1252 -t utf-8`."
        ) from None


def parse_text(source: str, path: str = "<text>", sha256: str | None = None, pages: tuple[int, ...] = ()) -> Document:
    """``pages``: where each page of a PDF starts in ``source`` (empty for text, whose pages are unknown)."""
    if sha256 is None:
        sha256 = hashlib.sha256(source.encode("utf-8")).hexdigest()
    doc = Document(path=path, source=source, sha256=sha256, pages=tuple(pages))
    # a PDF's layout already ends every heading with a blank line (peelgraph.pdf), and its lines are wrapped
    # by width in points, not characters: the character-count test for run-on headings does not apply
    doc.blocks = _blocks(source, _content_lines(source), run_on_headings=not pages)
    for i, b in enumerate(doc.blocks):
        b.index = i
        b.page = doc.page_of(b.span.start)
    return doc


def _lines(source: str):
    """(start, end, page_break_before) for every line; form feeds end lines and mark a page break."""
    out, brk = [], False
    for m in LINE.finditer(source):
        if m.start() == len(source) and not m.group(0):
            break
        out.append((m.start(1), m.end(1), brk))
        brk = m.group(2) == "\f" or (brk and not m.group(1).strip())
    return out


def _content_lines(source: str):
    """Lines less page furniture: page numbers, running headers/footers, contents entries."""
    lines = _lines(source)
    text = [source[s:e].strip().translate(FOLD) for s, e, _ in lines]
    near_break = Counter()  # how many distinct page breaks each line text stands next to
    breaks = [k for k, (_, _, brk) in enumerate(lines) if brk and not (k and lines[k - 1][2])]
    for k in breaks:
        near_break.update({text[j] for j in range(max(0, k - 4), min(len(lines), k + 3)) if text[j]})
    # a running header or footer stands by a good share of the page breaks, not by two of fifty
    need = max(2, (len(breaks) + 2) // 3)
    footers = {t for t, n in near_break.items() if n >= need and len(t) < 120 and t.lower() not in GRADE_LINE}
    out, pending_break = [], False
    for (s, e, brk), t in zip(lines, text):
        pending_break |= brk
        if t and (PAGE_NUMBER.match(t) or t in footers or CONTENTS_LINE.match(source[s:e])):
            pending_break = pending_break or t in footers
            continue
        out.append((s, e, pending_break))
        if t:
            pending_break = False
    return out


def _blocks(source: str, lines, run_on_headings: bool = True) -> list[Block]:
    """Group lines into blocks: blank lines separate blocks, bullets start items, tab rows stand alone."""
    blocks: list[Block] = []
    current: list[tuple[int, int]] = []
    kind, brk = "text", False
    width = _wrap_width(source, lines) if run_on_headings else 0

    def flush():
        nonlocal current
        groups = _split_run_on_headings(source, current, width) if kind == "text" else [current] if current else []
        for k, group in enumerate(groups):
            blocks.append(_make_block(source, kind, group, brk and k == 0))
        current = []

    layout = _layout_table_lines(source, lines)
    for n, (s, e, page_break) in enumerate(lines):
        raw = source[s:e]
        if not raw.strip():
            flush()
            continue
        if "\t" in raw.strip(" ") or n in layout:
            flush()
            blocks.append(_make_block(source, "table", [(s, e)], page_break))
            continue
        bullet = BULLET.match(raw)
        if bullet and raw.lstrip()[:1].isdigit() and current and not TERMINAL.search(
                source[current[-1][0] : current[-1][1]].strip().translate(FOLD)):
            bullet = None  # "... closed as outcome / 16. This leaves ...": a wrapped line, not a numbered item
        if page_break and current and raw.lstrip()[:1].isupper() and TERMINAL.search(
                source[current[-1][0] : current[-1][1]].strip().translate(FOLD)):
            flush()  # a new page that starts with a new sentence starts a new block (often a heading)
        if bullet or not current:
            flush()
            kind, brk = ("item" if bullet else "text"), page_break
            if bullet:
                s += bullet.end()
        current.append((s, e))
    flush()
    return _merge_page_splits(source, blocks)


def _layout_table_lines(source: str, lines) -> set[int]:
    """Lines of a grades table laid out with spaces (`pdftotext -layout`): a header of three or more grade
    names apart by runs of spaces, and the spaced lines under it up to the next blank line."""
    out: set[int] = set()
    n = 0
    while n < len(lines):
        s, e, _ = lines[n]
        cells = [c.lower() for c in re.split(r"\s{2,}", source[s:e].translate(FOLD).strip())]
        if "\t" not in source[s:e] and sum(c in GRADE_LINE for c in cells) >= 3:
            out.add(n)
            n += 1
            while n < len(lines) and re.search(r"\S\s{2,}\S|^\s{2,}\S", source[lines[n][0] : lines[n][1]]):
                out.add(n)
                n += 1
            continue
        n += 1
    return out


def _split_run_on_headings(source: str, lines: list[tuple[int, int]], width: int) -> list[list[tuple[int, int]]]:
    """Text pulled from a PDF may run a heading straight into its paragraph with no blank line. A line that
    ends without closing punctuation although the next line's first word would have fitted on it (so the
    break is not a wrap) ends a heading when the next line starts with a capital: split there."""
    texts = [source[s:e].strip().translate(FOLD) for s, e in lines]
    grade = [t.lower() in GRADE_LINE for t in texts]
    for k in range(len(texts) - 1):  # "Requires" / "improvement" on two lines
        if texts[k].lower() == "requires" and texts[k + 1].lower() == "improvement":
            grade[k] = grade[k + 1] = "pair"
    groups, current = [], []
    for k, (s, e) in enumerate(lines):
        current.append((s, e))
        if k + 1 < len(lines):
            text, following = texts[k], texts[k + 1]
            first = following.split(" ", 1)[0]
            wrap = (following[:1].isupper() and not TERMINAL.search(text) and not BULLET.match(following)
                    and len(text) + 1 + len(first) <= width)
            # a grade line stands alone: it is never part of a heading or a sentence
            alone = (grade[k] and not (grade[k] == "pair" and grade[k + 1] == "pair" and texts[k].lower() == "requires")) \
                or (grade[k + 1] and not (grade[k] == "pair" and grade[k + 1] == "pair"))
            if wrap or alone:
                groups.append(current)
                current = []
    groups.append(current)
    return [g for g in groups if g]


def _wrap_width(source: str, lines) -> int:
    """The width text was wrapped at: the length most long lines reach (90th percentile)."""
    lengths = sorted(e - s for s, e, _ in lines if e > s and "\t" not in source[s:e])
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


ESCAPE = re.compile(r"\\(?=[()\[\]])")
SPACE = re.compile(r"\s+")
ODD_SPACE = re.compile(r"[^\S ]|  |^\s|\s$")  # anything but single spaces between words


def _make_block(source: str, kind: str, lines: list[tuple[int, int]], page_break: bool) -> Block:
    # the block as one string, each line break standing for one space, and the source offset of each char
    raw = " ".join(source[s:e] for s, e in lines)
    where: list[int] = []
    for k, (s, e) in enumerate(lines):
        if k:
            where.append(lines[k - 1][1])
        where.extend(range(s, e))
    # what the rules read: glossary markup and its escapes dropped
    keep, links, pos = [], [], 0
    for m in LINK.finditer(raw):
        keep.append((pos, m.start()))
        inner = m.start(1)
        for esc in ESCAPE.finditer(raw, m.start(1), m.end(1)):
            keep.append((inner, esc.start()))
            inner = esc.end()
        keep.append((inner, m.end(1)))
        links.append((m.start(1), m.end(1)))
        pos = m.end()
    keep.append((pos, len(raw)))
    kept = "".join(raw[a:z] for a, z in keep)
    kept_at = [i for a, z in keep for i in where[a:z]]
    if kind == "table" or not ODD_SPACE.search(kept):
        text, offsets = kept, kept_at
    else:  # white space collapsed to single spaces, none at either end
        pieces, offsets, last = [], [], 0
        for m in SPACE.finditer(kept):
            pieces.append(kept[last : m.start()])
            offsets.extend(kept_at[last : m.start()])
            if m.start() and m.end() < len(kept):
                pieces.append(" ")
                offsets.append(kept_at[m.start()])
            last = m.end()
        pieces.append(kept[last:])
        offsets.extend(kept_at[last:])
        text = "".join(pieces)
    text = text.translate(FOLD)
    offsets.append(offsets[-1] + 1 if offsets else lines[0][0])
    terms = []
    for a, z in links:
        visible = " ".join(ESCAPE.sub("", raw[a:z]).split()).translate(FOLD)
        if visible:
            terms.append(Term(visible, Span(where[a], where[z - 1] + 1)))
    if kind == "text":
        kind = "grade" if text.lower() in GRADE_LINE else "paragraph" if TERMINAL.search(text) else "heading"
    body = raw.strip()
    first = len(raw) - len(raw.lstrip())
    span = Span(where[first], where[first + len(body) - 1] + 1) if body and kind != "table" else None
    return Block(kind=kind, text=text, offsets=offsets, terms=terms, page_break_before=page_break, raw=span)


CONTINUATION_END = re.compile(r"(?:,|\b(?:and|or|of|the|a|an|to|in|for|with|by|that|which|its|their))$", re.I)


def _merge_page_splits(source: str, blocks: list[Block]) -> list[Block]:
    """Rejoin a paragraph that a page break cut in two (the first part ends mid-sentence)."""
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and b.page_break_before
            and prev.kind in ("heading", "paragraph")
            and b.kind in ("heading", "paragraph")
            and not TERMINAL.search(prev.text)
            and (b.text[:1].islower() or CONTINUATION_END.search(prev.text))
        ):
            text = prev.text + " " + b.text
            offsets = prev.offsets[:-1] + [prev.offsets[-2] + 1] + b.offsets
            kind = "grade" if text.lower() in GRADE_LINE else "paragraph" if TERMINAL.search(text) else "heading"
            raw = prev.span.cover(b.span)
            out[-1] = Block(kind, text, offsets, prev.terms + b.terms, page_break_before=prev.page_break_before, raw=raw)
        else:
            out.append(b)
    return out
