"""Deterministic variants of a PEEL report text, for testing the extractor on
reports it has never seen.  Pure functions, stdlib only, no randomness."""
import re
import textwrap

GRADES = ["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate"]
TABLE_HEADER = "\t".join(GRADES)
# summary-table label -> area section heading
AREAS = {
    "Preventing crime": "Preventing crime and anti-social behaviour",
    "Investigating crime": "Investigating crime",
    "Recording data about crime": "Crime data integrity",
    "Responding to the public": "Responding to the public",
    "Treatment of the public": "Engaging with and treating the public with fairness and respect",
    "Protecting vulnerable people": "Protecting vulnerable people",
    "Managing offenders": "Managing offenders and suspects",
    "Developing a positive workplace": "Building, supporting and protecting the workforce",
    "Good use of resources": "Strategic planning, organisational management and value for money",
}
LABELS = list(AREAS)
_GRADE_LINE = r"(?:Outstanding|Good|Adequate|Requires[ \n]improvement|Inadequate)"
_VERB = {"Outstanding": "is outstanding", "Good": "is good", "Adequate": "is adequate",
         "Requires improvement": "requires improvement", "Inadequate": "is inadequate"}
_PARA = re.compile(r"^[^\n]{150,}\.$", re.M)  # a long prose line (headings have no full stop)
_PUBLISHED = re.compile(r"^[A-Z][a-z]+ (\d{4}) \| © HMICFRS \d{4}$", re.M)
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(1)</script>"


def _place(name):
    return re.sub(r"\s+(Constabulary|Police Service|Police)$", "", name)


# ---------------------------------------------------------------- renaming
def rename_force(text, old="Derbyshire Constabulary", new="Wessex Police",
                 inspector=("Roy Wilsher", "Jane Marlow"), published="March 2023"):
    """Rename the force (full name and bare place name as a whole word), the
    inspector (old, new) and the 'Month YYYY | © HMICFRS YYYY' line."""
    mapping = {old: new, _place(old): _place(new)}
    if inspector:
        mapping[inspector[0]] = inspector[1]
    pattern = r"\b(%s)\b" % "|".join(map(re.escape, sorted(mapping, key=len, reverse=True)))
    text = re.sub(pattern, lambda m: mapping[m.group(1)], text)
    if published:
        year = published.split()[-1]
        text = _PUBLISHED.sub(f"{published} | © HMICFRS {year}", text)
    return text


# ---------------------------------------------------------------- grades
def _table_span(text):
    """(start, end) of the table rows after the header line, or None."""
    m = re.search(r"^%s\n((?:[^\n]*\t[^\n]*\n)*)" % re.escape(TABLE_HEADER), text, re.M)
    return (m.start(1), m.end(1)) if m else None


def table_columns(text):
    """Grade -> list of labels, top to bottom, read from the summary table."""
    cols = {g: [] for g in GRADES}
    span = _table_span(text)
    for row in text[span[0]:span[1]].splitlines() if span else []:
        for grade, cell in zip(GRADES, row.split("\t")):
            if cell.strip():
                cols[grade].append(cell.strip())
    return cols


def table_grades(text):
    return {lab: g for g, labs in table_columns(text).items() for lab in labs}


def _section_re(heading):
    return re.compile(r"^(%s)\n\n(%s)$" % (re.escape(heading), _GRADE_LINE), re.M)


def section_grades(text):
    """Label -> grade read from the line under each area heading."""
    out = {}
    for label, heading in AREAS.items():
        m = _section_re(heading).search(text)
        if m:
            out[label] = m.group(2).replace("\n", " ")
    return out


def _write_table(text, cols):
    span = _table_span(text)
    depth = max(len(v) for v in cols.values())
    rows = ["\t".join(cols[g][i] if i < len(cols[g]) else "" for g in GRADES)
            for i in range(depth)]
    return text[:span[0]] + "".join(r + "\n" for r in rows) + text[span[1]:]


