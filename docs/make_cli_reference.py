"""Write docs/CLI.md from the commands' own --help (tests/test_docs.py checks it is up to date).

    python docs/make_cli_reference.py
"""

from pathlib import Path

from click.testing import CliRunner

from peelgraph.cli import main

OUT = Path(__file__).with_name("CLI.md")


def reference() -> str:
    runner = CliRunner()
    parts = ["# peelgraph command reference", "", "Generated from `--help` by `python docs/make_cli_reference.py`.", ""]
    parts += ["## peelgraph", "", "```", runner.invoke(main, ["--help"], prog_name="peelgraph").output.rstrip(), "```", ""]
    for name in sorted(main.commands):
        text = runner.invoke(main, [name, "--help"], prog_name="peelgraph").output.rstrip()
        parts += [f"## peelgraph {name}", "", "```", text, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    OUT.write_text(reference(), encoding="utf-8")
    print(f"wrote {OUT}")
