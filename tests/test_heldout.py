"""Reports written by people who never saw the extractor's rules, annotated by hand (tests/heldout/,
tests/annotations/heldout-*.json). They measure how the extractor does on text it was not built from.

Each was scored once before any rule changed because of it (first run), then the generic fixes that its
errors suggested were made (each tested with sentences of our own elsewhere), so the floors below are what the
extractor reaches now, not an unseen-text figure:

- Northmoor (PEEL 2023-25 layout), first run: cycle "2023\u201325" not parsed (build failed); after the fix,
  structure exact, polarity 0.72, metrics recall 0.98; causal precision 0.982, recall 0.797.
- Eastvale (2021/22 layout), first run after the Northmoor fixes: structure exact, polarity 0.667, metrics
  recall 0.975 ("6,400 hours" and "nine of the ten." missed); causal precision 0.918, recall 0.779.
- Harrowdene (text pulled from a PDF: wrapped, footers, form feeds, CRLF, curly quotes), first run after the
  Eastvale fixes: judgments, areas, AFIs and causes of concern exact; one wrapped line starting "16." read
  as a numbered item, which cost a finding and mis-attributed two figures (fixed: a numbered line continues an
  unfinished sentence); polarity 0.81; causal (after that parse fix) precision 0.952, recall 0.738.
"""

import json
from pathlib import Path

import pytest
import scoring
from test_causal import score

from peelgraph import store
from peelgraph.build import build, extract_file
from peelgraph.trace import trace

HELDOUT = Path(__file__).resolve().parent / "heldout"
ANNOTATIONS = Path(__file__).resolve().parent / "annotations"
REPORTS = {
    "northmoor-peel-2023-25.txt": ("heldout-northmoor.json", "heldout-northmoor-causal.json"),
    "eastvale-peel-2021-22.txt": ("heldout-eastvale.json", "heldout-eastvale-causal.json"),
    "harrowdene-peel-2021-22.txt": ("heldout-harrowdene.json", "heldout-harrowdene-causal.json"),
}
# Polarity depends on how a finding's body is read, where annotators differ.
FLOORS = {
    "northmoor-peel-2023-25.txt": {"polarity": 0.90},
    "eastvale-peel-2021-22.txt": {"polarity": 0.75},
    "harrowdene-peel-2021-22.txt": {"polarity": 0.80},
}
# issue 7: precision >= 0.95 and recall >= 0.85 on each (measured: 0.968/0.884, 0.963/0.907, 1.000/0.863)
CAUSAL_FLOORS = {name: (0.95, 0.85) for name in REPORTS}


@pytest.fixture(scope="module", params=sorted(REPORTS))
def report(request):
    name = request.param
    structure_gold, causal_gold = (json.loads((ANNOTATIONS / f).read_text(encoding="utf-8")) for f in REPORTS[name])
    return name, extract_file(HELDOUT / name), structure_gold, causal_gold


def test_heldout_structure_and_metrics(report):
    name, doc, gold, _ = report
    for cat, s in scoring.evaluate(doc, gold).items():
        floor = FLOORS[name].get(cat, 1.0)
        assert s["precision"] >= floor and s["recall"] >= floor, (cat, s["missing"], s["extra"])


def test_heldout_inspection(report):
    _, doc, gold, _ = report
    i, g = doc.inspection, gold["inspection"]
    assert (i.force, i.issued, i.inspector) == (g["force"], g["issued"], g["inspector"])
    assert i.cycle == g["cycle"].replace("\u2013", "-")


def test_heldout_causal_precision_and_recall(report):
    name, doc, _, causal_gold = report
    s = score(doc.claims, causal_gold)
    precision, recall = CAUSAL_FLOORS[name]
    assert s["precision"] >= precision and s["recall"] >= recall, (s["precision"], s["recall"])


@pytest.mark.parametrize("name,cause", [("northmoor-peel-2023-25.txt", "abstraction"),
                                        ("eastvale-peel-2021-22.txt", "detective shortages"),
                                        ("harrowdene-peel-2021-22.txt", "call handlers")])
def test_heldout_root_cause_reaches_two_graded_areas(name, cause, tmp_path):
    """The root cause each report's author wrote in to reach several graded areas."""
    build([HELDOUT / name], tmp_path / "store")
    result = trace(store.open_store(tmp_path / "store"), cause)
    graded = {a["area"] for a in result["areas"] if a["grade"]}
    assert len(graded) >= 2, graded
