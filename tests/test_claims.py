"""peelgraph claims: the causal claims of any text, each part quoted exactly with offsets into the text as read."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from peelgraph.claims import COLUMNS, LONG, records, render
from peelgraph.cli import main

# Written for these tests (not from a report): one asserted, one hedged and one predicted claim, and a
# sentence with no cue at all.
PARAGRAPH = (
    "The force has too few detectives. This means that investigations take longer.\n"
    "Victims may lose confidence because officers don't update them.\n\n"
    "The team meets every Tuesday.\n\n"
    "If the force doesn't recruit more call handlers, it will miss its answering targets.\n"
)
# The same with CRLF line ends, curly quotes and a sentence hard-wrapped over two lines.
CURLY = (
    "The force has too few detectives. This means that investigations take longer.\r\n"
    "Victims may lose confidence because officers don\u2019t update\r\nthem.\r\n\r\n"
    "The team meets every Tuesday.\r\n\r\n"
    "If the force doesn\u2019t recruit more \u201ccall handlers\u201d, it will miss its answering targets.\r\n"
)
PARTS = ("cause", "effect", "cue", "sentence")


def invoke(*args, data: bytes | None = None):
    return CliRunner().invoke(main, ["claims", *map(str, args)], input=data)


def run(*args, data: bytes | None = None):
    """The real console entry point in a fresh process, so stderr is a real stream."""
    return subprocess.run([sys.executable, "-m", "peelgraph.cli", "claims", *map(str, args)], input=data,
                          capture_output=True, timeout=600, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def assert_exact(source: str, claims: list[dict]):
    for c in claims:
        assert set(c) == {"cause", "effect", "cue", "modality", "sentence", "rule"}
        assert c["modality"] in ("asserted", "hedged", "predicted") and c["rule"]
        for part in PARTS:
            assert set(c[part]) == {"text", "start", "end"}
            assert source[c[part]["start"]:c[part]["end"]] == c[part]["text"], (part, c)
        s = c["sentence"]
        assert all(s["start"] <= c[p]["start"] and c[p]["end"] <= s["end"] for p in ("cause", "effect", "cue"))


def test_claims_json_shape_and_exact_offsets(tmp_path):
    path = tmp_path / "paragraph.txt"
    path.write_bytes(PARAGRAPH.encode("utf-8"))
    r = invoke(path, "--format", "json")
    assert r.exit_code == 0, r.output
    claims = json.loads(r.stdout)["claims"]
    assert_exact(PARAGRAPH, claims)
    assert sorted(c["modality"] for c in claims) == ["asserted", "hedged", "predicted"]
    means = next(c for c in claims if c["cue"]["text"] == "means that")
    assert (means["cause"]["text"], means["effect"]["text"], means["modality"]) == (
        "The force has too few detectives", "investigations take longer", "asserted")
    assert means["cause"]["start"] == 0 and means["sentence"]["text"] == PARAGRAPH.split("\n")[0]
    assert [c["sentence"]["start"] for c in claims] == sorted(c["sentence"]["start"] for c in claims)


def test_claims_crlf_and_curly_quotes_offsets_point_into_the_text_as_read(tmp_path):
    path = tmp_path / "curly.txt"
    path.write_bytes(CURLY.encode("utf-8"))
    claims = json.loads(invoke(path, "--format", "json").stdout)["claims"]
    assert_exact(CURLY, claims)
    plain = records(PARAGRAPH)
    assert [(c["modality"], c["rule"]) for c in claims] == [(c["modality"], c["rule"]) for c in plain]
    hedged = next(c for c in claims if c["modality"] == "hedged")
    assert hedged["cause"]["text"] == "officers don\u2019t update\r\nthem"  # as written, not folded or unwrapped
    predicted = next(c for c in claims if c["modality"] == "predicted")
    assert "\u201ccall handlers\u201d" in predicted["cause"]["text"]


def test_claims_offsets_skip_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + PARAGRAPH.encode("utf-8"))
    claims = json.loads(invoke(path, "--format", "json").stdout)["claims"]
    assert claims == records(PARAGRAPH)


@pytest.mark.parametrize("args", [[], ["-"]], ids=["no-file", "dash"])
def test_claims_reads_stdin(args):
    r = invoke(*args, "--format", "json", data=CURLY.encode("utf-8"))
    assert r.exit_code == 0, r.output
    claims = json.loads(r.stdout)["claims"]
    assert len(claims) == 3
    assert_exact(CURLY, claims)


def test_claims_tsv_has_a_header_and_one_flat_row_per_claim():
    r = invoke("--format", "tsv", data=CURLY.encode("utf-8"))
    lines = r.stdout.rstrip("\n").split("\n")
    assert lines[0].split("\t") == COLUMNS
    rows = [dict(zip(COLUMNS, line.split("\t"))) for line in lines[1:]]
    assert len(rows) == 3 and all(len(line.split("\t")) == len(COLUMNS) for line in lines)
    for row in rows:
        for part in PARTS:
            start, end = int(row[f"{part}_start"]), int(row[f"{part}_end"])
            assert row[part] == CURLY[start:end].replace("\r", " ").replace("\n", " ")  # same length, no breaks


def test_claims_table_is_readable():
    r = invoke(data=PARAGRAPH.encode("utf-8"))
    lines = r.stdout.rstrip("\n").split("\n")
    assert lines[0].split() == ["modality", "cue", "cause", "at", "effect", "at", "sentence", "at"]
    assert lines[-1] == "(3 claims)" and len(lines) == 6
    assert any(line.startswith("hedged") and "because" in line for line in lines)


@pytest.mark.parametrize("fmt,expect", [("json", '{\n "claims": []\n}\n'), ("tsv", "\t".join(COLUMNS) + "\n")])
def test_claims_text_without_claims_prints_an_empty_list(fmt, expect):
    r = invoke("--format", fmt, data=b"The team meets every Tuesday.\n")
    assert r.exit_code == 0 and r.stdout == expect


@pytest.mark.parametrize("name,data,expect", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b" \r\n\n", "empty"),
    ("binary.dat", bytes(range(256)) * 4, "binary"),
    ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    ("cp1252.txt", "The force\u2019s staff are tired. This means that they make mistakes.".encode("cp1252"), "UTF-8"),
])
def test_claims_bad_input_exit_2_with_one_line(tmp_path, name, data, expect):
    path = tmp_path / name
    path.write_bytes(data)
    for r in (run(path), run("-", data=data)):
        err = r.stderr.decode("utf-8")
        assert r.returncode == 2 and r.stdout == b"", err
        assert len(err.strip().splitlines()) == 1 and err.startswith("peelgraph: error:") and expect in err, err
        assert "Traceback" not in err


def test_claims_missing_file_exit_2(tmp_path):
    r = run(tmp_path / "nowhere.txt")
    assert r.returncode == 2 and r.stderr.decode().strip().splitlines() == [
        f"peelgraph: error: {tmp_path / 'nowhere.txt'}: cannot read (No such file or directory)."]


SENTENCES = [
    "The {team} in {place} has too few investigators. This means that victims in {place} wait longer for updates.",
    "Officers in {place} may miss risks because the {team} doesn't always check the records.",
    "If the {team} doesn't review its caseload in {place}, it will fall further behind.",
    "As a result of high sickness absence, the {team} in {place} often cancels its training days.",
    "The {team} meets the {place} council every month and shares its plans.",
    "Delays in {place} could lead to the loss of evidence.",
    "We found that the {team} in {place} was proud of its work and knew its community well.",
]
TEAMS = ["control room", "public protection unit", "neighbourhood team", "case review team", "custody team"]
PLACES = ["the north", "the city", "rural districts", "the coast", "the east", "the valleys", "the market towns"]


def long_prose(size: int) -> str:
    """Varied paragraphs of four sentences, repeated until the text is at least ``size`` characters."""
    out, n, k = [], 0, 0
    while n < size:
        para = " ".join(SENTENCES[(k + j) % len(SENTENCES)].format(team=TEAMS[(k // 7 + j) % len(TEAMS)],
                                                                     place=PLACES[(k + 3 * j) % len(PLACES)])
                        for j in range(4))
        out.append(para)
        n += len(para) + 2
        k += 1
    return "\n\n".join(out) + "\n"


def test_claims_long_input_reports_progress_on_stderr(tmp_path):
    text = long_prose(1_000_000)
    assert len(text) > LONG
    path = tmp_path / "long.txt"
    path.write_bytes(text.encode("utf-8"))
    r = run(path, "--format", "json")
    err = r.stderr.decode("utf-8")
    assert r.returncode == 0, err
    assert err.startswith(f"claims: parsing {len(text):,} characters of {path}\n")
    claims = json.loads(r.stdout)["claims"]
    assert len(claims) > 1000 and {c["modality"] for c in claims} == {"asserted", "hedged", "predicted"}
    assert_exact(text, claims[:200] + claims[-200:])
    assert err.rstrip("\n").splitlines()[-1].startswith(f"{len(claims):,} claims (")


def test_claims_short_input_prints_nothing_on_stderr():
    r = run("-", data=PARAGRAPH.encode("utf-8"))
    assert r.returncode == 0 and r.stderr == b""


def test_claims_render_refuses_unknown_format():
    with pytest.raises(ValueError, match="unknown format"):
        render([], "xml")
