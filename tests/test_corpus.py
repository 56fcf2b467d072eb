"""A corpus of reports: built in worker processes or one at a time, added and removed report by report,
killed half way. The same reports always give the same store and the same export."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import scoring
import variants as v
from test_cycles import renamed, second_cycle

from peelgraph import build, store
from peelgraph.extract import grammar

HELDOUT = sorted((Path(__file__).parent / "heldout").glob("*.txt"))


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "peelgraph.cli", *map(str, args)], capture_output=True, text=True, **kw)


def ok(*args):
    r = run(*args)
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def reports(tmp_path_factory, seed_text):
    """Six reports: the seed, the three held-out ones, and two cycles of one force (linked across cycles)."""
    folder = tmp_path_factory.mktemp("corpus")
    first = renamed(seed_text)
    (folder / "wessex-2021-22.txt").write_text(first, encoding="utf-8")
    (folder / "wessex-2023-25.txt").write_text(second_cycle(first), encoding="utf-8")
    for p in [scoring.SEED, *HELDOUT]:
        (folder / p.name).write_bytes(p.read_bytes())
    return folder


def nquads(path: Path) -> list[bytes]:
    """The store's content: its N-Quads lines, sorted."""
    return sorted(store.dump_nquads(store.open_store(path)).splitlines())


@pytest.fixture(scope="module")
def built(reports, tmp_path_factory):
    """The six reports built at once with one worker; the store and its N-Quads export."""
    d = tmp_path_factory.mktemp("built")
    ok("build", reports, "--store", d / "store", "--out", d / "graph.nq", "--jobs", "1")
    return d / "store", sorted((d / "graph.nq").read_bytes().splitlines()), (d / "graph.nq").read_bytes()


def test_corpus_jobs_do_not_change_the_export_or_the_store(reports, built, tmp_path):
    r = ok("build", reports, "--store", tmp_path / "store", "--out", tmp_path / "graph.nq", "--jobs", "2")
    assert (tmp_path / "graph.nq").read_bytes() == built[2]
    assert nquads(tmp_path / "store") == built[1] == nquads(built[0])
    assert b"/cycles>" in built[2] and len(built[1]) == len(store.open_store(built[0]))
    assert f"store: {len(store.open_store(built[0]))} quads" in r.stdout
    assert r.stderr == ""  # no progress bar when stderr is not a terminal


def test_corpus_add_report_by_report_gives_the_store_built_at_once(reports, built, tmp_path):
    files = sorted(reports.glob("*.txt"))
    later = reports / "wessex-2023-25.txt"
    first = [f for f in files if f != later]
    ok("build", *first[:2], "--store", tmp_path / "s")
    ok("add", *first[2:], "--store", tmp_path / "s", "--jobs", "2")
    r = ok("add", later, "--store", tmp_path / "s")
    assert "added or replaced wessex/2023-25" in r.stdout
    assert nquads(tmp_path / "s") == built[1]


def test_corpus_add_skips_unchanged_files(reports, built, tmp_path):
    ok("build", reports, "--store", tmp_path / "s")
    r = ok("add", reports / "wessex-2021-22.txt", "--store", tmp_path / "s")
    assert r.stdout.strip() == f"skipped {reports / 'wessex-2021-22.txt'}: the store already holds this text"
    assert nquads(tmp_path / "s") == built[1]


def test_corpus_add_replaces_the_report_of_the_same_force_and_cycle(reports, tmp_path, seed_text):
    ok("build", reports, "--store", tmp_path / "s")
    regraded = tmp_path / "wessex-regraded.txt"
    regraded.write_text(v.regrade(renamed(seed_text), {"Investigating crime": "Adequate"}), encoding="utf-8")
    ok("add", regraded, "--store", tmp_path / "s")
    listed = json.loads(ok("reports", "--store", tmp_path / "s", "--format", "json").stdout)["rows"]
    assert [r["source"] for r in listed if r["report"] == "wessex/2021-22"] == ["wessex-regraded.txt"]
    assert len(listed) == 6
    grades = json.loads(ok("query", "grade-changes", "--store", tmp_path / "s", "--format", "json").stdout)["rows"]
    changed = {r["area"] for r in grades if r["change"] != "same"}
    assert len(changed) == 1 and "Investigating crime" not in changed  # it was the second of the two changes


