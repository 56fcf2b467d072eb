"""The named queries, `trace` and `causes`, reshaped to answer fast on a large store, give exactly the answers
they gave before: the old query texts (tests/query_reference/, as of commit 877ffef) and the old trace module
(tests/trace_reference.py) run on the same stores are the reference. Timings are in benchmarks/bench_queries.py.

The stores: the seed, and 22 reports built for real (the seed, the held-out reports, the seed renamed and
regraded, and a second cycle of one renamed force, so the cross-cycle queries have rows)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import trace_reference
from test_cycles import second_cycle
from viz_samples import national_reports

from peelgraph import query, store, trace
from peelgraph.build import build

REFERENCE = Path(__file__).parent / "query_reference"
NAMES = sorted(p.stem for p in REFERENCE.glob("*.rq"))
TRACES = ["neighbourhood vacancies", "workload", "training", "supervision", "victims"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = national_reports(tmp_path_factory.mktemp("corpus") / "reports")
    first = (folder / "wessex-peel-2021-22.txt").read_text(encoding="utf-8")
    (folder / "wessex-peel-2023-25.txt").write_text(second_cycle(first), encoding="utf-8")
    build([folder], folder.parent / "store")
    return store.open_store(folder.parent / "store")


@pytest.fixture(params=["seed", "corpus"])
def any_store(request, open_seed_store):
    return open_seed_store if request.param == "seed" else request.getfixturevalue("corpus")


def answer(st, text):
    res = query.run(st, text)
    return res.variables, [tuple(None if t is None else str(t) for t in row) for row in res.rows]


def order_columns(text, variables):
    """The projected variables the query's ORDER BY names, in order (rows that tie on them may come in any order)."""
    clause = text[text.rindex("ORDER BY"):]
    return [variables.index(v) for v in re.findall(r"\?(\w+)", clause) if v in variables]


def test_query_scale_every_named_query_has_its_reference():
    assert NAMES == sorted(n for n in query.available() if not n.startswith("checks/"))


@pytest.mark.parametrize("name", NAMES)
def test_query_scale_named_query_gives_the_rows_it_gave_before(any_store, name):
    old_text = (REFERENCE / f"{name}.rq").read_text(encoding="utf-8")
    old_vars, old = answer(any_store, old_text)
    new_vars, new = answer(any_store, query.resolve(name))
    assert new_vars == old_vars
    assert Counter(new) == Counter(old)
    cols = order_columns(old_text, old_vars)
    assert [tuple(r[c] for c in cols) for r in new] == [tuple(r[c] for c in cols) for r in old]


def test_query_scale_corpus_has_rows_for_every_query(corpus):
    """The comparison above means something: on the corpus every named query has rows."""
    empty = [name for name in NAMES if not query.run(corpus, query.resolve(name)).rows]
    assert empty == []


@pytest.mark.parametrize("asserted_only", [False, True])
@pytest.mark.parametrize("text", TRACES)
def test_query_scale_trace_gives_what_it_gave_before(any_store, text, asserted_only):
    new = trace.trace(any_store, text, asserted_only)
    assert json.dumps(new) == json.dumps(trace_reference.trace(any_store, text, asserted_only))


@pytest.mark.parametrize("asserted_only", [False, True])
def test_query_scale_causes_gives_what_it_gave_before(any_store, asserted_only):
    new, old = trace.root_causes(any_store, asserted_only), trace_reference.root_causes(any_store, asserted_only)
    assert (new.variables, new.rows) == (old.variables, old.rows) and new.rows


@pytest.mark.parametrize("check", ["reach", "report-graph"])
def test_query_scale_materialised_reach_and_report_graphs_check_out(corpus, check):
    assert query.run(corpus, query.resolve(f"checks/{check}-violation")).rows == []
