"""Across cycles: a force's second inspection made by editing a copy of its first (one AFI kept, one reworded,
one dropped, one new, two grades changed), built together; the named queries give exactly those changes."""

import pytest
import variants as v
from click.testing import CliRunner

from peelgraph import cycles, query, store
from peelgraph.cli import main

KEPT = "The constabulary should make sure investigation plans are created where applicable, with supervisory oversight ensuring that all investigative opportunities are taken"
REWORDED = ("The constabulary needs to make sure it complies with the requirements of the Code of Practice for Victims of Crime",
            "The force must comply fully with the requirements of the Code of Practice for Victims of Crime")
DROPPED = ("The constabulary should make sure that there is an auditable record of the decision of the victim and their "
           "reasons for withdrawal of support from the investigation. The constabulary should make sure it documents "
           "whether evidence-led prosecutions have been considered in all such cases")
NEW = ("The force should reduce the time it takes to allocate volume crime to officers",
       "We found that volume crime waited an average of 11 days before an officer was given it. This delays the first contact with victims.")
REGRADED = {"Investigating crime": "Adequate", "Preventing crime": "Good"}  # from Requires improvement, Adequate


def renamed(text):
    return v.rename_force(text, "Derbyshire Constabulary", "Wessex Police", ("Roy Wilsher", "Jane Marlow"))


def second_cycle(text: str) -> str:
    """The next inspection of the same force, written by editing a copy of the first."""
    assert text.count(KEPT) == 1 and text.count(REWORDED[0]) == 1 and text.count(DROPPED) == 1
    text = text.replace("PEEL 2021/22\n", "PEEL 2023\u201325\n", 1)
    text = text.replace(REWORDED[0], REWORDED[1])
    start = text.index(DROPPED)
    end = text.index("\n\n", text.index("\n\n", start) + 2)  # the heading and its one paragraph
    text = text[:start] + text[end + 2:]
    at = text.index("\n\nMain findings", text.index(REWORDED[1]))
    text = text[:at] + f"\n\n{NEW[0]}\n\n{NEW[1]}" + text[at:]
    return v.regrade(text, REGRADED)


@pytest.fixture(scope="module")
def two_cycles(tmp_path_factory, seed_text):
    folder = tmp_path_factory.mktemp("cycles")
    first = renamed(seed_text)
    (folder / "wessex-2021-22.txt").write_text(first, encoding="utf-8")
    (folder / "wessex-2023-25.txt").write_text(second_cycle(first), encoding="utf-8")
    store_dir = folder / "store"
    r = CliRunner().invoke(main, ["build", str(folder / "wessex-2021-22.txt"), str(folder / "wessex-2023-25.txt"),
                                  "--store", str(store_dir), "--out", str(folder / "graph.nq")])
    assert r.exit_code == 0, r.output
    return folder, store.open_store(store_dir)


def rows(st, name):
    return query.rows(st, query.resolve(name))


def test_cycles_afi_persistence_gives_exactly_the_edits(two_cycles):
    _, st = two_cycles
    found = rows(st, "afi-persistence")
    assert {r["force"] for r in found} == {"Wessex Police"}
    assert all((r["earlierCycle"], r["laterCycle"]) == ("2021/22", "2023-25") for r in found)
    first = lambda label: label.split(". ")[0]  # headings run to more than one sentence
    changed = [(r["status"], first(r["earlierAfi"]), first(r["laterAfi"])) for r in found
               if not (r["status"] == "repeated" and r["similarity"] == "1")]
    assert sorted(changed) == sorted([
        ("new", "", NEW[0]),
        ("not repeated", first(DROPPED), ""),
        ("repeated", REWORDED[0], REWORDED[1]),
    ])
    kept = [r for r in found if r["status"] == "repeated" and r["similarity"] == "1"]
    assert len(kept) == 20 and all(r["earlierAfi"] == r["laterAfi"] for r in kept)
    assert any(r["earlierAfi"] == KEPT for r in kept)
    reworded = next(r for r in found if r["laterAfi"].startswith(REWORDED[1]))
    assert 0.5 <= float(reworded["similarity"]) < 1
    assert reworded["earlierArea"] == reworded["laterArea"] == "Investigating crime"