def test_corpus_remove_drops_the_report_and_its_links(reports, tmp_path):
    later = reports / "wessex-2023-25.txt"
    ok("build", *[f for f in sorted(reports.glob("*.txt")) if f != later], "--store", tmp_path / "a")
    ok("build", reports, "--store", tmp_path / "b")
    r = ok("remove", "Wessex Police/2023–25", "--store", tmp_path / "b")
    assert r.stdout.strip() == "removed wessex/2023-25"
    assert nquads(tmp_path / "b") == nquads(tmp_path / "a")
    ok("remove", "wessex/2021-22", "--store", tmp_path / "b")
    assert "wessex" not in ok("reports", "--store", tmp_path / "b").stdout


def test_corpus_reports_lists_what_the_store_holds(reports, built):
    rows = json.loads(ok("reports", "--store", built[0], "--format", "json").stdout)["rows"]
    assert [r["report"] for r in rows] == ["derbyshire/2021-22", "eastvale/2021-22", "harrowdene/2021-22",
                                           "northmoor/2023-25", "wessex/2021-22", "wessex/2023-25"]
    seed = next(r for r in rows if r["report"] == "derbyshire/2021-22")
    assert seed["source"] == scoring.SEED.name and seed["cycle"] == "2021/22"
    assert seed["sha256"] == __import__("hashlib").sha256(scoring.SEED.read_bytes()).hexdigest()
    assert (seed["afis"], seed["findings"], seed["judgments"]) == (22, 40, 14)
    table = ok("reports", "--store", built[0]).stdout
    assert table.splitlines()[0].split()[:5] == ["report", "force", "cycle", "source", "sha256"]


BAD = {
    "empty": lambda t: v.empty(),
    "binary": lambda t: v.binary(),
    "latin1": v.latin1,
}


@pytest.fixture
def small(tmp_path):
    """A store of the seed, and its content."""
    ok("build", scoring.SEED, "--store", tmp_path / "s")
    return tmp_path / "s", nquads(tmp_path / "s")


@pytest.mark.parametrize("name", BAD)
def test_corpus_add_bad_input_exit_2_store_unchanged(name, small, seed_text, write_report):
    r = run("add", write_report(BAD[name](seed_text), name=f"{name}.txt"), "--store", small[0])
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("peelgraph: error:") and r.stdout == ""
    assert nquads(small[0]) == small[1] and not store.stale(small[0])


def test_corpus_add_two_files_of_one_force_and_cycle_exit_2(small, tmp_path, seed_text):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(renamed(seed_text), encoding="utf-8")
    b.write_text(v.regrade(renamed(seed_text), {"Investigating crime": "Good"}), encoding="utf-8")
    r = run("add", a, b, "--store", small[0])
    assert r.returncode == 2 and "both the PEEL 2021/22 inspection of Wessex Police" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert nquads(small[0]) == small[1] and not store.stale(small[0])


@pytest.mark.parametrize("key", ["wessex/2021-22", "derbyshire/2023-25", "derbyshire", ""])
def test_corpus_remove_unknown_report_exit_2(small, key):
    r = run("remove", key, "--store", small[0])
    assert r.returncode == 2 and "no such report" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert nquads(small[0]) == small[1]


def test_corpus_add_without_store_says_build_first(tmp_path):
    r = run("add", scoring.SEED, "--store", tmp_path / "none")
    assert r.returncode == 2 and "peelgraph build" in r.stderr


def _kill_when(proc, ready, limit=120):
    """SIGKILL the process (alone: its workers are left to notice) as soon as ready() holds."""
    end = time.monotonic() + limit
    while not ready():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "never got there"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def _ssts(folder: Path) -> int:
    try:
        return sum(1 for f in folder.iterdir() if f.suffix == ".sst")
    except FileNotFoundError:
        return 0


def _writing(path: Path, loaded: bool):
    """Has a write begun (a fresh store folder), or with ``loaded`` has it bulk-loaded files of its own (more
    than the store has: an add starts from a checkpoint of it)?"""
    held = _ssts(path)
    return lambda: any(not loaded or _ssts(p) > held for p in store.stale(path))


