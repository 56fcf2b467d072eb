"""Causal claims: scored against the hand annotation (tests/annotations/seed-causal.json, rules in
CAUSAL.md), and one small inline snippet per cue type.

Run as a script to print the score and every false positive and missed claim:

    python tests/test_causal.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from peelgraph.extract import causal, metrics, structure  # noqa: E402
from peelgraph.model import Document  # noqa: E402
from peelgraph.parse import parse_text, read  # noqa: E402

SEED = ROOT / "seeds" / "derbyshire-peel-2021-22.txt"
GOLD = ROOT / "tests" / "annotations" / "seed-causal.json"
PRECISION_FLOOR = 0.90
RECALL_FLOOR = 0.97  # best reached on the seed: 120 of 123 (0.976) at precision 1.0, without seed phrases in the rules


# ---------------------------------------------------------------------------- scoring (CAUSAL.md)
def interval(item: dict) -> tuple[int, int]:
    return item["offset"], item["offset"] + len(item["text"])


def spans_match(g: tuple[int, int], p: tuple[int, int]) -> bool:
    overlap = max(0, min(g[1], p[1]) - max(g[0], p[0]))
    return overlap > 0 and overlap >= 0.5 * min(g[1] - g[0], p[1] - p[0])


def claim_matches(gold: dict, pred) -> bool:
    return spans_match(interval(gold["cause"]), (pred.cause.start, pred.cause.end)) and spans_match(
        interval(gold["effect"]), (pred.effect.start, pred.effect.end))


def assign(gold: list[dict], preds: list) -> dict[int, int]:
    """Maximum one-to-one matching (Kuhn's augmenting paths): prediction index -> gold index."""
    edges = [[g for g, item in enumerate(gold) if claim_matches(item, p)] for p in preds]
    owner: dict[int, int] = {}

    def augment(p: int, seen: set[int]) -> bool:
        for g in edges[p]:
            if g in seen:
                continue
            seen.add(g)
            if g not in owner or augment(owner[g], seen):
                owner[g] = p
                return True
        return False

    for p in range(len(preds)):
        augment(p, set())
    return {p: g for g, p in owner.items()}


def score(preds: list, annotation: dict) -> dict:
    """TP/FP/FN with the CAUSAL.md rule: predictions matching only a doubtful item count neither way."""
    gold = annotation["claims"]
    matched = assign(gold, preds)
    doubtful = [k for k, p in enumerate(preds) if k not in matched and any(claim_matches(d, p) for d in annotation["doubtful"])]
    fp = [k for k in range(len(preds)) if k not in matched and k not in doubtful]
    fn = [g for g in range(len(gold)) if g not in matched.values()]
    tp = len(matched)
    precision = tp / (tp + len(fp)) if tp + len(fp) else 0.0
    recall = tp / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "doubtful": doubtful, "matched": matched,
            "precision": precision, "recall": recall, "f1": f1}


def seed_claims() -> tuple[Document, list]:
    doc = read(SEED)
    structure.extract(doc)
    metrics.extract(doc)
    causal.extract(doc)
    return doc, doc.claims


@pytest.fixture(scope="module")
def seed_result():
    doc, claims = seed_claims()
    return doc, claims, score(claims, json.loads(GOLD.read_text(encoding="utf-8")))


def test_causal_seed_precision_and_recall(seed_result):
    _, _, s = seed_result
    assert s["precision"] >= PRECISION_FLOOR, f"precision {s['precision']:.3f}"
    assert s["recall"] >= RECALL_FLOOR, f"recall {s['recall']:.3f}"


def test_causal_spans_are_exact_source_text(seed_result):
    doc, claims, _ = seed_result
    for c in claims:
        for span, text in ((c.cause, c.cause_text), (c.effect, c.effect_text)):
            assert visible(doc.quote(span)) == text, (doc.quote(span), text)
            assert not doc.quote(span).endswith((".", ",", ";", " "))
        assert c.cue_text.split()[0] in doc.quote(c.cue).lower()
        assert c.evidence.start <= min(c.cause.start, c.cue.start, c.effect.start)
        assert c.evidence.end >= max(c.cause.end, c.cue.end, c.effect.end)


def test_causal_records_carry_block_statement_and_area(seed_result):
    doc, claims, _ = seed_result
    for c in claims:
        block = doc.blocks[c.block]
        assert block.span.start <= c.cue.start < block.span.end
        assert c.area == getattr(block, "area", None)
        assert c.statement is None or c.block in doc.statements[c.statement].blocks


def test_causal_negated_doesnt_prevent_in_seed_is_not_extracted(seed_result):
    doc, claims, _ = seed_result
    assert "doesn't prevent inappropriate downgrades" in doc.source
    assert not any("prevent" in c.cue_text and "downgrades" in c.effect_text for c in claims)


