"""The parse cache (peelgraph/extract/parsecache.py): a cached parse answers every question the rules ask
exactly as spaCy's own parse does, a warm build finds the same claims without importing spaCy, and a broken or
disabled cache changes nothing but the time."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from peelgraph.extract import grammar, parsecache

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = Path(__file__).resolve().parent / "heldout"


def sentences(text: str) -> list[str]:
    from peelgraph.parse import parse_text

    doc = parse_text(text, "t")
    return [b.text[s:e] for b in doc.blocks if b.kind in ("paragraph", "item") for s, e in b.sentences()]


def attributes(t) -> tuple:
    return (t.i, t.idx, t.text, t.lower_, t.tag_, t.pos_, t.dep_, t.head.i, [c.i for c in t.children],
            [x.i for x in t.subtree], [a.i for a in t.ancestors], t.left_edge.i, t.right_edge.i, len(t.doc),
            [x.i for x in t.doc[t.i:]])


def test_cached_tokens_answer_as_spacy_tokens(tmp_path, monkeypatch, seed_text):
    monkeypatch.setenv("PEELGRAPH_CACHE", str(tmp_path))
    texts = sorted(set(sentences(seed_text) + sentences((HELDOUT / "northmoor-peel-2023-25.txt").read_text(encoding="utf-8"))))
    real = list(grammar.nlp().pipe(texts))
    cache = parsecache.Cache(grammar.MODEL)
    cache.put([(t, parsecache.rows(d)) for t, d in zip(texts, real)])
    again = parsecache.Cache(grammar.MODEL).get(texts)
    assert set(again) == set(texts) and len(texts) > 500
    for text, doc in zip(texts, real):
        assert [attributes(t) for t in parsecache.Doc(again[text])] == [attributes(t) for t in doc], text


def claims_json(env: dict, path: Path) -> tuple[str, str]:
    """`peelgraph claims --format json` in a fresh interpreter, how many sentences the parser parsed, and
    whether spaCy was imported in that interpreter and whether it started a parser process."""
    code = ("import sys, runpy; sys.argv = ['peelgraph', 'claims', sys.argv[1], '--format', 'json']\n"
            "try:\n    runpy.run_module('peelgraph.cli', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "from peelgraph.extract import grammar\n"
            "print(grammar.stats['parsed'], 'SPACY' if 'spacy' in sys.modules else 'NO SPACY',\n"
            "      'PARSER PROCESS' if grammar._helpers else 'NO PARSER PROCESS', file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stdout, r.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("report", ["eastvale-peel-2021-22.txt", "harrowdene-peel-2021-22.txt"])
def test_warm_run_finds_the_same_claims_without_spacy(tmp_path, report):
    env = dict(os.environ, PEELGRAPH_CACHE=str(tmp_path / "cache"))
    cold, cold_parsed = claims_json(env, HELDOUT / report)
    warm, warm_parsed = claims_json(env, HELDOUT / report)
    off, _ = claims_json(dict(env, PEELGRAPH_CACHE="off"), HELDOUT / report)
    assert int(cold_parsed.split()[0]) > 50 and cold_parsed.endswith(" PARSER PROCESS")
    assert warm_parsed == "0 NO SPACY NO PARSER PROCESS"  # the cache said it holds every sentence: none started
    assert cold == warm == off and len(json.loads(warm)["claims"]) > 50
    assert (tmp_path / "cache" / "parses.sqlite3").is_file()


def test_a_damaged_cache_warns_once_and_changes_nothing(tmp_path, seed_text):
    path = tmp_path / "r.txt"
    path.write_text(seed_text[:20000], encoding="utf-8")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "parses.sqlite3").write_bytes(b"not a database" * 100)
    damaged = subprocess.run([sys.executable, "-m", "peelgraph.cli", "claims", str(path), "--format", "json"],
                             capture_output=True, text=True, env=dict(os.environ, PEELGRAPH_CACHE=str(tmp_path / "cache")))
    off = subprocess.run([sys.executable, "-m", "peelgraph.cli", "claims", str(path), "--format", "json"],
                         capture_output=True, text=True, env=dict(os.environ, PEELGRAPH_CACHE="off"))
    assert damaged.returncode == 0 and damaged.stdout == off.stdout
    assert damaged.stderr.count("warning: parse cache") == 1 and "parsing without it" in damaged.stderr


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PEELGRAPH_CACHE", "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert parsecache.location() is None
    parsecache.Cache(grammar.MODEL).put([("A test.", parsecache.rows(grammar.nlp()("A test.")))])
    assert not any(tmp_path.rglob("*"))


def test_the_parser_process_parses_as_spacy_does(seed_text):
    texts = sentences(seed_text)[:300] + ["", "A short one.", "Curly \u201cquotes\u201d and caf\u00e9s \u2013 here."]
    helper = grammar._Helper()
    try:
        assert helper.parse(texts) == [parsecache.rows(d) for d in grammar.nlp().pipe(texts)]
        assert helper.parse(["Again, the same process answers."]) == [parsecache.rows(grammar.nlp()("Again, the same process answers."))]
    finally:
        helper.close()


def test_the_parser_process_loads_spacy_without_its_command_line():
    """The parser process keeps spaCy's command line (typer, requests, weasel) out of its import, a third of
    the import's time; the pipeline it then loads is the one the build uses."""
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(Path(grammar.__file__).parent)!r})\n"
        "import parseproc\n"
        "parseproc.without_cli()\n"
        "import spacy\n"
        f"nlp = spacy.load({grammar.MODEL!r}, exclude={grammar.UNUSED!r})\n"
        "print(json.dumps([nlp.pipe_names, sorted(m for m in ('typer', 'requests', 'weasel', 'httpx') if m in sys.modules)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [grammar.nlp().pipe_names, []]


def test_a_parser_process_that_dies_or_cannot_load_leaves_the_parse_to_this_process(seed_text, monkeypatch):
    texts = sentences(seed_text)[:50]
    expected = [parsecache.rows(d) for d in grammar.nlp().pipe(texts)]
    dead = grammar._Helper()
    dead.proc.kill()
    dead.proc.wait()
    monkeypatch.setattr(grammar, "MODEL", "no_such_model")
    unloadable = grammar._Helper()
    monkeypatch.undo()
    for helper in (dead, unloadable):
        monkeypatch.setattr(grammar, "_helpers", [helper])
        assert helper.parse(texts) is None and helper.proc is None  # it answered nothing usable and was closed
        assert [parsecache.rows(d) for d in grammar._pipe(texts)] == expected


def test_sentences_are_split_between_parser_processes_and_a_failed_part_parsed_here(seed_text, monkeypatch):
    texts = sentences(seed_text)[:120]
    expected = [parsecache.rows(d) for d in grammar.nlp().pipe(texts)]
    good = grammar._Helper()
    monkeypatch.setattr(grammar, "MODEL", "no_such_model")
    unloadable = grammar._Helper()
    monkeypatch.undo()
    two = [grammar._Helper(), grammar._Helper()]
    try:
        assert [parsecache.rows(d) for d in grammar._parses(texts, two)] == expected
        assert all(h.alive() for h in two)
        with monkeypatch.context() as m:  # one sentence for two processes: the idle one sends nothing to spaCy here
            m.setattr(grammar, "nlp", lambda: pytest.fail("parsed in this process"))
            assert [parsecache.rows(d) for d in grammar._parses(texts[:1], two)] == expected[:1]
        assert [parsecache.rows(d) for d in grammar._parses(texts, [unloadable, good])] == expected
        assert good.alive() and not unloadable.alive()
    finally:
        for h in (good, unloadable, *two):
            h.close()