def test_cycles_grade_changes_gives_exactly_the_two_regrades(two_cycles):
    _, st = two_cycles
    found = rows(st, "grade-changes")
    assert len(found) == 9
    changed = {(r["area"], r["earlierGrade"], r["laterGrade"], r["change"]) for r in found if r["change"] != "same"}
    assert changed == {("Investigating crime", "Requires improvement", "Adequate", "up"),
                       ("Preventing crime and anti-social behaviour", "Adequate", "Good", "up")}
    match = {r["area"]: r["match"] for r in found}
    assert match["Investigating crime"] == "exact"
    assert match["Preventing crime and anti-social behaviour"] == "close"  # renamed and widened in 2023-25
    assert match["Strategic planning, organisational management and value for money"] == "close"


def test_cycles_repetition_quotes_both_headings_exactly(two_cycles):
    _, st = two_cycles
    found = query.rows(st, """SELECT ?lt ?et ?sim ?lp ?ep WHERE { ?r a peel:Repetition ; peel:laterText ?lt ; peel:earlierText ?et ;
        peel:similarity ?sim ; peel:later/peel:evidence/peel:text ?lp ; peel:earlier/peel:evidence/peel:text ?ep }""")
    assert len(found) == 21
    assert all(r["lt"] == r["lp"] and r["et"] == r["ep"] for r in found)


def test_cycles_national_queries(two_cycles):
    _, st = two_cycles
    grades = rows(st, "national-grades")
    assert [(r["force"], r["cycle"]) for r in grades] == [("Wessex Police", "2021/22"), ("Wessex Police", "2023-25")]
    assert (grades[0]["investigatingCrime"], grades[1]["investigatingCrime"]) == ("Requires improvement", "Adequate")
    causes = rows(st, "national-root-causes")
    assert causes and all(int(r["forces"]) <= 1 for r in causes) and int(causes[0]["forces"]) == 1


def test_cycles_export_is_deterministic(two_cycles, tmp_path):
    folder, _ = two_cycles
    r = CliRunner().invoke(main, ["build", str(folder / "wessex-2023-25.txt"), str(folder / "wessex-2021-22.txt"),
                                  "--store", str(tmp_path / "s"), "--out", str(tmp_path / "g.nq")])
    assert r.exit_code == 0 and (tmp_path / "g.nq").read_bytes() == (folder / "graph.nq").read_bytes()


def test_cycles_single_report_has_no_links(open_seed_store):
    assert rows(open_seed_store, "afi-persistence") == [] and rows(open_seed_store, "grade-changes") == []


@pytest.mark.parametrize("a, b, expected", [
    ("The force should improve how it investigates crime", "The force should improve its investigations of crime", 1.0),
    ("The force should answer emergency calls quickly", "The force should make sure it records crime accurately", 0.0),
])
def test_cycles_similarity_is_dice_of_stems(a, b, expected):
    assert cycles.similarity(a, b) == expected


def test_cycles_order_by_first_year():
    assert sorted(["2023\u201325", "2021/22", "2025-27"], key=cycles.cycle_key) == ["2021/22", "2023\u201325", "2025-27"]


def test_cycles_store_validates(two_cycles):
    from peelgraph.validate import validate

    _, st = two_cycles
    v = validate(st)
    assert v.conforms, v.text()


def test_cycles_named_queries_give_each_row_once(two_cycles):
    """A force's label is in each of its reports' graphs; queries over the union must not double rows."""
    _, st = two_cycles
    for name in query.available():
        found = [tuple(sorted(r.items())) for r in rows(st, name)]
        assert len(found) == len(set(found)), name
    assert len(rows(st, "grades")) == 18  # nine graded areas in each of the two cycles