def test_causal_scorer_matching_rule():
    assert spans_match((0, 10), (5, 30))  # half of the shorter span
    assert not spans_match((0, 10), (6, 30))
    assert not spans_match((0, 10), (10, 20))


# ---------------------------------------------------------------------------- inline snippets
def claims_of(text: str) -> tuple[Document, list]:
    doc = parse_text(text)
    for b in doc.blocks:
        b.area = b.sub = None
    causal.extract(doc)
    return doc, doc.claims


def one(text: str) -> tuple[str, str, str]:
    doc, claims = claims_of(text)
    assert len(claims) == 1, [(c.rule, c.cause_text, c.effect_text) for c in claims]
    c = claims[0]
    assert c.cue_text.split()[0] in doc.quote(c.cue).lower()
    return c.cause_text, c.effect_text, c.rule


@pytest.mark.parametrize("text, cause, effect, rule", [
    ("Repeat victims aren't always recorded, which means their risk is missed.",
     "Repeat victims aren't always recorded", "their risk is missed", "relative:mean"),
    ("Call handlers are overloaded, meaning calls wait longer.",
     "Call handlers are overloaded", "calls wait longer", "participle:mean"),
    ("High vacancy rates mean that neighbourhood teams are stretched.",
     "High vacancy rates", "neighbourhood teams are stretched", "verb:mean"),
    ("Victims withdraw support because updates are rare.",
     "updates are rare", "Victims withdraw support", "backward:because"),
    ("Progress has been slow due to staff shortages.",
     "staff shortages", "Progress has been slow", "backward:due to"),
    ("Good local work is undermined by high abstraction rates.",
     "high abstraction rates", "Good local work", "backward:undermined by"),
    ("Supervision of investigations is weak. This means opportunities are missed.",
     "Supervision of investigations is weak", "opportunities are missed", "verb:mean"),
    ("Supervision of investigations is weak. As a result, opportunities are missed.",
     "Supervision of investigations is weak", "opportunities are missed", "connective:as a result"),
    ("Officers often attend late. This leads to complaints from victims.",
     "Officers often attend late", "complaints from victims", "verb:lead"),
    ("Officers often attend late. This results in complaints from victims.",
     "Officers often attend late", "complaints from victims", "verb:result"),
    ("Backlogs have grown. These delays limit the ability to safeguard children.",
     "delays", "the ability to safeguard children", "verb:limit"),
    ("If the force doesn't recruit more call handlers, it will keep missing the answer standard.",
     "the force doesn't recruit more call handlers", "it will keep missing the answer standard", "construction:if"),
    ("Until the force improves supervision, it won't reduce repeat victimisation.",
     "the force improves supervision", "it won't reduce repeat victimisation", "construction:until"),
    ("Without reliable data, managers can't allocate resources well.",
     "reliable data", "managers can't allocate resources well", "construction:without"),
    ("Poor data quality restricts analysis of demand.",
     "Poor data quality", "analysis of demand", "verb:restrict"),
    ("The new triage process helps reduce unnecessary deployments.",
     "The new triage process", "reduce unnecessary deployments", "verb:help"),
    ("The backlog of devices has a negative impact on investigations.",
     "The backlog of devices", "investigations", "verb:have an effect"),
    ("Long waits are likely to lead to callers abandoning calls.",
     "Long waits", "callers abandoning calls", "verb:lead"),
    ("Because the force has too few investigators, files are often late.",
     "the force has too few investigators", "files are often late", "backward:because"),
    ("Officers are less proactive as they try to manage higher workloads.",
     "they try to manage higher workloads", "Officers are less proactive", "backward:as"),
    ("The force needs to train its supervisors, so that investigations are reviewed properly.",
     "The force needs to train its supervisors", "investigations are reviewed properly", "construction:so-that"),
    ("We found strong partnership work and fewer repeat calls as a result.",
     "strong partnership work", "fewer repeat calls", "construction:and-as-a-result"),
    ("Visible leadership is vital to building trust with staff.",
     "Visible leadership", "building trust with staff", "construction:vital-to"),
    ("To improve further, the force needs to fill its vacancies (as outlined in the AFI above).",
     "fill its vacancies", "improve further", "construction:purpose-cross-reference"),
    ("The force has invested in a new system that provides a detailed view of demand.",
     "a new system", "a detailed view of demand", "relative:provide"),  # a restrictive relative: its noun phrase
    ("Much of the backlog stems from a shortage of trained detectives.",
     "a shortage of trained detectives", "Much of the backlog", "backward:stems from"),
    ("Delays in charging decisions arise from poor file quality.",
     "poor file quality", "Delays in charging decisions", "backward:arise from"),
    ("Repeat calls are driven by unresolved neighbour disputes.",
     "unresolved neighbour disputes", "Repeat calls", "backward:driven by"),
    ("Slow triage leaves some callers unaware of what happens next.",
     "Slow triage", "some callers unaware of what happens next", "verb:leave"),
    ("High sickness levels put pressure on the remaining call handlers.",
     "High sickness levels", "the remaining call handlers", "verb:put at risk"),
    ("Response times are slow. This is partly due to the loss of experienced dispatchers.",
     "the loss of experienced dispatchers", "Response times are slow", "backward:due to"),
    ("The outdated case system slows down investigations.",
     "The outdated case system", "investigations", "verb:slow down"),
    ("Delays in forensic results hold up charging decisions.",
     "Delays in forensic results", "charging decisions", "verb:hold up"),
    ("Cancelled rest days are exhausting the workforce.",
     "Cancelled rest days", "the workforce", "verb:exhaust"),
    # an earlier clause's "understanding" doesn't make the cue verb an embedded question
    ("The service has a clear understanding of demand, and its partnership with the county council has enabled "
     "both bodies to save money.", "its partnership with the county council", "both bodies to save money", "verb:enable"),
    # a question after a verb of seeing states a fact
    ("The staff survey shows how night shifts are affecting morale.", "night shifts", "morale", "verb:affect"),
])
def test_causal_cue_types(text, cause, effect, rule):  # sentences written for the tests, not taken from a report
    assert one(text) == (cause, effect, rule)


