"""PDF bytes to report text, page by page, laid out so that the text parser reads it as it reads text pulled
from a PDF: lines top to bottom, a blank line where the vertical gap between two lines says a new paragraph
starts, table cells (runs of text far apart on one line) tab-separated in the columns of the table's first
row, wrapped table cells joined, and a form feed between pages. Running footers, page numbers and paragraphs
cut by a page break are left for the parser, which already handles them.

The text layer is read with pypdfium2 (PDFium): it gives each run of text on a line with its box, and it is
the fastest and most faithful of the libraries measured (docs/PDF.md, benchmarks/bench_pdf.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError


@dataclass(frozen=True)
class Run:
    """A run of text on one line: its box and baseline in PDF points (y grows upwards), its type size."""

    left: float
    bottom: float
    right: float
    top: float
    text: str
    baseline: float
    size: float


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF")


def read(data: bytes, name: str = "<input>") -> tuple[str, tuple[int, ...]]:
    """The text of a PDF and the offset in it where each page starts (page n starts at ``starts[n - 1]``)."""
    return layout(runs(data, name), name)


def runs(data: bytes, name: str = "<input>") -> list[list[Run]]:
    """Every page's text runs, read with PDFium."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise InputError(f"{name}: this PDF is encrypted (it needs a password to open); "
                             "save an unencrypted copy and build from that.") from None
        raise InputError(f"{name}: this PDF is damaged or not a PDF ({e}); get a fresh copy of the report.") from None
    try:
        pages = []
        for page in pdf:
            tp = page.get_textpage()
            found = []
            x, y = ctypes.c_double(), ctypes.c_double()
            for i in range(tp.count_rects()):
                box = tp.get_rect(i)
                text = " ".join(tp.get_text_bounded(*box).split())
                if not text:
                    continue
                first = tp.get_index(box[0] + 0.5, (box[1] + box[3]) / 2, 2, 2)  # the run's first character
                first = -1 if first is None else first
                if first < 0 or not pdfium_c.FPDFText_GetCharOrigin(tp.raw, first, ctypes.byref(x), ctypes.byref(y)):
                    y.value = box[1]
                size = pdfium_c.FPDFText_GetFontSize(tp.raw, first) if first >= 0 else 0
                size = size if size > 0 else box[3] - box[1]
                found.append(Run(*(round(v, 2) for v in box), text, round(y.value, 2), round(size, 2)))
            pages.append(found)
            tp.close()
            page.close()
    except pdfium.PdfiumError as e:
        raise InputError(f"{name}: this PDF is damaged ({e}); get a fresh copy of the report.") from None
    finally:
        pdf.close()
    return pages


def layout(pages: list[list[Run]], name: str = "<input>") -> tuple[str, tuple[int, ...]]:
    """Runs of every page to one text with a form feed after each page, and each page's start offset."""
    if not pages:
        raise InputError(f"{name}: this PDF has no pages.")
    if not any(pages):
        raise InputError(f"{name}: this PDF has no text layer (a scan?); run OCR on it first (e.g. `ocrmypdf`) "
                         "and build from the result.")
    parts, starts, at = [], [], 0
    for page in pages:
        starts.append(at)
        text = _page_text(page) + "\f"
        parts.append(text)
        at += len(text)
    return "".join(parts), tuple(starts)


def _lines(page: list[Run]) -> list[list[Run]]:
    """Runs grouped into lines (top to bottom, by baseline), each line's runs left to right."""
    lines: list[list[Run]] = []
    for r in sorted(page, key=lambda r: (-r.baseline, r.left)):
        for line in reversed(lines[-3:]):
            if abs(line[0].baseline - r.baseline) <= 0.3 * max(line[0].size, r.size, 1.0):
                line.append(r)
                break
        else:
            lines.append([r])
    for line in lines:
        line.sort(key=lambda r: r.left)
    return lines


def _cells(line: list[Run]) -> list[Run]:
    """Runs of a line merged where they are closer than the type size (a word space is a quarter of it, the
    padding between table cells more than it); what is left are cells."""
    cells = [line[0]]
    for r in line[1:]:
        c = cells[-1]
        if r.left - c.right < max(r.size, c.size):
            cells[-1] = Run(c.left, min(c.bottom, r.bottom), r.right, max(c.top, r.top), c.text + " " + r.text,
                            c.baseline, max(c.size, r.size))
        else:
            cells.append(r)
    return cells


# a line further below the one before it than this many times its type size starts a new block (body text is
# set at 1.2-1.4 times its size; paragraphs, list items and table rows are spaced further apart)
NEW_BLOCK = 1.6


def _page_text(page: list[Run]) -> str:
    out: list[str] = []
    prev: tuple[float, float] | None = None  # baseline and type size of the line before
    table: list[float] | None = None  # left edges of the columns of the table being read, then infinity
    rows: list[list[str]] = []
    row_pitch: float | None = None  # baseline distance from the table's first row to its second

    for line in _lines(page):
        cells = _cells(line)
        size = max(r.size for r in line)
        pitch = prev[0] - line[0].baseline if prev else 0.0
        new_block = prev is not None and (pitch > NEW_BLOCK * max(size, prev[1])
                                          or abs(size - prev[1]) > 0.1 * max(size, prev[1]))
        if table is not None:
            cols = [_column(table, c) for c in cells]
            if all(k is not None for k in cols) and pitch < 3 * max(size, prev[1]):
                filled = {k for k, text in enumerate(rows[-1]) if text} if rows else set()
                # a line closer to the row above than rows are to each other, in columns that row fills, holds
                # wrapped cells (without a second row to measure: fewer columns at normal line spacing)
                if row_pitch is not None:
                    wrapped = pitch < 0.85 * row_pitch and set(cols) <= filled
                else:
                    wrapped = not new_block and set(cols) < filled
                if wrapped:  # joined to the row above
                    for k, c in zip(cols, cells):
                        rows[-1][k] = (rows[-1][k] + " " + c.text).strip()
                else:
                    row = [""] * (len(table) - 1)
                    for k, c in zip(cols, cells):
                        row[k] = (row[k] + " " + c.text).strip()
                    if len(rows) == 1:
                        row_pitch = pitch
                    rows.append(row)
                prev = (line[0].baseline, size)
                continue
            out.extend("\t".join(r).rstrip("\t") for r in rows)
            rows.clear()
            table, row_pitch = None, None
            new_block = True
        if new_block:
            out.append("")
        if len(cells) > 1:  # cells far apart on one line start a table; its columns are theirs
            table = [c.left for c in cells] + [float("inf")]
            rows.append([c.text for c in cells])
        else:
            out.append(cells[0].text)
        prev = (line[0].baseline, size)
    out.extend("\t".join(r).rstrip("\t") for r in rows)
    return "\n".join(out).strip("\n")


def _column(table: list[float], cell: Run) -> int | None:
    """The column of the table a cell stands in: it starts near a column's left edge and ends before the
    next column starts (a paragraph after the table spans columns, so it is not a cell)."""
    for k, left in enumerate(table[:-1]):
        if abs(cell.left - left) <= 6 and cell.right <= table[k + 1] + 6:
            return k
    return None
