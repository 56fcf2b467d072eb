"""The README's commands are the ones that work (and the ones CI runs)."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```sh\n(.*?)```", README, re.S)


def test_docs_readme_opens_with_two_commands_and_ci_runs_the_second():
    first = [line for line in BLOCKS[0].splitlines() if line.strip()]
    assert len(first) == 2 and "peelgraph build" in first[0] and "pytest" in first[1]
    assert first[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


USE = [line.split("#")[0].strip() for line in BLOCKS[1].splitlines() if line.startswith("peelgraph")]


@pytest.mark.parametrize("line", USE)
def test_docs_use_commands_run(line, seed_store, tmp_path):
    args = shlex.split(line)[1:]
    if args[0] == "build":
        args = ["build", str(ROOT / "seeds")] + args[2:]
    args = [a.replace("graph.ttl", str(tmp_path / "graph.ttl")).replace("graph.html", str(tmp_path / "graph.html"))
            .replace("trace.html", str(tmp_path / "trace.html")) for a in args]
    r = subprocess.run([sys.executable, "-m", "peelgraph.cli", *args, "--store", str(seed_store if args[0] != "build" else tmp_path / "s")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, (line, r.stderr)


def test_docs_every_command_is_documented():
    from click.testing import CliRunner

    from peelgraph.cli import main

    help_text = CliRunner().invoke(main, ["--help"]).stdout
    commands = re.findall(r"^  (\w+)\s", help_text.split("Commands:")[1], re.M)
    assert commands
    for command in commands:
        assert f"peelgraph {command}" in README, command


def test_docs_cli_reference_is_generated_from_help():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_cli_reference", ROOT / "docs" / "make_cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "CLI.md").read_text(encoding="utf-8") == module.reference(), \
        "docs/CLI.md is stale: run python docs/make_cli_reference.py"