@pytest.mark.parametrize("text", [
    "Teams tackled the underlying causes of problems in the area.",
    "Staff said they felt exhausted most of the time.",
    "Most respondents said their line manager supports them.",
    "The delay was not because of staffing.",
])
def test_causal_non_claims(text):
    assert claims_of(text)[1] == []


def test_causal_this_is_because_takes_previous_sentence_as_effect():
    assert one("Morale is low. This is because workloads keep rising.") == (
        "workloads keep rising", "Morale is low", "backward:because")


def test_causal_this_opening_a_paragraph_refers_to_the_previous_paragraph():
    text = "Calls are not triaged. Call takers lack guidance.\n\nThis means risk isn't always identified.\n"
    assert one(text) == ("Calls are not triaged. Call takers lack guidance", "risk isn't always identified", "verb:mean")


def test_causal_this_never_resolves_across_a_heading():
    _, claims = claims_of("Calls are not triaged.\n\nA heading about risk\n\nThis means risk isn't always identified.\n")
    assert claims == []


def test_causal_it_also_shares_the_previous_cause():
    _, claims = claims_of("High abandonment may mean callers give up. It also means risk goes unassessed.")
    assert [(c.cause_text, c.effect_text) for c in claims] == [
        ("High abandonment", "callers give up"), ("High abandonment", "risk goes unassessed")]


def test_causal_chain_uses_previous_effect():
    _, claims = claims_of("Files lacked supervision. As a result, some investigations weren't thorough. "
                          "This means offenders aren't brought to justice.")
    assert [(c.cause_text, c.effect_text) for c in claims] == [
        ("Files lacked supervision", "some investigations weren't thorough"),
        ("some investigations weren't thorough", "offenders aren't brought to justice")]


def test_causal_list_gives_one_claim_per_bullet():
    text = ("But the following areas may negatively affect the force's ability to reduce crime:\n\n"
            "- staff vacancies in neighbourhood teams;\n- a lack of analytical capacity; and\n- poor data.\n")
    _, claims = claims_of(text)
    assert [(c.cause_text, c.effect_text) for c in claims] == [
        (cause, "the force's ability to reduce crime")
        for cause in ("staff vacancies in neighbourhood teams", "a lack of analytical capacity", "poor data")]


def test_causal_participle_cue_takes_the_noun_it_modifies_as_effect():
    assert one("Officers understand the harm caused by abuse of authority.")[:2] == ("abuse of authority", "the harm")


def test_causal_coordinated_verbs_make_separate_claims():
    _, claims = claims_of("This checking process creates work and causes delays.")
    assert [(c.cause_text, c.effect_text) for c in claims] == [("checking process", "work"), ("checking process", "delays")]


