"""The command line as users meet it: exit codes, one-line errors, atomic builds, formats."""

import json
import os
import subprocess
import sys

import pytest
import variants as v
from click.testing import CliRunner

from peelgraph.cli import main


def run(*args, store=None):
    """Run the real console entry point in a fresh process."""
    env = dict(os.environ)
    if store is not None:
        env["PEELGRAPH_STORE"] = str(store)
    return subprocess.run([sys.executable, "-m", "peelgraph.cli", *map(str, args)], capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A store built from the seed, and the Turtle export."""
    d = tmp_path_factory.mktemp("built")
    r = run("build", "--store", d / "store", "--out", d / "graph.ttl")
    assert r.returncode == 0, r.stderr
    return d


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_build_prints_summary(built):
    r = run("build", "--store", built / "other")
    assert r.returncode == 0
    assert "Derbyshire Constabulary, PEEL 2021/22" in r.stdout
    assert "Investigating crime" in r.stdout and "Requires improvement" in r.stdout
    assert "areas for improvement 22" in r.stdout and "findings 40" in r.stdout


def test_cli_query_named_grades(built):
    r = cli("query", "grades", "--store", built / "store", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["rows"]
    assert len(rows) == 9
    assert {row["grade"] for row in rows} == {"Adequate", "Requires improvement"}


@pytest.mark.parametrize("fmt,check", [
    ("table", lambda out: out.splitlines()[0].split()[:2] == ["force", "cycle"]),
    ("csv", lambda out: out.splitlines()[0] == "force,cycle,area,grade" and len(out.splitlines()) == 10),
    ("tsv", lambda out: out.splitlines()[0] == "force\tcycle\tarea\tgrade"),
    ("json", lambda out: json.loads(out)["variables"] == ["force", "cycle", "area", "grade"]),
])
def test_cli_query_formats(built, fmt, check):
    r = cli("query", "grades", "--store", built / "store", "--format", fmt)
    assert r.exit_code == 0 and check(r.stdout), r.stdout


def test_cli_query_file_and_text(built, tmp_path):
    q = tmp_path / "afis.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a peel:AreaForImprovement }", encoding="utf-8")
    for arg in (q, q.read_text()):
        r = cli("query", arg, "--store", built / "store", "--format", "csv")
        assert r.stdout.splitlines() == ["n", "22"]


@pytest.mark.parametrize("name", ["grades", "factors", "root-causes", "causal-reach", "claims", "afis-by-area", "findings-by-polarity", "findings", "metrics",
                                  "metrics-vs-standards", "metrics-by-afi"])
def test_cli_ready_queries_return_rows(built, name):
    r = cli("query", name, "--store", built / "store", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["rows"], (name, r.output)


def test_cli_validate_passes(built):
    r = run("validate", "--store", built / "store")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("valid")


BAD_REPORTS = {
    "empty": lambda t: v.empty(),
    "binary": lambda t: v.binary(),
    "latin1": v.latin1,
    "not-a-report": lambda t: v.not_a_report(),
    "truncated": v.truncated,
    "no-grades": lambda t: v.no_grades(t, drop_sentences=True),
    "conflicting-grades": lambda t: v.conflicting_grades(t)[0],
    "pdf-bytes": lambda t: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
}


@pytest.mark.parametrize("name", BAD_REPORTS)
def test_cli_bad_report_exit_2_and_store_intact(name, built, seed_text, write_report, tmp_path):
    store = tmp_path / "store"
    assert run("build", "--store", store).returncode == 0
    before = cli("query", "grades", "--store", store, "--format", "csv").stdout
    r = run("build", write_report(BAD_REPORTS[name](seed_text)), "--store", store)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("peelgraph: error:"), r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert cli("query", "grades", "--store", store, "--format", "csv").stdout == before


@pytest.mark.parametrize("name,expect", [
    ("conflicting-grades", "conflicting grades"), ("truncated", "truncated"), ("no-grades", "no graded judgments"),
    ("latin1", "UTF-8"), ("binary", "binary"), ("empty", "empty"), ("not-a-report", "not look like a PEEL report"),
])
def test_cli_bad_report_message_says_what(name, expect, seed_text, write_report, tmp_path):
    r = cli("build", write_report(BAD_REPORTS[name](seed_text)), "--store", tmp_path / "s")
    assert r.exit_code == 2 and expect in r.stderr, r.stderr


@pytest.mark.parametrize("args,expect", [
    (["query", "SELECT ?x WHERE { ?x peel:grade "], "malformed SPARQL"),
    (["query", "no-such-query"], "unknown query"),
    (["build", "missing.txt"], "no such file"),
    (["build", "--out", "graph.xyz"], "unknown format"),
])
def test_cli_bad_usage_exit_2(built, args, expect):
    r = run(*args, "--store", built / "store")
    assert r.returncode == 2 and expect in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_cli_query_without_store_says_build_first(tmp_path):
    r = run("query", "grades", "--store", tmp_path / "none")
    assert r.returncode == 2 and "peelgraph build" in r.stderr


@pytest.mark.parametrize("suffix", [".ttl", ".trig", ".nq", ".jsonld"])
def test_cli_build_exports_are_byte_identical(suffix, tmp_path):
    outs = []
    for k, seed in enumerate(("1", "2")):
        out = tmp_path / f"g{k}{suffix}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        r = subprocess.run([sys.executable, "-m", "peelgraph.cli", "build", "--store", tmp_path / f"s{k}", "--out", out],
                           capture_output=True, env=env)
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and len(outs[0]) > 10000


def test_cli_help_lists_commands():
    r = cli("--help")
    for command in ("build", "add", "remove", "reports", "query", "validate", "queries"):
        assert command in r.stdout
