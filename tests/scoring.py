"""Score an extracted Document against a hand annotation (tests/annotations/*.json).

Items are compared by content, not offsets, so the same annotation scores variants of a report (renamed,
regraded, re-wrapped, CRLF, curly quotes). Run as a script to print the figures:

    python tests/scoring.py [report.txt annotation.json]
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "derbyshire-peel-2021-22.txt"
SEED_GOLD = ROOT / "tests" / "annotations" / "seed.json"
FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def norm(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub(r"\[((?:\\.|[^\]\\])+)\]\([^)\s]*\)", r"\1", text)
    text = re.sub(r"\\([()\[\]])", r"\1", text)
    return " ".join(text.translate(FOLD).lower().split())


def gold_items(gold: dict, rename=lambda s: s) -> dict[str, Counter]:
    st = gold["statements"]
    label = lambda s: norm(rename(s)) if s else None
    return {
        "judgments": Counter((j["area"], j["grade"]) for j in gold["judgments"]),
        "ungraded": Counter((u["area"], u["status"]) for u in gold["ungraded"]),
        "afis": Counter((s["area"], label(s["label"])) for s in st if s["type"] == "AreaForImprovement"),
        "concerns": Counter((s["area"], label(s["label"])) for s in st if s["type"] == "CauseOfConcern"),
        "recommendations": Counter((s["area"], label(s["label"])) for s in st if s["type"] == "Recommendation"),
        "findings": Counter((s["area"], s["source"], label(s["label"])) for s in st if s["type"] == "Finding"),
        "polarity": Counter((s["area"], label(s["label"]), s["polarity"]) for s in st if s["type"] == "Finding"),
        "metrics": Counter(
            (m["kind"], float(m["value"]), m["unit"], m["numerator"] and float(m["numerator"]),
             m["denominator"] and float(m["denominator"]), m["ci"] and float(m["ci"]), label(m["statement"]))
            for m in gold["metrics"]
        ),
        "standards": Counter((s["value"], s["direction"]) for s in gold["standards"]),
        "comparisons": Counter((float(m["value"]), m["meets"]) for m in gold["metrics"] if m["standard"] is not None),
    }


def doc_items(doc) -> dict[str, Counter]:
    st = doc.statements
    label = lambda i: norm(st[i].label) if i is not None else None
    return {
        "judgments": Counter((j.area, j.grade) for j in doc.judgments if j.grade),
        "ungraded": Counter((j.area, j.status) for j in doc.judgments if not j.grade and j.area != "hm-inspectors-observations"),
        "afis": Counter((s.area, norm(s.label)) for s in st if s.kind == "AreaForImprovement"),
        "concerns": Counter((s.area, norm(s.label)) for s in st if s.kind == "CauseOfConcern"),
        "recommendations": Counter((s.area, norm(s.label)) for s in st if s.kind == "Recommendation"),
        "findings": Counter((s.area, s.source, norm(s.label)) for s in st if s.kind == "Finding"),
        "polarity": Counter((s.area, norm(s.label), s.polarity) for s in st if s.kind == "Finding"),
        "metrics": Counter(
            (m.kind, float(m.value), m.unit, m.numerator, m.denominator, m.ci, label(m.statement)) for m in doc.metrics
        ),
        "standards": Counter((s.value, s.direction) for s in doc.standards),
        "comparisons": Counter((float(m.value), m.meets) for m in doc.metrics if m.standard is not None),
    }


def score(gold: Counter, pred: Counter) -> dict:
    tp = sum((gold & pred).values())
    p = tp / sum(pred.values()) if pred else 1.0
    r = tp / sum(gold.values()) if gold else 1.0
    return {"tp": tp, "gold": sum(gold.values()), "pred": sum(pred.values()), "precision": p, "recall": r,
            "missing": sorted(gold - pred, key=str), "extra": sorted(pred - gold, key=str)}


def evaluate(doc, gold: dict, rename=lambda s: s) -> dict[str, dict]:
    g, p = gold_items(gold, rename), doc_items(doc)
    return {k: score(g[k], p[k]) for k in g}


def table(results: dict[str, dict]) -> str:
    lines = [f"{'category':16} {'gold':>5} {'found':>5} {'right':>5} {'precision':>9} {'recall':>7}"]
    for k, s in results.items():
        if s["gold"] or s["pred"]:
            lines.append(f"{k:16} {s['gold']:5} {s['pred']:5} {s['tp']:5} {s['precision']:9.3f} {s['recall']:7.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from peelgraph.build import extract_file

    report, annotation = (sys.argv[1:3] if len(sys.argv) > 2 else (SEED, SEED_GOLD))
    res = evaluate(extract_file(report), json.loads(Path(annotation).read_text(encoding="utf-8")))
    print(table(res))
    for k, s in res.items():
        for m in s["missing"]:
            print(f"missing {k}: {m}")
        for m in s["extra"]:
            print(f"extra   {k}: {m}")