def regrade(text, grades, split=None, table=True, sections=True):
    """Give each label in `grades` its new grade in the summary table (label
    moved to the new column, columns re-packed top to bottom) and on the grade
    line under its section heading, plus the 'X is adequate at ...' sentence.
    'Requires improvement' is written over two lines when split is True, on one
    line when False, and alternately (first split, next not, ...) when None."""
    assert set(grades) <= set(AREAS) and set(grades.values()) <= set(GRADES), grades
    if table:
        cols = table_columns(text)
        for label, grade in grades.items():
            if label in cols[grade]:
                continue
            for labs in cols.values():
                if label in labs:
                    labs.remove(label)
            cols[grade].append(label)
        text = _write_table(text, cols)
    if sections:
        n_ri = 0
        for label, grade in grades.items():
            two_lines = n_ri % 2 == 0 if split is None else split
            n_ri += grade == GRADES[3]
            line = "Requires\nimprovement" if grade == GRADES[3] and two_lines else grade
            rx = re.compile(_section_re(AREAS[label]).pattern
                            + r"(\n\n[^\n]*? )(is \w+|requires improvement)( at )", re.M)
            if rx.search(text):
                text = rx.sub(lambda m: f"{m.group(1)}\n\n{line}{m.group(3)}"
                              f"{_VERB[grade]}{m.group(5)}", text, count=1)
            else:
                text = _section_re(AREAS[label]).sub(lambda m: f"{m.group(1)}\n\n{line}",
                                                     text, count=1)
    return text


# ---------------------------------------------------------------- sections
def _section_starts(text):
    starts = {}
    for label, heading in AREAS.items():
        m = re.search(r"^%s$" % re.escape(heading), text, re.M)
        if m:
            starts[heading] = m.start()
    return starts


def reorder_sections(text, order):
    """Move whole area sections (heading up to the next area heading; the last
    one up to the publication line) so those named in `order` (headings or
    table labels) come first in that order, the rest after in original order."""
    starts = _section_starts(text)
    heads = sorted(starts, key=starts.get)
    pub = _PUBLISHED.search(text, starts[heads[-1]])
    end = pub.start() if pub else len(text)
    bounds = [starts[h] for h in heads] + [end]
    blocks = {h: text[bounds[i]:bounds[i + 1]] for i, h in enumerate(heads)}
    wanted = [AREAS.get(o, o) for o in order]
    new = [h for h in wanted if h in blocks] + [h for h in heads if h not in wanted]
    body = "".join(blocks[h] if blocks[h].endswith("\n\n") else blocks[h].rstrip("\n") + "\n\n"
                   for h in new)
    return text[:bounds[0]] + body + text[end:]


# ---------------------------------------------------------------- layout
def pdf_like(text, width=78, page_lines=48, footer=None, page_style="number"):
    """Hard-wrap every line at `width`, list items with a hanging indent, tab
    tables as space runs; after every `page_lines` lines a running footer, a
    page number ('12', or 'Page 12 of 40' with page_style='of') and a form
    feed, which may fall mid-paragraph."""
    if footer is None:
        m = re.search(r"^An inspection of (.+)$", text, re.M)
        footer = f"PEEL 2021/22 – {m.group(1)}" if m else "Police effectiveness, efficiency and legitimacy"
    wrap = dict(width=width, break_long_words=False, break_on_hyphens=False)
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if "\t" in line:
            line = line.replace("\t", "   ").rstrip()
            if len(line) <= width:
                lines.append(line)
                continue
        if not line.strip():
            lines.append("")
        elif line.startswith("- "):
            lines += textwrap.wrap(line, subsequent_indent="  ", **wrap)
        else:
            lines += textwrap.wrap(line, **wrap)
    pages = [lines[i:i + page_lines] for i in range(0, len(lines), page_lines)]
    out = []
    for n, page in enumerate(pages, 1):
        num = f"Page {n} of {len(pages)}" if page_style == "of" else str(n)
        out.append("\n".join(page) + f"\n{footer}\n{num}\n")
    return "\f".join(out) + "\f"


