"""A saved report web page to the plain text peelgraph reads.

Block elements become paragraphs separated by blank lines, list items "- " lines, table rows tab-separated
cells, links their visible text; scripts, styles and navigation are dropped. The text is what offsets refer to
for an HTML source (`peelgraph text FILE` prints it), so every passage can still be checked by hand.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {"p", "div", "section", "article", "main", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
          "ul", "ol", "table", "blockquote", "figure", "figcaption", "dl", "dt", "dd", "caption"}
SKIP = {"script", "style", "noscript", "template", "svg", "nav", "head", "button", "form", "select"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.cells: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skip += 1
        elif tag in BLOCKS:
            self.out.append("\n\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "tr":
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS or tag == "li":
            self.out.append("\n")
        elif tag == "tr" and self.cells is not None:
            self.out.append("\n" + "\t".join(" ".join(c.split()) for c in self.cells) + "\n")
            self.cells = None

    def handle_data(self, data):
        if self.skip:
            return
        if self.cells is not None and self.cells:
            self.cells[-1] += data
        elif self.cells is None:
            self.out.append(re.sub(r"\s+", " ", data))


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


def to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    lines = [line.strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
