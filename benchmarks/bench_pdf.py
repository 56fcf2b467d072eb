"""Which PDF library reads report PDFs best: pypdfium2 (PDFium), pdfplumber and pdfminer.six, on the seed
report rendered to PDF in the inspectorate's layout (tests/pdfmake.py).

For each library:
- time to read every page's text with positions (best and median of --runs);
- word accuracy of its own plain-text extraction against the report's words (difflib ratio over word
  sequences, page furniture removed from both), which shows reading order and spacing;
- the same runs laid out by peelgraph.pdf.layout and extracted, scored on the seed's hand annotation.

    python benchmarks/bench_pdf.py [--runs 5]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pdfmake  # noqa: E402
import scoring  # noqa: E402

from peelgraph import pdf as ppdf  # noqa: E402
from peelgraph.extract import run as extract  # noqa: E402
from peelgraph.parse import parse_text  # noqa: E402


def pdfium_runs(data):
    return ppdf.runs(data)


def pdfium_plain(data):
    import pypdfium2 as pdfium

    return "\n".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(data))


def plumber_runs(data):
    import io

    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            h = page.height
            pages.append([ppdf.Run(w["x0"], h - w["bottom"], w["x1"], h - w["top"], w["text"], h - w["bottom"], w["size"])
                          for w in page.extract_words(extra_attrs=["size"])])
    return pages


def plumber_plain(data):
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def miner_runs(data):
    import io

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextBox

    pages = []
    for page in extract_pages(io.BytesIO(data)):
        runs = []
        for box in page:
            if not isinstance(box, LTTextBox):
                continue
            for line in box:
                text = " ".join(line.get_text().split())
                chars = [c for c in line if isinstance(c, LTChar)]
                if text and chars:
                    runs.append(ppdf.Run(line.x0, line.y0, line.x1, line.y1, text, line.y0, chars[0].size))
        pages.append(runs)
    return pages


def miner_plain(data):
    import io

    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


LIBRARIES = {
    "pypdfium2": (pdfium_runs, pdfium_plain),
    "pdfplumber": (plumber_runs, plumber_plain),
    "pdfminer.six": (miner_runs, miner_plain),
}


def words(text: str, footer: str) -> list[str]:
    text = scoring.norm(text.replace(footer, " ")) or ""
    return [w for w in text.split() if not re.fullmatch(r"\d{1,3}", w)]  # page numbers and contents numbers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    seed = scoring.SEED.read_text(encoding="utf-8")
    gold = json.loads(scoring.SEED_GOLD.read_text(encoding="utf-8"))
    data = pdfmake.render(seed)
    footer = "PEEL 2021/22 \u2013 Derbyshire Constabulary"
    truth = words(seed, footer)
    pages = None
    print(f"seed rendered to PDF: {len(data):,} bytes; {len(truth):,} words")
    print(f"{'library':14} {'read best':>10} {'median':>8} {'plain words':>12} {'afis':>6} {'findings':>9} {'metrics':>8} {'judgments':>9}")
    for name, (runs, plain) in LIBRARIES.items():
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            pages = runs(data)
            times.append(time.perf_counter() - t0)
        ratio = difflib.SequenceMatcher(None, truth, words(plain(data), footer), autojunk=False).ratio()
        text, starts = ppdf.layout(pages)
        res = scoring.evaluate(extract(parse_text(text, "seed.pdf", pages=starts)), gold)
        f = lambda cat: f"{res[cat]['tp']}/{res[cat]['gold']}" + ("" if res[cat]["pred"] == res[cat]["tp"] else f"+{res[cat]['pred'] - res[cat]['tp']}")
        print(f"{name:14} {min(times) * 1000:8.0f}ms {statistics.median(times) * 1000:6.0f}ms {ratio:12.3f} "
              f"{f('afis'):>6} {f('findings'):>9} {f('metrics'):>8} {f('judgments'):>9}")
    print("(afis etc.: right/gold, +N wrong extra; read = every page's text runs with positions)")


if __name__ == "__main__":
    main()