def windows(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def curly(text):
    """Straight quotes to curly ones, ' - ' to ' – ' ('+/-' untouched)."""
    text = re.sub(r"(?<=\S) - (?=\S)", " – ", text)
    text = re.sub(r"(^|(?<=[\s(\[]))'", "‘", text, flags=re.M)
    text = text.replace("'", "’")
    text = re.sub(r'(^|(?<=[\s(\[]))"', "“", text, flags=re.M)
    return text.replace('"', "”")


# ---------------------------------------------------------------- bad inputs
def empty():
    return ""


def binary():
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64 + bytes(range(256))


def latin1(text):
    """cp1252 bytes (contains a £, so not valid UTF-8)."""
    if "£" not in text:
        text += "\nThe estate requires an investment of £70m.\n"
    return text.encode("cp1252", errors="replace")


def not_a_report():
    return ("A simple loaf of bread\n\n"
            "Mix the flour, water, salt and yeast until the dough comes together. "
            "Leave it covered in a warm place for an hour or so.\n\n"
            "Knock the dough back, shape it into a round and let it prove again. "
            "Bake at 220 degrees for about thirty-five minutes.\n\n"
            "The loaf is done when it sounds hollow when tapped underneath. "
            "Let it cool on a rack before slicing.\n")


def truncated(text, label="Investigating crime"):
    """Cut mid-sentence (at a space, before the middle) in the first long prose
    paragraph after the grade line of `label`'s section."""
    m = _section_re(AREAS[label]).search(text)
    para = _PARA.search(text, m.end())
    cut = text.rfind(" ", para.start(), (para.start() + para.end()) // 2)
    return text[:cut]


def no_grades(text, drop_sentences=False):
    """Remove the summary table (header and rows) and every area grade line;
    optionally also the 'X is adequate at ...' sentence under each."""
    span = _table_span(text)
    if span:
        head = text.rfind(TABLE_HEADER, 0, span[0])
        text = text[:head] + text[span[1]:].lstrip("\n")
    for heading in AREAS.values():
        tail = r"\n\n[^\n]*(?:is \w+|requires improvement) at [^\n]*" if drop_sentences else ""
        text = re.sub(_section_re(heading).pattern[:-1] + tail + "$", r"\1", text, count=1, flags=re.M)
    return text


def conflicting_grades(text, label="Investigating crime", table_grade="Good",
                       section_grade="Inadequate"):
    """Table says table_grade for `label`, its section says section_grade.
    Returns (text, {label: (table_grade, section_grade)})."""
    text = regrade(text, {label: table_grade}, sections=False)
    text = regrade(text, {label: section_grade}, table=False)
    return text, {label: (table_grade, section_grade)}


def hostile(text, label="Investigating crime"):
    """Markup/script injected into a finding heading and a paragraph of the
    section for `label` (the area heading itself and its grade stay intact)."""
    m = _section_re(AREAS[label]).search(text)
    heading = re.compile(r"^Areas? for improvement\n\n([^\n]+)$", re.M).search(text, m.end())
    para = _PARA.search(text, heading.end())
    text = (text[:heading.end()] + f" {XSS_IMG} href" + text[heading.end():para.end()]
            + f" See the href [here](javascript:alert(1)) {XSS_SCRIPT}" + text[para.end():])
    return text


# ---------------------------------------------------------------- saved web page
def html_page(text):
    """The report as a saved web page: headings, paragraphs, lists, the judgments table as a <table>, and
    page chrome (script, style, navigation) that must be ignored."""
    import html as _html

    out = ["<!DOCTYPE html><html><head><title>PEEL</title><style>p{margin:0}</style>",
           "<script>var tracking = 1;</script></head><body><nav>Home | Publications</nav><main>"]
    for block in (b for b in re.split(r"\n\s*\n", text) if b.strip()):
        lines = block.split("\n")
        if all(line.startswith("- ") for line in lines):
            out.append("<ul>" + "".join(f"<li>{_html.escape(line[2:])}</li>" for line in lines) + "</ul>")
        elif any("\t" in line for line in lines):
            rows = "".join("<tr>" + "".join(f"<td>{_html.escape(c)}</td>" for c in line.split("\t")) + "</tr>" for line in lines)
            out.append(f"<table>{rows}</table>")
        elif not re.search(r"[.:;!?]$", block.strip()):
            out.append(f"<h2>{_html.escape(' '.join(lines))}</h2>")
        else:
            out.append(f"<p>{_html.escape(' '.join(lines))}</p>")
    out.append("</main><footer><script>alert(1)</script></footer></body></html>")
    return "\n".join(out)


def tight(text):
    """PDF text with no blank line between a heading and what follows it (pdf_like output in, same out
    with those blank lines gone)."""
    lines, out = text.split("\n"), []
    for i, line in enumerate(lines):
        prev = out[-1].strip() if out else ""
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (line.strip() == "" and prev and not re.search(r"[.:;!?][\"')\]]*$", prev)
                and nxt[:1].isupper() and "\t" not in prev and "   " not in prev):
            continue
        out.append(line)
    return "\n".join(out)


def layout_table(text):
    """The judgments table as `pdftotext -layout` prints it: columns padded with spaces, no tabs."""
    lines, out = text.split("\n"), []
    header = lines.index(TABLE_HEADER)
    rows = [lines[header].split("\t")]
    k = header + 1
    while k < len(lines) and "\t" in lines[k]:
        cells = lines[k].split("\t")
        rows.append(cells + [""] * (len(GRADES) - len(cells)))
        k += 1
    widths = [max(len(r[c]) for r in rows if c < len(r)) + 4 for c in range(len(GRADES))]
    table = ["".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines[:header] + table + lines[k:])
