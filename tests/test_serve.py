"""`peelgraph serve` with the real Oxigraph server behind peelgraph's guard: the same answers as `peelgraph
query`, and none of what a shared endpoint must not do (Update, SERVICE, endless or huge queries)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from test_query_safety import CARTESIAN, Listener

from peelgraph import query

TIMEOUT = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`peelgraph serve` in its own process, ready when it says where it listens."""

    def __init__(self, store, *args):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "peelgraph.cli", "serve", "--store", str(store),
                                      "--port", str(self.port), *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.banner = self.proc.stderr.readline()
        if "serving SPARQL" not in self.banner:
            self.proc.kill()
            raise AssertionError(self.banner + self.proc.stderr.read())
        self.backend_pid = int(self.banner.split("Oxigraph server pid ")[1].split(";")[0])

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(10)


@pytest.fixture(scope="module")
def server(seed_store):
    """With the default time limit: some named queries take seconds on a busy machine."""
    s = Server(seed_store)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def strict(seed_store):
    """With a short time limit."""
    s = Server(seed_store, "--timeout", TIMEOUT)
    yield s
    s.stop()


def http(url, data=None, headers=None, method=None):
    """(status, body text) of one request, errors included."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def post_query(server, text, **kw):
    return http(server.url + "/query", text.encode("utf-8"),
                {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}, **kw)


def solutions(doc: dict) -> list[tuple]:
    """SPARQL JSON results as sorted tuples of pyoxigraph terms, so that equal answers compare equal."""
    parsed = ox.parse_query_results(json.dumps(doc), ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return [(bool(parsed),)]
    names = [v.value for v in parsed.variables]
    return sorted((tuple(str(s[n]) for n in names) for s in parsed), key=repr)


def count(server) -> int:
    status, body = post_query(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_serve_most_named_queries_have_rows_on_the_seed(open_seed_store):
    """So that the comparison below compares something."""
    names = [n for n in query.available() if not n.startswith("checks/")]
    with_rows = [n for n in names if query.run(open_seed_store, query.resolve(n)).rows]
    assert len(with_rows) >= len(names) - 3 and "grades" in with_rows


@pytest.mark.parametrize("name", list(query.available()))
def test_serve_sparqlwrapper_gets_the_same_rows_as_query(server, open_seed_store, name):
    text = query.resolve(name)
    client = SPARQLWrapper(server.url + "/query")
    client.setQuery(text)
    client.setReturnFormat(JSON)
    client.setMethod(POST)
    remote = client.query().convert()
    local = json.loads(query.render(query.run(open_seed_store, text), "sparql-json"))
    assert remote["head"]["vars"] == local["head"]["vars"]
    assert solutions(remote) == solutions(local)


@pytest.mark.parametrize("how", ["form", "sparql-update", "update-path", "get"])
@pytest.mark.parametrize("update", ["DELETE WHERE { ?s ?p ?o }",
                                    "INSERT DATA { GRAPH <http://g> { <http://a> <http://b> <http://c> } }"])
def test_serve_update_fails_and_changes_nothing(server, seed_store, how, update):
    before = count(server)
    if how == "form":
        status, body = http(server.url + "/query", urllib.parse.urlencode({"update": update}).encode())
    elif how == "sparql-update":
        status, body = http(server.url + "/query", update.encode(), {"Content-Type": "application/sparql-update"})
    elif how == "update-path":
        status, body = http(server.url + "/update", urllib.parse.urlencode({"update": update}).encode())
    else:
        status, body = http(server.url + "/query?" + urllib.parse.urlencode({"query": update}))
    assert status in (400, 403) and ("read-only" in body or "Update is refused" in body)
    assert count(server) == before > 20000


def test_serve_service_to_a_loopback_listener_is_never_contacted(server):
    listener = Listener()
    try:
        text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
        for status, body in (post_query(server, text),
                             http(server.url + "/query?" + urllib.parse.urlencode({"query": text})),
                             http(server.url + "/sparql", urllib.parse.urlencode({"query": text}).encode())):
            assert status == 400 and body.startswith("SERVICE (federated query) is refused")
        time.sleep(0.2)
        assert listener.connections == 0
    finally:
        listener.close()


def test_serve_cartesian_product_stops_at_the_timeout(strict):
    started = time.monotonic()
    status, body = post_query(strict, CARTESIAN)
    took = time.monotonic() - started
    assert status == 504 and body.strip() == f"the query ran past the {TIMEOUT} s time limit and was stopped; narrow it."
    assert TIMEOUT - 0.5 < took < TIMEOUT + 5
    assert post_query(strict, query.resolve("grades"))[0] == 200  # and the endpoint goes on answering
    # the Oxigraph server does not cancel this one itself, so the front restarts it, which stops it
    deadline = time.monotonic() + 15
    while Path(f"/proc/{strict.backend_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Path(f"/proc/{strict.backend_pid}").exists()
    assert post_query(strict, query.resolve("grades"))[0] == 200


def test_serve_a_query_that_the_oxigraph_server_cancels_does_not_restart_it(strict):
    pid = _backend_pid(strict)
    status, body = post_query(strict, 'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) = CONCAT(STR(?f), "!")) }')
    assert status == 504, body
    time.sleep(4)
    assert _backend_pid(strict) == pid


def _backend_pid(server) -> int:
    """The Oxigraph server's pid now (it changes when the front restarts it): the child of peelgraph serve."""
    children = [c for t in Path(f"/proc/{server.proc.pid}/task").iterdir() for c in (t / "children").read_text().split()]
    return int(children[0])


