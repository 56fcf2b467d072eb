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
