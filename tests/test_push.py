"""`peelgraph push URL` to a real, writable Oxigraph server that the test starts on loopback with its own
data folder: every named graph written with the Graph Store Protocol, a second push changes nothing, and
what the server then answers equals the embedded store's answers."""

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from test_serve import free_port

from peelgraph import query, remote
from peelgraph.errors import EndpointError
from peelgraph.server import oxigraph_program

GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture
def oxigraph(tmp_path):
    """A writable Oxigraph server (the default graph the union of the named ones, as peelgraph queries expect)."""
    port = free_port()
    proc = subprocess.Popen([oxigraph_program(), "serve", "--location", str(tmp_path / "data"), "--bind",
                             f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            assert time.monotonic() < deadline and proc.poll() is None, "the Oxigraph server did not start"
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "peelgraph.cli", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def counts(result):
    return {row[0].value: int(row[1].value) for row in result.rows}


def test_push_twice_then_the_server_equals_the_store(oxigraph, seed_store, open_seed_store):
    first = cli("push", oxigraph + "/store", "--store", seed_store)
    assert first.returncode == 0, first.stderr
    local = counts(query.run(open_seed_store, GRAPH_COUNTS))
    assert first.stdout.startswith(f"{len(local)} created")
    assert all(f"{g}: created ({n:,} triples)" in first.stderr for g, n in local.items())

    second = cli("push", oxigraph + "/store", "--store", seed_store)
    assert second.returncode == 0
    assert second.stdout.strip() == f"nothing changed: the {len(local)} graphs on the server already equal the store's."
    assert second.stderr.count(": unchanged (") == len(local)

    assert counts(remote.run(oxigraph + "/query", GRAPH_COUNTS)) == local
    for name in ("grades", "afis-by-area", "metrics-vs-standards", "root-causes"):
        on_server = cli("query", name, "--endpoint", oxigraph + "/query", "--format", "json")
        assert on_server.returncode == 0, on_server.stderr
        here = cli("query", name, "--store", seed_store, "--format", "json")
        assert json.loads(on_server.stdout)["rows"], name
        key = lambda out: sorted(json.dumps(r, sort_keys=True) for r in json.loads(out)["rows"])
        assert key(on_server.stdout) == key(here.stdout), name


def test_push_replaces_only_the_graph_that_differs_and_leaves_other_graphs(oxigraph, open_seed_store):
    remote.push(open_seed_store, oxigraph + "/store")
    extra = ("INSERT DATA { GRAPH <https://w3id.org/peelgraph/graph/ontology> { <http://x/a> <http://x/b> 1 } "
             "GRAPH <http://x/theirs> { <http://x/a> <http://x/b> 2 } }")
    urllib.request.urlopen(oxigraph + "/update", urllib.parse.urlencode({"update": extra}).encode()).read()
    records = {r["graph"]: r for r in remote.push(open_seed_store, oxigraph + "/store")}
    ontology = records.pop("https://w3id.org/peelgraph/graph/ontology")
    assert ontology["action"] == "replaced" and ontology["before"] == ontology["triples"] + 1
    assert {r["action"] for r in records.values()} == {"unchanged"}
    after = counts(remote.run(oxigraph + "/query", GRAPH_COUNTS))
    assert after.pop("http://x/theirs") == 1  # a graph the store does not have is left alone
    assert after == counts(query.run(open_seed_store, GRAPH_COUNTS))


def test_push_to_nothing_is_a_clear_error(seed_store):
    r = cli("push", f"http://127.0.0.1:{free_port()}/store", "--store", seed_store,
            env={"PEELGRAPH_ENDPOINT_USER": "analyst", "PEELGRAPH_ENDPOINT_PASSWORD": "s3cret"})
    assert r.returncode == 2 and r.stderr.startswith("peelgraph: error: cannot reach http://127.0.0.1:")
    assert "s3cret" not in r.stderr


def test_push_to_a_read_only_server_fails_clearly(open_seed_store, seed_store):
    from test_serve import Server

    s = Server(seed_store)
    try:
        with pytest.raises(EndpointError, match="answered 4"):
            remote.push(open_seed_store, s.url + "/store")
    finally:
        s.stop()
