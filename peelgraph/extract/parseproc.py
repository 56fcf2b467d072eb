"""The parser process that ``grammar.prestart`` starts, run as a script (``python parseproc.py MODEL
EXCLUDE``) so that it imports nothing of peelgraph: it loads spaCy's pipeline, then reads a JSON list of
sentences a line and writes back a JSON list of their parses a line, as token rows (``rows``). It ends at
the end of its input, or after a line ``{"error": ...}`` if the pipeline cannot be loaded."""

import json
import sys
import types


def rows(doc) -> list[list]:
    """A spaCy parse as the parse cache keeps it: a row a token (offset, text, tag, part of speech,
    dependency, head)."""
    return [[x.idx, x.text, x.tag_, x.pos_, x.dep_, x.head.i] for x in doc]


def without_cli() -> None:
    """Stand an empty module in for spaCy's command line, which ``import spacy`` imports (typer, requests,
    weasel: a third of the import's time) and which this process never uses. If a spaCy version needs more
    of it to load a pipeline, loading fails and the parent parses in its own process."""
    cli, info = types.ModuleType("spacy.cli"), types.ModuleType("spacy.cli.info")
    info.info = cli.info = None
    sys.modules.setdefault("spacy.cli", cli)
    sys.modules.setdefault("spacy.cli.info", info)


def main(model: str, exclude: list[str]) -> None:
    out = sys.stdout.buffer
    try:
        without_cli()
        import spacy

        nlp = spacy.load(model, exclude=exclude)
    except Exception as e:  # noqa: BLE001 - told to the parent, which then parses in its own process
        out.write(json.dumps({"error": str(e)}).encode("utf-8") + b"\n")
        return
    for line in sys.stdin.buffer:
        reply = [rows(doc) for doc in nlp.pipe(json.loads(line), batch_size=1000)]
        out.write(json.dumps(reply, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