@pytest.mark.parametrize("loaded", [False, True], ids=["begun", "loading"])
@pytest.mark.parametrize("command", ["build", "add"])
def test_corpus_kill_9_leaves_the_previous_store(command, loaded, small, reports, tmp_path):
    grades = ok("query", "grades", "--store", small[0], "--format", "csv").stdout
    files = sorted(reports.glob("*.txt"))
    proc = subprocess.Popen([sys.executable, "-m", "peelgraph.cli", command, *map(str, files), "--store", str(small[0]),
                             "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _kill_when(proc, _writing(small[0], loaded))
        assert proc.returncode == -signal.SIGKILL
        assert store.stale(small[0])  # the killed write's folder, left behind
        assert ok("query", "grades", "--store", small[0], "--format", "csv").stdout == grades
        assert nquads(small[0]) == small[1]
        assert not store.stale(small[0])  # cleaned by the next command
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # any worker still finishing its report
        except ProcessLookupError:
            pass


def test_corpus_interrupted_swap_is_finished_on_next_open(small):
    path, content = small
    os.replace(path, path.with_name(f".{path.name}.old"))  # as a kill between the two renames leaves it
    (path.parent / f".{path.name}.new-x").mkdir()
    assert nquads(path) == content and not store.stale(path)
    assert not path.with_name(f".{path.name}.old").exists()


def test_corpus_parse_cache_gives_the_fresh_parse(seed_text, monkeypatch):
    from peelgraph.graph import document_quads

    from conftest import extract_text

    monkeypatch.setenv("PEELGRAPH_CACHE", "off")  # the process's own cache (the one on disk: test_parsecache.py)
    grammar._cache.clear()
    before = dict(grammar.stats)
    fresh = document_quads(extract_text(seed_text))
    parsed = grammar.stats["parsed"] - before["parsed"]
    again = document_quads(extract_text(seed_text))
    assert parsed > 200 and grammar.stats["parsed"] - before["parsed"] - parsed <= 2  # a text twice in one report
    assert grammar.stats["reused"] - before["reused"] >= parsed - 2  # is parsed twice
    assert again == fresh
    assert all(k[0] == grammar.model_id() for k in grammar._cache) and "3.8" in grammar.model_id()


def test_corpus_progress_bar_on_request(reports, tmp_path, capsys):
    build.build([reports / "wessex-2021-22.txt", scoring.SEED], tmp_path / "s", jobs=1, progress=True)
    assert "0/2" in capsys.readouterr().err


def test_corpus_a_load_that_fails_in_the_background_fails_the_build(tmp_path):
    """The loader's thread hands its error to the building thread, which stops and loads nothing more."""
    import pyoxigraph as ox

    st = ox.Store(str(tmp_path / "s"))
    good = b"<urn:a> <urn:b> <urn:c> <urn:g> .\n"
    loader = build._Loader(st, background=True)
    loader.add(b"<urn:a> <urn:b> this is not N-Quads .\n")
    with pytest.raises(SyntaxError):
        loader.flush()
    assert len(st) == 0
    loader = build._Loader(st, background=True)
    loader.add(good)
    loader.flush()
    assert len(st) == 1


def rocksdb_errors(path: Path) -> list[str]:
    """RocksDB's own error lines in the store's log (it writes one when it closes in a folder renamed away)."""
    return [line for line in (path / "LOG").read_text(errors="replace").splitlines() if "[ERROR]" in line]


def test_corpus_the_store_closes_in_its_folder_before_the_swap(reports, tmp_path):
    """A written store is closed before its folder is renamed into place: RocksDB writes its MANIFEST when it
    closes, and after the rename that failed (with errors in its log, and a stall of about a second)."""
    s = tmp_path / "s"
    ok("build", reports / "wessex-2021-22.txt", "--store", s)
    assert rocksdb_errors(s) == []
    ok("add", *HELDOUT, "--store", s)
    assert rocksdb_errors(s) == []
    ok("remove", "wessex/2021-22", "--store", s)
    assert rocksdb_errors(s) == []
    assert len(json.loads(ok("reports", "--store", s, "--format", "json").stdout)["rows"]) == len(HELDOUT)


def test_corpus_a_store_still_held_is_not_swapped_in(small):
    """If anything kept the Store being written, it could not be closed before the swap: the write is refused
    and the old store stays as it was."""
    path, content = small
    kept = []
    with pytest.raises(RuntimeError, match="still held"):  # a bug of ours: exit 3, not bad input
        with store.writing(path, copy=True) as st:
            st.clear()
            kept.append(st._st)
    kept.clear()
    assert nquads(path) == content and not store.stale(path)
