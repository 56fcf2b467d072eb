"""Causal claims on real inspectorate prose: ``tests/real-dev/`` (excerpts of 24 forces' public HMICFRS
pages with a hand annotation, see its README). Scored with the CAUSAL.md matching rule (cause and effect
each overlap their gold span by half of the shorter one).

- recall: gold claims of kind ``main`` that some claim matches (one to one), non-boilerplate apart;
- strict precision: claims that match a gold claim of any kind (main, hedged, acceptable) over all claims,
  over every sentence of the excerpt, boilerplate included;
- hedged: gold claims of kind ``hedged`` matched, and how many of those carry the Hedged modality.

Run as a script to print the figures per class of page and every false and missed claim:

    python tests/realdev.py [--quiet]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from peelgraph.extract.causal import claims_in_text  # noqa: E402
from test_causal import assign, spans_match  # noqa: E402

REAL_DEV = ROOT / "tests" / "real-dev"


def gold_spans(text: str, item: dict) -> dict:
    """The gold claim with offsets: its sentence found in the excerpt, cause and effect inside it."""
    s = text.index(item["sentence"])
    out = dict(item)
    for side in ("cause", "effect"):
        k = item["sentence"].index(item[side])
        out[side + "_span"] = (s + k, s + k + len(item[side]))
    return out


def matches(gold: dict, pred) -> bool:
    return spans_match(gold["cause_span"], (pred.cause.start, pred.cause.end)) and spans_match(
        gold["effect_span"], (pred.effect.start, pred.effect.end))


def evaluate() -> dict:
    """Per class of page and in total: the counts, and the false and missed claims to read."""
    records = json.loads((REAL_DEV / "gold.json").read_text(encoding="utf-8"))
    tally: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    false, missed = [], []
    for r in records:
        text = (REAL_DEV / r["file"]).read_text(encoding="utf-8")
        gold = [gold_spans(text, g) for g in r["claims"]]
        preds = claims_in_text(text, r["file"])
        owner = assign_gold(gold, preds)
        for key in (r["set"], "all"):
            t = tally[key]
            t["claims"] += len(preds)
            t["right"] += len(owner)
            for gi, g in enumerate(gold):
                part = "boilerplate" if g["boilerplate"] else "main"
                hit = gi in owner.values()
                if g["kind"] == "main":
                    t[f"{part}_gold"] += 1
                    t[f"{part}_found"] += hit
                elif g["kind"] == "hedged":
                    t["hedged_gold"] += 1
                    t["hedged_found"] += hit
                    t["hedged_marked"] += hit and preds[_pred_of(owner, gi)].modality == "hedged"
        for k, p in enumerate(preds):
            if k not in owner:
                false.append((r["file"], p))
        for gi, g in enumerate(gold):
            if gi not in owner.values() and g["kind"] != "acceptable":
                missed.append((r["file"], g))
    return {"tally": tally, "false": false, "missed": missed}


def assign_gold(gold: list[dict], preds: list) -> dict[int, int]:
    """Prediction index -> gold index, one to one (gold claims of every kind)."""
    return assign([{"cause": _iv(g["cause_span"]), "effect": _iv(g["effect_span"])} for g in gold], preds)


def _iv(span: tuple[int, int]) -> dict:
    return {"offset": span[0], "text": "x" * (span[1] - span[0])}


def _pred_of(owner: dict[int, int], gi: int) -> int:
    return next(p for p, g in owner.items() if g == gi)


def figures(t: dict) -> dict:
    def ratio(a, b):
        return a / b if b else None
    return {
        "claims": t["claims"], "precision": ratio(t["right"], t["claims"]),
        "recall_main": ratio(t["main_found"], t["main_gold"]), "main_gold": t["main_gold"],
        "recall_boilerplate": ratio(t["boilerplate_found"], t["boilerplate_gold"]),
        "hedged_found": t["hedged_found"], "hedged_marked": t["hedged_marked"], "hedged_gold": t["hedged_gold"],
    }


def main(quiet: bool = False) -> None:
    result = evaluate()
    fmt = lambda x: "  -  " if x is None else f"{x:.3f}"  # noqa: E731
    print(f"{'class of page':<26} {'claims':>6} {'strict P':>9} {'R main':>7} {'(gold)':>6} {'R boilerplate':>13} {'hedged found/marked/gold':>25}")
    for key in sorted(result["tally"], key=lambda k: (k == "all", k)):
        f = figures(result["tally"][key])
        print(f"{key:<26} {f['claims']:>6} {fmt(f['precision']):>9} {fmt(f['recall_main']):>7} {f['main_gold']:>6} "
              f"{fmt(f['recall_boilerplate']):>13} {f['hedged_found']:>11}/{f['hedged_marked']}/{f['hedged_gold']}")
    if quiet:
        return
    for file, p in result["false"]:
        print(f"FALSE {file} {p.rule} [{p.cue_text}] {p.modality}\n   C: {p.cause_text[:150]}\n   E: {p.effect_text[:150]}")
    for file, g in result["missed"]:
        print(f"MISSED {file} ({g['kind']}{', boilerplate' if g['boilerplate'] else ''}) [{g['cue']}]\n"
              f"   S: {g['sentence'][:220]}\n   C: {g['cause'][:150]}\n   E: {g['effect'][:150]}")


if __name__ == "__main__":
    main("--quiet" in sys.argv)
