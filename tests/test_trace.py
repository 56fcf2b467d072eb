"""peelgraph trace and causes: causal paths from a factor to graded areas, every step quoted exactly."""

import json

import pytest
import variants as v
from click.testing import CliRunner

from peelgraph import store
from peelgraph.build import build
from peelgraph.cli import main
from peelgraph.errors import NotFoundError
from peelgraph.trace import render_text, trace

PREVENTING = "Preventing crime and anti-social behaviour"
TREATMENT = "Engaging with and treating the public with fairness and respect"
REDUCING = "Reducing crime assessment"


def areas(result):
    return {a["area"]: a["grade"] for a in result["areas"]}


def test_trace_neighbourhood_vacancies_reaches_graded_areas(open_seed_store):
    result = trace(open_seed_store, "neighbourhood vacancies")
    assert [f["key"] for f in result["factors"]] == ["neighbourhood-vacancies"]
    reached = areas(result)
    assert reached[PREVENTING] == "Adequate" and reached[TREATMENT] == "Adequate"
    assert REDUCING in reached and reached[REDUCING] is None


def test_trace_every_step_quotes_the_report(open_seed_store, seed_text):
    result = trace(open_seed_store, "neighbourhood vacancies")
    for a in result["areas"]:
        for path in a["paths"]:
            assert path[0]["type"] == "Factor" and path[-1]["type"] == "Judgment"
            assert any(step.get("cue") for step in path)
            for step in path:
                assert step["quote"] in seed_text, step


@pytest.mark.parametrize("text", ["vacancies", "neighbourhood staffing", "abstraction", "Neighbourhood Vacancies"])
def test_trace_other_phrasings_reach_both_graded_areas(open_seed_store, text):
    reached = areas(trace(open_seed_store, text))
    assert {PREVENTING, TREATMENT} <= set(reached)


def test_trace_thematic_links_are_marked(open_seed_store):
    result = trace(open_seed_store, "neighbourhood vacancies")
    assert result["thematic"] and all(t["link"] == "thematic" for t in result["thematic"])
    assert "Thematic links" in render_text(result)


def test_trace_unknown_text_suggests_factors(open_seed_store):
    with pytest.raises(NotFoundError, match="did you mean: .*[Vv]acancies"):
        trace(open_seed_store, "neighbourhod vacansies")


def test_trace_cli_json_contract(seed_store):
    r = CliRunner().invoke(main, ["trace", "neighbourhood vacancies", "--format", "json", "--store", str(seed_store)])
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert {"query", "factors", "areas"} <= set(data)
    step = data["areas"][0]["paths"][0][0]
    assert {"node", "type", "quote"} <= set(step)
    assert {"area", "grade", "paths"} <= set(data["areas"][0])


def test_trace_cli_unknown_text_exit_2(seed_store):
    r = CliRunner().invoke(main, ["trace", "zzzz", "--store", str(seed_store)])
    assert r.exit_code == 2 and "no factor matches" in r.stderr


def test_trace_works_on_renamed_variant(seed_text, tmp_path):
    report = tmp_path / "wessex.txt"
    report.write_text(v.windows(v.curly(v.pdf_like(v.rename_force(seed_text)))), encoding="utf-8")
    build([report], tmp_path / "store")
    result = trace(store.open_store(tmp_path / "store"), "neighbourhood vacancies")
    assert {PREVENTING, TREATMENT, REDUCING} <= set(areas(result))
    assert all("Wessex" in a["inspection"] for a in result["areas"])


def test_causes_ranks_factors_by_poor_grades_reached(seed_store):
    r = CliRunner().invoke(main, ["causes", "--format", "json", "--store", str(seed_store)])
    rows = json.loads(r.stdout)["rows"]
    assert rows and rows == sorted(rows, key=lambda x: -x["score"])
    vacancies = next(x for x in rows if x["key"] == "neighbourhood-vacancies")
    assert vacancies["areas"] >= 3


