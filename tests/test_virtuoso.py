"""`peelgraph push` to a real Virtuoso (Debian's virtuoso-opensource) that the test starts with its own
database on loopback: every named graph written to its authenticated Graph Store endpoint (HTTP Digest,
credentials from the environment), a second push changes nothing, and `query --endpoint` on its /sparql
answers what the embedded store answers.

Skipped when Virtuoso is not installed, except in CI (CI=true), where that is a failure: .ci/run installs it.

Where Virtuoso's SPARQL differs from Oxigraph's without either being wrong, the comparison says so:
- SPARQL leaves the order of GROUP_CONCAT's values open (Oxigraph keeps the order it finds them in,
  Virtuoso sorts them): `factors` is compared as sets of phrasings;
- Virtuoso sums integers as decimals (2.0 where Oxigraph says 2; XPath says the sum of integers is an
  integer): numbers are compared as numbers;
- Virtuoso writes xsd:boolean as 1 and 0 (both are legal lexical forms; peelgraph reads them as true and false).
- Its default graph is every graph it holds, its own system graphs among them (the named queries only
  match peelgraph's terms, so they do not see those); graph counts are compared for peelgraph's graphs.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
from test_serve import free_port

from peelgraph import query

USER = "peelgraph-test"
GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), " \
         "'https://w3id.org/peelgraph/graph/')) } GROUP BY ?g"
SETS = {"factors": {"phrasings": " | "}}  # GROUP_CONCAT columns: their order is not SPARQL's to say


def program(name):
    found = shutil.which(name)
    if not found:
        why = f"{name} not found: apt-get install virtuoso-opensource to run the Virtuoso tests"
        if os.environ.get("CI") == "true":
            pytest.fail(why + " (.ci/run installs it)")
        pytest.skip(why)
    return found


class Virtuoso:
    """virtuoso-t in the foreground on a fresh database in ``folder``, SQL and HTTP on free loopback ports."""

    def __init__(self, folder):
        self.server, self.isql = program("virtuoso-t"), program("isql-vt")
        self.sql_port, http_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{http_port}"
        ini = folder / "virtuoso.ini"
        ini.write_text(f"""[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{self.sql_port}
DisableUnixSocket = 1
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
""")
        self.log = folder / "virtuoso.log"
        self.proc = subprocess.Popen([self.server, "+foreground", "+configfile", str(ini)], cwd=folder,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.url + "/sparql?query=ASK%7B%7D", timeout=5).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError("Virtuoso did not start:\n" + self.log.read_text(errors="replace")[-2000:])
                time.sleep(0.2)

    def sql(self, statements):
        r = subprocess.run([self.isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "Error" not in r.stdout + r.stderr, r.stdout + r.stderr

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """Virtuoso with a user that may write through the Graph Store endpoint (the SPARQL_UPDATE role); yields
    (server, the environment with that user's credentials)."""
    v = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    password = secrets.token_hex(8)
    try:
        v.sql(f"DB.DBA.USER_CREATE('{USER}', '{password}'); GRANT SPARQL_UPDATE TO \"{USER}\";")
        yield v, {"PEELGRAPH_ENDPOINT_USER": USER, "PEELGRAPH_ENDPOINT_PASSWORD": password}
    finally:
        v.stop()


def cli(*args, env=None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PEELGRAPH_ENDPOINT")}
    return subprocess.run([sys.executable, "-m", "peelgraph.cli", *map(str, args)], capture_output=True, text=True,
                          env={**clean, **(env or {})}, timeout=300)


def rows(out, name):
    """A query's JSON rows, in an order and a form that do not depend on the server (see the module's notes)."""
    found = []
    for row in json.loads(out)["rows"]:
        row = {k: float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for k, v in row.items()}
        for column, sep in SETS.get(name, {}).items():
            row[column] = sorted(row[column].split(sep))
        found.append(json.dumps(row, sort_keys=True))
    return sorted(found)


@pytest.fixture(scope="module")
def pushed(virtuoso, seed_store):
    """The seed store pushed twice: the two runs."""
    v, env = virtuoso
    return [cli("push", v.url + "/sparql-graph-crud-auth", "--store", seed_store, env=env) for _ in range(2)]


def test_virtuoso_push_twice_the_second_changes_nothing(pushed, open_seed_store):
    first, second = pushed
    local = {row[0].value: int(row[1].value) for row in query.run(open_seed_store, GRAPHS).rows}
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"{len(local)} created ({sum(local.values()):,} triples written)")
    assert all(f"{g}: created ({n:,} triples)" in first.stderr for g, n in local.items())
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"nothing changed: the {len(local)} graphs on the server already equal the store's."
    assert second.stderr.count(": unchanged (") == len(local)


def test_virtuoso_counts_per_graph_equal_the_store(virtuoso, pushed, seed_store):
    """Read back on the authenticated /sparql-auth: a SPARQL query answering a Digest challenge."""
    v, env = virtuoso
    on_server = cli("query", GRAPHS, "--endpoint", v.url + "/sparql-auth", "--format", "json", env=env)
    assert on_server.returncode == 0, on_server.stderr
    here = cli("query", GRAPHS, "--store", seed_store, "--format", "json")
    assert rows(on_server.stdout, "") == rows(here.stdout, "") != []


@pytest.mark.parametrize("name", [n for n in query.available() if not n.startswith("checks/")])
def test_virtuoso_named_query_equals_the_store(virtuoso, pushed, seed_store, name):
    v, _ = virtuoso
    on_server = cli("query", name, "--endpoint", v.url + "/sparql", "--format", "json")
    assert on_server.returncode == 0, on_server.stderr
    here = cli("query", name, "--store", seed_store, "--format", "json")
    assert rows(on_server.stdout, name) == rows(here.stdout, name)


def test_virtuoso_wrong_or_missing_credentials_are_one_clear_line(virtuoso, seed_store):
    v, env = virtuoso
    wrong = cli("push", v.url + "/sparql-graph-crud-auth", "--store", seed_store,
                env={**env, "PEELGRAPH_ENDPOINT_PASSWORD": "not-" + env["PEELGRAPH_ENDPOINT_PASSWORD"]})
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1, wrong.stderr
    assert "answered 401" in wrong.stderr and "refused the credentials" in wrong.stderr
    assert env["PEELGRAPH_ENDPOINT_PASSWORD"] not in wrong.stderr + wrong.stdout
    anonymous = cli("push", v.url + "/sparql-graph-crud-auth", "--store", seed_store)
    assert anonymous.returncode == 2 and "wants credentials: set PEELGRAPH_ENDPOINT_USER" in anonymous.stderr