@pytest.mark.parametrize("text", [
    "Supervisors reviewed the cases, but this doesn't prevent inappropriate downgrades.",  # negated causation
    "The force doesn't always help victims. Officers don't prevent crime by patrolling.",
    "The force needs to do this to reduce unnecessary demand.",  # purpose infinitive
    "The force uses this information to improve the way officers use their powers.",
    "The constabulary improves its service to victims.",  # an action of the force, not a causal claim
    "There is a lack of clarity on how this investment will improve efficiencies.",  # embedded under "how"
    "We assessed how efficient a service the constabulary gives the public.",  # "how" inside the fronted object
    "To what extent does the service ensure that its staff behave ethically?",  # "what" in the opening phrase
    "The force needs to improve its call answering as it isn't meeting national standards.",  # normative
    "The force has no single means of measuring performance.",  # "means" as a noun
    "The service reviewed the factors that are likely to affect its workload next year.",  # placeholder noun
    "Leaders want to change areas that influence how staff see their treatment.",
    "PEEL gives you information about how well your local police force is doing.",  # the programme: an actor
    "Waiting times rose last spring. So there is more that the service could do to support callers.",  # evaluation
])
def test_causal_non_claims_are_not_extracted(text):
    assert claims_of(text)[1] == []


@pytest.mark.parametrize("newline, quotes", [("\n", False), ("\r\n", False), ("\n", True), ("\r\n", True)])
def test_causal_spans_stay_exact_with_crlf_curly_quotes_and_wrapped_lines(newline, quotes):
    text = ("The force's control room is under-staffed and calls\nwait too long. This means that\n"
            "victims don't get the \"quick\" response they need.\n\nOfficers told us that the app\nhelps reduce "
            "paperwork.\n")
    if quotes:
        text = text.replace("'", "\u2019").replace(' "', " \u201c").replace('" ', "\u201d ")
    doc, claims = claims_of(text.replace("\n", newline))
    assert len(claims) == 2
    for c in claims:
        assert doc.quote(c.cue).split()[-1].lower() in c.cue_text
        for span, cleaned in ((c.cause, c.cause_text), (c.effect, c.effect_text)):
            assert _fold(" ".join(doc.quote(span).split())) == cleaned
    assert claims[0].effect_text == 'victims don\'t get the "quick" response they need'
    assert claims[1].cause_text == "the app" and claims[1].effect_text == "reduce paperwork"


def _fold(s: str) -> str:
    return s.translate(str.maketrans({"\u2019": "'", "\u201c": '"', "\u201d": '"'}))


def visible(quote: str) -> str:
    """A source quote as the cleaned text shows it: glossary markup dropped, quotes folded, lines joined."""
    quote = re.sub(r"\[((?:\\.|[^\]\\])+)\]\([^)\s]*\)", r"\1", quote)
    quote = re.sub(r"\\([()\[\]])", r"\1", quote)
    return " ".join(_fold(quote).split())


@pytest.mark.parametrize("variant", ["windows", "curly"])
def test_causal_seed_variants_give_the_same_claims_with_exact_spans(variant, seed_result):
    import variants

    _, base, _ = seed_result
    doc = parse_text(getattr(variants, variant)(SEED.read_text(encoding="utf-8")))
    structure.extract(doc)
    metrics.extract(doc)
    causal.extract(doc)
    fold = str.maketrans({"\u2018": "'", "\u2013": "-"})
    assert [(c.rule, c.cause_text, c.effect_text) for c in doc.claims] == [
        (c.rule, c.cause_text, c.effect_text) for c in base]
    for c in doc.claims:
        assert visible(doc.quote(c.cause)).translate(fold) == c.cause_text
        assert visible(doc.quote(c.effect)).translate(fold) == c.effect_text


# ---------------------------------------------------------------------------- report
def main() -> None:
    doc, claims = seed_claims()
    annotation = json.loads(GOLD.read_text(encoding="utf-8"))
    s = score(claims, annotation)
    print(f"claims {len(claims)}  TP {s['tp']}  FP {len(s['fp'])}  FN {len(s['fn'])}  doubtful {len(s['doubtful'])}")
    print(f"precision {s['precision']:.3f}  recall {s['recall']:.3f}  F1 {s['f1']:.3f}")
    print("by rule:", dict(Counter(c.rule.split(":")[0] for c in claims)))
    print("by rule and cue:", dict(sorted(Counter(c.rule for c in claims).items())))
    for k in s["fp"]:
        c = claims[k]
        print(f"FP {c.rule} [{c.cue_text}]\n   C: {c.cause_text[:140]}\n   E: {c.effect_text[:140]}")
    for k in s["doubtful"]:
        c = claims[k]
        print(f"DOUBTFUL {c.rule} C: {c.cause_text[:70]} | E: {c.effect_text[:70]}")
    for g in s["fn"]:
        item = annotation["claims"][g]
        print(f"FN {item['id']} [{item['cue']['text']}]\n   C: {item['cause']['text'][:140]}\n   E: {item['effect']['text'][:140]}")


if __name__ == "__main__":
    main()
