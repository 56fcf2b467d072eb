"""Causal claims on real inspectorate prose (tests/real-dev/, see tests/realdev.py for the scoring rules).

Issue 7's floors: strict precision >= 0.90 over every claim and recall >= 0.75 of the main (non-boilerplate)
gold claims; no claim from the 2023-25 reports' "'national' means ..." definition or from "causes of concern".
The floors asserted are what the extractor reaches now (measured 0.946 and 0.978), so a change that loses
ground on real text fails here.
"""

import pytest
import realdev

from peelgraph.extract.causal import claims_in_text


@pytest.fixture(scope="module")
def result():
    return realdev.evaluate()


def test_realdev_precision_and_recall_of_main_claims(result):
    f = realdev.figures(result["tally"]["all"])
    assert f["precision"] >= 0.94, f
    assert f["recall_main"] >= 0.97, f
    assert f["recall_boilerplate"] >= 0.90, f


def test_realdev_no_claim_from_definitions_or_causes_of_concern(result):
    for _, p in result["false"]:
        assert not (p.cue_text.startswith("mean") and "'national'" in p.cause_text), p
        assert not (p.rule == "verb:cause" and "of concern" in p.effect_text), p


def test_realdev_hedged_gold_claims_found_are_marked_hedged(result):
    f = realdev.figures(result["tally"]["all"])
    assert f["hedged_found"] == f["hedged_marked"] == f["hedged_gold"] == 3, f


@pytest.mark.parametrize("text", [
    "In some instances, 'national' means applying to England or Wales.",  # a definition
    "On 2 May we published the remaining causes of concern for the region.",  # "causes" a noun
    "We met partnership leads to discuss the new arrangements.",  # "leads" a noun, "to" an infinitive
    "The board has not as yet agreed a plan, and the service as a whole is stable.",  # "as" not a reason
    "Leaders speak to the public when things are going as planned.",
    "The chief officer is pleased with the force's work in keeping people safe, reducing crime and managing offenders.",  # a list of gerunds
    "The regional unit provides support to officers in three counties.",  # an actor's action
])
def test_realdev_classes_of_false_claims_are_not_extracted(text):  # sentences written for the test
    assert claims_in_text(text) == []


@pytest.mark.parametrize("text, cause, effect, modality", [
    ("Poor supervision may lead to missed lines of enquiry.", "Poor supervision", "missed lines of enquiry", "hedged"),
    ("Late updates could be because officers lack time.", "officers lack time", "Late updates", "hedged"),
    ("Better triage would help call handlers prioritise.", "Better triage", "call handlers prioritise", "hedged"),
    ("The new rota will reduce overtime in the control room.", "The new rota", "overtime in the control room", "predicted"),
    ("High turnover has meant that teams lack experience.", "High turnover", "teams lack experience", "asserted"),
    ("The unit has lost two analysts. So there is less analysis of local crime.",
     "The unit has lost two analysts", "there is less analysis of local crime", "asserted"),
    ("The unit has lost its analysts, so the force doesn't target prolific offenders.",
     "The unit has lost its analysts", "the force doesn't target prolific offenders", "asserted"),
    ("Through its new triage desk, the force has reduced repeat calls.", "its new triage desk",
     "the force has reduced repeat calls", "asserted"),
    ("Some files are not reviewed. This poses a risk to victims.", "Some files are not reviewed", "a risk to victims", "asserted"),
    ("Its merger with the fire service has enabled both services to share premises.",
     "Its merger with the fire service", "both services to share premises", "asserted"),
    ("Heavy workloads delay routine enquiries.", "Heavy workloads", "routine enquiries", "asserted"),
    ("The service's isolation makes the town more vulnerable to county lines.", "The service's isolation",
     "the town more vulnerable to county lines", "asserted"),
])
def test_realdev_families_of_causal_claims_with_modality(text, cause, effect, modality):  # our own sentences
    claims = claims_in_text(text)
    assert [(c.cause_text, c.effect_text, c.modality) for c in claims] == [(cause, effect, modality)]
