"""`peelgraph query --endpoint URL`: the same named queries and formats against a SPARQL endpoint, here a
real `peelgraph serve` started by the test."""

import json
import os
import subprocess
import sys

import pytest
from test_serve import Server

from peelgraph import query, remote
from peelgraph.errors import EndpointError, QueryError, QueryLimit, QueryRefused


@pytest.fixture(scope="module")
def endpoint(seed_store):
    s = Server(seed_store)
    yield s.url + "/query"
    s.stop()


@pytest.fixture(scope="module")
def strict(seed_store):
    s = Server(seed_store, "--timeout", 2)
    yield s.url + "/query"
    s.stop()


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "peelgraph.cli", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


def key(result):
    return result.variables, sorted((tuple(str(t) for t in row) for row in result.rows), key=repr)


@pytest.mark.parametrize("name", list(query.available()))
def test_remote_named_query_gives_the_same_result_as_the_store(endpoint, open_seed_store, name):
    text = query.resolve(name)
    assert key(remote.run(endpoint, text)) == key(query.run(open_seed_store, text))


@pytest.mark.parametrize("fmt", query.FORMATS)
def test_remote_cli_every_format_matches_the_store(endpoint, seed_store, fmt):
    on_server = cli("query", "grades", "--endpoint", endpoint, "--format", fmt)
    local = cli("query", "grades", "--store", seed_store, "--format", fmt)
    assert on_server.returncode == 0 == local.returncode, on_server.stderr
    if fmt == "sparql-json":  # the same solutions; a server may spell a plain literal's datatype out
        parse = lambda out: [{k: v["value"] for k, v in b.items()} for b in json.loads(out)["results"]["bindings"]]
        assert parse(on_server.stdout) == parse(local.stdout)
    else:
        assert on_server.stdout == local.stdout


def test_remote_construct_and_ask(endpoint, open_seed_store):
    text = "CONSTRUCT { ?j peel:grade ?g } WHERE { ?j a peel:Judgment ; peel:grade ?g }"
    assert key(remote.run(endpoint, text)) == key(query.run(open_seed_store, text))
    assert remote.run(endpoint, "ASK { ?j a peel:Judgment }").boolean is True


def test_remote_refuses_update_and_service_before_sending(endpoint):
    with pytest.raises(QueryRefused, match="Update"):
        remote.run(endpoint, "DELETE WHERE { ?s ?p ?o }", allow_service=True)
    with pytest.raises(QueryRefused, match="SERVICE"):
        remote.run(endpoint, "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def test_remote_errors_are_one_line(endpoint, strict):
    with pytest.raises(QueryError, match=r"answered 400: error at 1:"):
        remote.run(endpoint, "SELECT * WHERE { ?s ?p")
    with pytest.raises(QueryError, match="answered 504: the query ran past the 2 s time limit"):
        remote.run(strict, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    with pytest.raises(QueryLimit, match="more than 10 rows"):
        remote.run(endpoint, "SELECT * { ?s ?p ?o }", max_rows=10)
    with pytest.raises(QueryError, match="answered 413"):
        remote.run(endpoint, "SELECT * { ?s ?p ?o } #" + "x" * 1_000_000)
    with pytest.raises(EndpointError, match="not an http"):
        remote.run("file:///etc/passwd", "ASK {}")


def test_remote_unreachable_endpoint_exit_2_and_no_password_shown(endpoint):
    r = cli("query", "grades", "--endpoint", "http://127.0.0.1:9/query",
            env={"PEELGRAPH_ENDPOINT_USER": "analyst", "PEELGRAPH_ENDPOINT_PASSWORD": "s3cret"})
    assert r.returncode == 2
    assert r.stderr == "peelgraph: error: cannot reach http://127.0.0.1:9/query: Connection refused.\n"
    assert "s3cret" not in r.stderr + r.stdout


def test_remote_credentials_come_from_the_environment_and_answer_a_challenge(monkeypatch):
    """A server that asks for HTTP Basic credentials gets those of the environment, and only then answers."""
    import base64
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    seen = []

    class Guarded(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers.get("Authorization"))
            if self.headers.get("Authorization") != "Basic " + base64.b64encode(b"analyst:s3cret").decode():
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="sparql"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b'{"head": {}, "boolean": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Guarded)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    try:
        with pytest.raises(QueryError, match="answered 401"):
            remote.run(url, "ASK {}")
        monkeypatch.setenv(remote.ENV_USER, "analyst")
        monkeypatch.setenv(remote.ENV_PASSWORD, "s3cret")
        assert remote.run(url, "ASK {}").boolean is True
    finally:
        httpd.shutdown()
    assert seen[0] is None and seen[-1].startswith("Basic ")