# A store written for the test: vacancies -> slow patrols (asserted, in a Good area) -> people may feel unsafe
# (hedged, in an Inadequate area).
MODAL = """
@prefix peel: <https://w3id.org/peelgraph/ontology#> .
@prefix parea: <https://w3id.org/peelgraph/area/> .
@prefix pfac: <https://w3id.org/peelgraph/factor/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix w: <https://w3id.org/peelgraph/id/wessex/2023-25/> .

w:inspection a peel:Inspection ; rdfs:label "PEEL 2023/25: Wessex Police" .
w:j-treat a peel:Judgment ; peel:inInspection w:inspection ; peel:area parea:treatment-of-the-public ;
    peel:status peel:Graded ; peel:grade peel:Good .
w:j-prev a peel:Judgment ; peel:inInspection w:inspection ; peel:area parea:preventing-crime ;
    peel:status peel:Graded ; peel:grade peel:Inadequate .
w:p1 a peel:Passage ; peel:text "There are many vacancies. This means patrols are slow." .
w:p2 a peel:Passage ; peel:text "Slow patrols may mean that people feel unsafe." .
w:vacancies a peel:Condition ; rdfs:label "There are many vacancies" ; peel:instanceOf pfac:neighbourhood-vacancies ;
    peel:evidence w:p1 .
w:slow a peel:Condition ; rdfs:label "patrols are slow" ; peel:evidence w:p1 .
w:unsafe a peel:Condition ; rdfs:label "people feel unsafe" ; peel:evidence w:p2 .
w:claim-1 a peel:CausalClaim ; peel:cause w:vacancies ; peel:effect w:slow ; peel:cue "This means" ;
    peel:modality peel:Asserted ; peel:evidence w:p1 ; peel:area parea:treatment-of-the-public ; peel:inInspection w:inspection .
w:claim-2 a peel:CausalClaim ; peel:cause w:slow ; peel:effect w:unsafe ; peel:cue "may mean" ;
    peel:modality peel:Hedged ; peel:evidence w:p2 ; peel:area parea:preventing-crime ; peel:inInspection w:inspection .
w:vacancies peel:causes w:slow . w:slow peel:causes w:unsafe .
w:vacancies peel:reaches w:slow, w:unsafe ; peel:reachesAsserted w:slow . w:slow peel:reaches w:unsafe .  # as a build writes them
"""
TREATMENT_GOOD = {TREATMENT: "Good"}


@pytest.fixture(scope="module")
def modal_store():
    import pyoxigraph as ox

    from peelgraph.graph import ontology_quads

    s = ox.Store()
    s.extend(ontology_quads())
    s.load(MODAL.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://w3id.org/peelgraph/graph/wessex/2023-25"))
    return s


def test_trace_steps_carry_their_modality(modal_store):
    result = trace(modal_store, "neighbourhood vacancies")
    assert areas(result) == {TREATMENT: "Good", PREVENTING: "Inadequate"}
    steps = {step["node"]: step.get("modality") for a in result["areas"] for path in a["paths"] for step in path}
    assert steps["patrols are slow"] == "asserted" and steps["people feel unsafe"] == "hedged"
    text = render_text(result)
    assert "--This means--> [Condition] patrols are slow" in text
    assert "--may mean (hedged)--> [Condition] people feel unsafe" in text


def test_trace_asserted_only_ignores_hedged_claims(modal_store):
    result = trace(modal_store, "neighbourhood vacancies", asserted_only=True)
    assert result["asserted_only"] is True and areas(result) == TREATMENT_GOOD
    assert "(asserted claims only)" in render_text(result) and "hedged" not in render_text(result)


def test_root_causes_asserted_only_ignores_hedged_claims(modal_store):
    from peelgraph.trace import root_causes

    every = root_causes(modal_store)
    assert every.variables == ["factor", "key", "score", "areas", "poorAreas", "statements"]
    assert every.rows == [["Neighbourhood policing vacancies", "neighbourhood-vacancies", 4.5, 2, 1, 0]]
    assert root_causes(modal_store, asserted_only=True).rows == [
        ["Neighbourhood policing vacancies", "neighbourhood-vacancies", 0.5, 1, 0, 0]]


@pytest.mark.parametrize("which", ["modal", "seed"])
def test_root_causes_match_the_root_causes_query(which, modal_store, open_seed_store):
    from peelgraph import query
    from peelgraph.trace import root_causes

    s = modal_store if which == "modal" else open_seed_store
    as_json = lambda result: json.loads(query.render(result, "json"))
    assert as_json(root_causes(s)) == as_json(query.run(s, query.resolve("root-causes")))


def test_trace_cli_json_gives_each_causal_step_a_modality(seed_store):
    for flag in ([], ["--asserted-only"]):
        r = CliRunner().invoke(main, ["trace", "neighbourhood vacancies", "--format", "json", "--store", str(seed_store), *flag])
        assert r.exit_code == 0, r.output
        steps = [s for a in json.loads(r.stdout)["areas"] for p in a["paths"] for s in p if s.get("cue")]
        assert steps and all(s["modality"] in ({"asserted"} if flag else {"asserted", "hedged", "predicted"}) for s in steps)


def test_trace_cli_text_marks_hedged_and_predicted_steps(open_seed_store):
    result = trace(open_seed_store, "neighbourhood vacancies")
    text = render_text(result)
    for step in (s for a in result["areas"] for p in a["paths"] for s in p if s.get("cue")):
        marked = f"--{step['cue']} ({step['modality']})--> [Condition] {step['node']}"
        assert (marked in text) is (step["modality"] != "asserted")


def test_causes_cli_asserted_only_scores_no_higher(seed_store):
    rows = lambda *flag: {x["key"]: x for x in json.loads(CliRunner().invoke(
        main, ["causes", "--format", "json", "--store", str(seed_store), *flag]).stdout)["rows"]}
    every, asserted = rows(), rows("--asserted-only")
    assert asserted and set(asserted) <= set(every)
    assert all(x["score"] <= every[k]["score"] and x["areas"] <= every[k]["areas"] for k, x in asserted.items())
