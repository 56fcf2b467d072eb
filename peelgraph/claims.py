"""The causal claims of any text, as records with exact offsets: what `peelgraph claims` prints.

A record is ``{"cause", "effect", "cue", "sentence": {"text", "start", "end"}, "modality", "rule"}``. Offsets
are character offsets into the text as read (decoded as reports are: a byte-order mark dropped, CRLF and curly
quotes kept, a saved web page taken as the text it shows), and each "text" is exactly ``source[start:end]``:
the words as written, not the cleaned text the rules read. "sentence" is the sentence, or the sentences,
holding cause, cue and effect. Nothing here imports spaCy until claims are asked for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

from .errors import InputError
from .model import Span

LONG = 200_000  # characters; a longer text reports progress on stderr
PARTS = ("cause", "effect", "cue", "sentence")
COLUMNS = [f"{p}{suffix}" for p in PARTS for suffix in ("", "_start", "_end")] + ["modality", "rule"]
FORMATS = ("table", "json", "tsv")


def read(source: str | None, stdin: BinaryIO) -> tuple[str, str]:
    """(name, text) of the file SOURCE, or of ``stdin`` when SOURCE is None or "-", decoded as reports are."""
    from .parse import text_of

    if source in (None, "-"):
        name, data = "<stdin>", stdin.read()
    else:
        name = source
        try:
            data = Path(source).read_bytes()
        except OSError as e:
            raise InputError(f"{source}: cannot read ({e.strerror or e}).") from None
    return name, text_of(data, name)


def records(text: str, name: str = "<text>", progress: bool = False) -> list[dict]:
    """Every causal claim the text states, in text order, as plain records (see the module docstring)."""
    from .extract.causal import claims_in_text

    out = []
    for c in claims_in_text(text, name, progress):
        out.append({
            "cause": _part(text, c.cause), "effect": _part(text, c.effect), "cue": _part(text, c.cue),
            "modality": c.modality, "sentence": _part(text, c.evidence), "rule": c.rule,
        })
    return out


def _part(text: str, span: Span) -> dict:
    return {"text": text[span.start:span.end], "start": span.start, "end": span.end}


def summary(recs: list[dict], text: str, seconds: float) -> str:
    """One line for stderr: how many claims of each modality in how much text, and how long it took."""
    counts = {m: sum(1 for r in recs if r["modality"] == m) for m in ("asserted", "hedged", "predicted")}
    kinds = ", ".join(f"{n:,} {m}" for m, n in counts.items() if n)
    return (f"{len(recs):,} claim{'' if len(recs) == 1 else 's'}{f' ({kinds})' if kinds else ''} "
            f"in {len(text):,} characters, {seconds:.1f} s")


def render(recs: list[dict], fmt: str = "table", max_width: int = 32) -> str:
    """Records as JSON (``{"claims": [...]}``), TSV (a header row, tabs and line breaks inside texts become
    spaces, so each text keeps its length) or a table for reading (long texts shortened)."""
    if fmt == "json":
        return json.dumps({"claims": recs}, ensure_ascii=False, indent=1)
    if fmt == "tsv":
        rows = [COLUMNS] + [[_flat(str(v)) for v in _row(r)] for r in recs]
        return "\n".join("\t".join(row) for row in rows)
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    header = ["modality", "cue", "cause", "at", "effect", "at", "sentence", "at"]
    cells = [[r["modality"], _cell(r["cue"]["text"], max_width)]
             + [x for p in ("cause", "effect", "sentence") for x in (_cell(r[p]["text"], max_width), f"{r[p]['start']}-{r[p]['end']}")]
             for r in recs]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(header)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()
    out = [line(header), line(["-" * w for w in widths])] + [line(row) for row in cells]
    return "\n".join(out + [f"({len(cells)} claim{'' if len(cells) == 1 else 's'})"])


def _row(r: dict) -> list:
    return [r[p][k] for p in PARTS for k in ("text", "start", "end")] + [r["modality"], r["rule"]]


def _flat(text: str) -> str:
    return text.translate({9: " ", 10: " ", 11: " ", 12: " ", 13: " "})


def _cell(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"
