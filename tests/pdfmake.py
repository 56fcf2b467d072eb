"""Render a PEEL report text (the inspectorate's web-export layout) as a PDF in the inspectorate's print layout,
with reportlab: A4, bold headings that wrap over two lines when long, the judgments table as a five-column
table, bullets with a hanging indent, a running footer and a page number on every page, a running header from page 2, paragraphs split
across pages where they fall. Deterministic: the same text gives the same bytes (invariant mode).

Used by tests/test_pdf.py and benchmarks/bench_pdf.py; not part of the library.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

GRADES = ["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate"]
LINK = re.compile(r"\[((?:\\.|[^\]\\])+)\]\([^)\s]*\)")
TERMINAL = re.compile(r"[.!?:;][\"')\]]*$")


def _inline(text: str) -> str:
    text = LINK.sub(lambda m: re.sub(r"\\([()\[\]])", r"\1", m.group(1)), text)
    return escape(text)


def render(text: str, footer: str | None = None, *, encrypt: str | None = None, compress: bool = True,
           header: str = "HMICFRS – inspection report") -> bytes:
    """The PDF bytes of a report text; ``footer`` defaults to 'PEEL <cycle> - <force>' read off the title, and
    ``header`` runs above the text from page 2 on."""
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1  # no timestamps or random ids: byte-identical output
    if footer is None:
        force = re.search(r"^An inspection of (.+)$", text, re.M)
        cycle = re.search(r"^PEEL (\d{4}\S*)", text, re.M)
        footer = f"PEEL {cycle.group(1) if cycle else ''} \u2013 {force.group(1) if force else 'inspection report'}"
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=8)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=17, leading=21, spaceBefore=10, spaceAfter=10,
                          textColor=colors.HexColor("#1d3c6e"))
    grade = ParagraphStyle("grade", fontName="Helvetica-Bold", fontSize=12, leading=15, spaceAfter=10)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=3, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=7.5, leading=9)
    cell_head = ParagraphStyle("cellhead", parent=cell, fontName="Helvetica-Bold")
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT, spaceAfter=0)

    story = []
    lines = text.replace("\r\n", "\n").split("\n")
    k = 0
    while k < len(lines):
        line = lines[k].strip("\ufeff")
        if not line.strip():
            k += 1
            continue
        if "\t" in line:  # a run of tab rows: the judgments table or the contents
            rows = []
            while k < len(lines) and "\t" in lines[k]:
                rows.append(lines[k].split("\t"))
                k += 1
            width = max(len(r) for r in rows)
            if [c.strip() for c in rows[0]][:5] == GRADES:
                data = [[Paragraph(escape(c), cell_head) for c in rows[0]]]
                data += [[Paragraph(escape(c.strip()), cell) for c in r + [""] * (width - len(r))] for r in rows[1:]]
                t = Table(data, colWidths=[(A4[0] - 40 * mm) / 5] * 5)
                t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde4ee"))]))
                story += [t, Spacer(1, 10)]
            else:  # contents: entry and page number
                data = [[Paragraph(_inline(r[0]), body), Paragraph(escape(r[-1]), right)] for r in rows]
                t = Table(data, colWidths=[(A4[0] - 40 * mm) - 20 * mm, 20 * mm])
                t.setStyle(TableStyle([("BOTTOMPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]))
                story += [t, Spacer(1, 10)]
            continue
        # a block: this line and those up to the next blank line (the web export has one line a paragraph)
        k += 1
        s = line.strip()
        if s.startswith("- "):
            story.append(Paragraph(_inline(s[2:]), bullet, bulletText="\u2022"))
        elif s in GRADES or s == "Requires":
            story.append(Paragraph(escape(s + (" improvement" if s == "Requires" else "")), grade))
            if s == "Requires" and k < len(lines) and lines[k].strip() == "improvement":
                k += 1
        elif not TERMINAL.search(s) and len(s) < 200:
            story.append(Paragraph(_inline(s), head))
        else:
            story.append(Paragraph(_inline(s), body))

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8.5)
        canvas.drawString(20 * mm, 14 * mm, footer)
        canvas.drawCentredString(A4[0] / 2, 8 * mm, str(doc.page))
        if doc.page > 1:  # a running header above the text from the second page on
            canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 12 * mm, header)
        canvas.restoreState()

    # keep a heading with what follows it, as the inspectorate's layout does
    kept = []
    for item in story:
        if kept and isinstance(kept[-1], Paragraph) and kept[-1].style is head:
            kept[-1] = KeepTogether([kept[-1], item])
        else:
            kept.append(item)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=25 * mm, title="PEEL inspection report", author="HMICFRS", creator="peelgraph tests",
                            encrypt=encrypt, pageCompression=1 if compress else 0)
    doc.build(kept, onFirstPage=furniture, onLaterPages=furniture)
    return out.getvalue()


def scanned(pages: int = 2) -> bytes:
    """A PDF whose pages are only images of text (no text layer), as a scanner makes."""
    from PIL import Image, ImageDraw
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rl_config.invariant = 1
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for n in range(pages):
        img = Image.new("L", (420, 594), 255)
        draw = ImageDraw.Draw(img)
        for y in range(60, 540, 14):
            draw.text((40, y), f"PEEL 2021/22 page {n + 1}: scanned text line {y}", fill=0)
        c.drawImage(ImageReader(img), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return out.getvalue()