def test_serve_megabyte_query_gets_a_clear_error(server):
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 1_000_000
    status, body = post_query(server, big)
    assert status == 413 and "the limit is 65,536" in body
    status, body = http(server.url + "/query", urllib.parse.urlencode({"query": big}).encode())
    assert status == 413 and "the limit is 65,536" in body
    status, _ = http(server.url + "/query?" + urllib.parse.urlencode({"query": big}))
    assert status == 414  # Request-URI Too Long
    assert post_query(server, "ASK { ?s ?p ?o }")[0] == 200


def test_serve_query_page_lists_the_named_queries_and_loads_nothing_from_elsewhere(server):
    status, page = http(server.url + "/")
    assert status == 200 and "<textarea" in page
    for name in query.available():
        if not name.startswith("checks/"):
            assert f'<option value="{name}">' in page
    assert "http://" not in page and "https://" not in page and " src=" not in page and "<link" not in page


def cli(*args):
    return subprocess.run([sys.executable, "-m", "peelgraph.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=60)


def test_serve_refuses_a_non_loopback_host_without_the_flag(seed_store):
    r = cli("serve", "--store", seed_store, "--host", "0.0.0.0", "--port", free_port())
    assert r.returncode == 2
    assert r.stderr == ("peelgraph: error: refusing to listen on 0.0.0.0: only loopback addresses by default; "
                        "pass --allow-remote to share the endpoint beyond this machine.\n")


def test_serve_non_loopback_host_with_the_flag_warns(seed_store):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "peelgraph.cli", "serve", "--store", str(seed_store), "--host",
                             "0.0.0.0", "--port", str(port), "--allow-remote"], stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr.readline().startswith("warning: listening on 0.0.0.0")
        assert "serving SPARQL" in proc.stderr.readline()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


def test_serve_port_taken_and_store_missing_are_clear_errors(seed_store, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        r = cli("serve", "--store", seed_store, "--port", taken.getsockname()[1])
    assert r.returncode == 2 and r.stderr.startswith("peelgraph: error: cannot listen on 127.0.0.1:")
    assert "pass another --port" in r.stderr and r.stderr.count("\n") == 1
    r = cli("serve", "--store", tmp_path / "nothing", "--port", free_port())
    assert r.returncode == 2 and r.stderr.startswith("peelgraph: error: no graph store at")


def test_serve_sigterm_stops_both_processes(seed_store):
    s = Server(seed_store)
    assert post_query(s, "ASK { ?s ?p ?o }")[0] == 200
    assert Path(f"/proc/{s.backend_pid}").exists()
    assert s.stop() == 0
    assert s.proc.stderr.read().strip() == "stopping"
    deadline = time.monotonic() + 5
    while Path(f"/proc/{s.backend_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{s.backend_pid}").exists()


def test_serve_ctrl_c_stops_both_processes(seed_store):
    s = Server(seed_store)
    s.proc.send_signal(signal.SIGINT)
    assert s.proc.wait(10) in (0, 130)
    time.sleep(0.2)
    assert not Path(f"/proc/{s.backend_pid}").exists() or "zombie" in Path(f"/proc/{s.backend_pid}/status").read_text()


def test_serve_killed_takes_the_oxigraph_server_with_it(seed_store):
    s = Server(seed_store)
    s.proc.kill()
    s.proc.wait(10)
    deadline = time.monotonic() + 5
    while Path(f"/proc/{s.backend_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{s.backend_pid}").exists()


def test_serve_recycles_the_oxigraph_server_without_dropping_a_query(seed_store):
    """Every RECYCLE_EVERY answers a fresh Oxigraph server takes over (the old one keeps a thread per query)."""
    import http.client

    from peelgraph.server import RECYCLE_EVERY

    s = Server(seed_store)
    try:
        first = s.backend_pid
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        statuses = []
        for _ in range(RECYCLE_EVERY + 20):
            conn.request("POST", "/query", body=b"ASK { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query"})
            resp = conn.getresponse()
            resp.read()
            statuses.append(resp.status)
        assert set(statuses) == {200}
        deadline = time.monotonic() + 10
        while Path(f"/proc/{first}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(f"/proc/{first}").exists()  # the old one was ended once idle
        assert _backend_pid(s) != first
    finally:
        s.stop()


def test_serve_a_query_past_the_memory_budget_is_stopped_with_a_503(seed_store):
    """DISTINCT over a cartesian product holds every row it has seen: the Oxigraph server's memory grows
    until the front ends it, answers 503 (not a hang, not a retry), and goes on answering."""
    s = Server(seed_store, "--memory", 128)
    try:
        first = s.backend_pid
        started = time.monotonic()
        status, body = post_query(s, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?c ?d WHERE "
                                     "{ ?a ?p ?b . ?c ?q ?d } }")
        assert status == 503 and "past its 128 MB memory budget" in body, body
        assert time.monotonic() - started < 25  # well before the 30 s time limit
        deadline = time.monotonic() + 10
        while Path(f"/proc/{first}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(f"/proc/{first}").exists()
        assert post_query(s, query.resolve("grades"))[0] == 200
    finally:
        s.stop()


def test_serve_slow_queries_cannot_keep_the_quick_ones_waiting(seed_store):
    """Once a query was slow, copies of it may take all the slots but one: with one copy per slot sent, a
    quick query is still answered at once (it would wait for a slot, until the time limit, if the slow ones
    could take them all)."""
    from concurrent.futures import ThreadPoolExecutor

    from peelgraph.server import WORKERS

    s = Server(seed_store, "--timeout", TIMEOUT)
    slow = 'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) = CONCAT(STR(?f), "?")) }'  # cancelled at the limit
    try:
        assert post_query(s, slow)[0] == 504  # now known to be slow
        with ThreadPoolExecutor(WORKERS) as pool:
            copies = [pool.submit(post_query, s, slow) for _ in range(WORKERS)]
            time.sleep(0.5)
            started = time.monotonic()
            status, body = post_query(s, query.resolve("grades"))
            took = time.monotonic() - started
            statuses = sorted(f.result()[0] for f in copies)
        assert status == 200 and took < TIMEOUT - 1, (status, took)
        assert set(statuses) <= {503, 504} and 504 in statuses
    finally:
        s.stop()
