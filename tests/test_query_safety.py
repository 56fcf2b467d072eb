"""Queries on the embedded store are safe to run on a shared machine: no federated SERVICE calls, no
SPARQL Update, a time limit and a result limit; and the dashboard formats (JSON lines, SPARQL JSON)."""

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from peelgraph import query
from peelgraph.errors import QueryError, QueryLimit, QueryRefused

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def run(*args):
    return subprocess.run([sys.executable, "-m", "peelgraph.cli", *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ))


class Listener:
    """A TCP listener on loopback that counts the connections it gets (and answers none)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * {FILTER(?a<?b)SERVICE<http://127.0.0.1:9/>{?s ?p ?o}}",
    "SELECT * { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "# a comment\nSELECT * {\n  sErViCe\n<http://127.0.0.1:9/> { ?s ?p ?o } }",
])
def test_query_check_refuses_service(text):
    with pytest.raises(QueryRefused, match="SERVICE"):
        query.check_safe(text)
    query.check_safe(text, allow_service=True)


@pytest.mark.parametrize("text", [
    "DELETE WHERE { ?s ?p ?o }",
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "PREFIX ex: <http://e/> # SELECT\nDELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <http://g>",
    "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_query_check_refuses_update_even_with_allow_service(text):
    with pytest.raises(QueryRefused, match="Update"):
        query.check_safe(text, allow_service=True)


@pytest.mark.parametrize("text", [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX ex: <http://example.org/SERVICE/> SELECT * { ?s ex:SERVICE ?o ; ex:delete ?d }",
    'SELECT * { ?s ?p "SERVICE <http://127.0.0.1:9/> { } DELETE" }',
    "SELECT * { ?s ?p '''SERVICE \"\"\" INSERT''' }",
    'SELECT * { ?s ?p "a \\" SERVICE" }',
    "# SERVICE <http://127.0.0.1:9/> { DELETE }\nSELECT * { ?s ?p ?o }",
    "SELECT * { ?s <http://example.org/SERVICE#DELETE> ?o . ?s :SERVICE ?x . ?s SERVICE:x ?y }",
])
def test_query_check_allows_the_words_in_names_strings_comments_and_iris(text):
    query.check_safe(text)


def test_query_service_to_loopback_listener_is_never_contacted(seed_store, listener):
    text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
    r = run("query", text, "--store", seed_store)
    assert r.returncode == 2
    assert r.stderr.startswith("peelgraph: error: SERVICE (federated query) is refused") and r.stderr.count("\n") == 1
    assert listener.connections == 0


def test_query_allow_service_does_call_out(seed_store, listener):
    """The control for the test above: with --allow-service the same query reaches the listener."""
    text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
    r = run("query", text, "--store", seed_store, "--allow-service", "--timeout", "10")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert listener.connections >= 1


@pytest.mark.parametrize("text", ["DELETE WHERE { ?s ?p ?o }", "INSERT DATA { <http://a> <http://b> <http://c> }"])
def test_query_update_is_refused_and_changes_nothing(seed_store, text):
    before = run("query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--store", seed_store, "--format", "json").stdout
    r = run("query", text, "--store", seed_store, "--allow-service")
    assert r.returncode == 2 and r.stderr.startswith("peelgraph: error: SPARQL Update is refused")
    assert run("query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--store", seed_store, "--format", "json").stdout == before


def test_query_cartesian_product_stops_at_the_timeout(seed_store):
    import time

    started = time.monotonic()
    r = run("query", CARTESIAN, "--store", seed_store, "--timeout", "1")
    assert r.returncode == 2
    assert r.stderr == "peelgraph: error: the query ran past the 1 s time limit; narrow it (or pass a larger --timeout).\n"
    assert time.monotonic() - started < 10


def test_query_run_timeout_and_row_limit(open_seed_store):
    with pytest.raises(QueryLimit, match="time limit"):
        query.run(open_seed_store, CARTESIAN, timeout=0.3)
    with pytest.raises(QueryLimit, match="more than 100 rows"):
        query.run(open_seed_store, "SELECT * { ?s ?p ?o }", timeout=10, max_rows=100)
    assert len(query.run(open_seed_store, "SELECT * { ?s ?p ?o } LIMIT 100", max_rows=100).rows) == 100


def _children() -> set[int]:
    return {int(c) for t in Path("/proc/self/task").iterdir() for c in (t / "children").read_text().split()}


@pytest.mark.parametrize("given", ["folder", "open store"])
def test_query_run_timeout_leaves_nothing_running(seed_store, open_seed_store, given):
    """Oxigraph cannot stop a query, so a timed query runs in a child process that the timeout ends: no
    thread or process of it is left using the CPU (a notebook goes on with its work)."""
    import resource
    import time

    threads, children = set(threading.enumerate()), _children()
    started = time.monotonic()
    with pytest.raises(QueryLimit, match="past the 0.5 s time limit"):
        query.run(seed_store if given == "folder" else open_seed_store, CARTESIAN, timeout=0.5)
    assert time.monotonic() - started < 5
    assert set(threading.enumerate()) == threads and _children() <= children
    cpu = lambda: sum(resource.getrusage(who).ru_utime for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    before = cpu()
    time.sleep(1)
    assert cpu() - before < 0.3  # the cartesian product would use a whole core


@pytest.mark.parametrize("name", ["grades", "metrics-vs-standards", "root-causes", "afis-by-area"])
def test_query_run_with_a_timeout_gives_the_same_result(seed_store, open_seed_store, name):
    text = query.resolve(name)
    plain = query.run(open_seed_store, text)
    assert plain.rows
    assert query.run(seed_store, text, timeout=60) == plain == query.run(open_seed_store, text, timeout=60)
    construct = "CONSTRUCT { ?j peel:grade ?g } WHERE { ?j a peel:Judgment ; peel:grade ?g }"
    assert query.run(seed_store, construct, timeout=60) == query.run(open_seed_store, construct)
    assert query.run(seed_store, "ASK { ?j a peel:Judgment }", timeout=60).boolean is True


def test_query_run_in_a_child_reports_errors_as_the_store_does(seed_store):
    with pytest.raises(QueryError, match="malformed SPARQL"):
        query.run(seed_store, "SELECT * WHERE { ?s ?p", timeout=30)
    with pytest.raises(QueryLimit, match="more than 100 rows"):
        query.run(seed_store, "SELECT * { ?s ?p ?o }", timeout=30, max_rows=100)


def test_query_max_rows_refuses_large_answers(seed_store):
    r = run("query", "SELECT * { ?s ?p ?o }", "--store", seed_store, "--max-rows", "50")
    assert r.returncode == 2 and "more than 50 rows" in r.stderr and r.stdout == ""


def test_query_format_jsonl_one_object_a_row(seed_store):
    r = run("query", "grades", "--store", seed_store, "--format", "jsonl")
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and len(lines) == 9
    rows = [json.loads(line) for line in lines]
    assert all(set(row) == {"force", "cycle", "area", "grade"} for row in rows)
    assert json.loads(run("query", "grades", "--store", seed_store, "--format", "json").stdout)["rows"] == rows


def test_query_format_sparql_json_is_the_w3c_shape(seed_store):
    import pyoxigraph as ox

    r = run("query", "metrics", "--store", seed_store, "--format", "sparql-json")
    doc = json.loads(r.stdout)
    assert set(doc) == {"head", "results"} and doc["head"]["vars"]
    for binding in doc["results"]["bindings"]:
        for term in binding.values():
            assert term["type"] in ("uri", "literal", "bnode") and isinstance(term["value"], str)
            assert set(term) <= {"type", "value", "datatype", "xml:lang"}
    # a standard reader reads it back to the same solutions as the store gives
    parsed = list(ox.parse_query_results(r.stdout, ox.QueryResultsFormat.JSON))
    direct = query.run(ox.Store.read_only(str(seed_store)), query.resolve("metrics"))
    assert [[s[v] for v in doc["head"]["vars"]] for s in parsed] == direct.rows
    ask = json.loads(run("query", "ASK { ?s ?p ?o }", "--store", seed_store, "--format", "sparql-json").stdout)
    assert ask == {"head": {}, "boolean": True}
