"""Parses kept on disk, so a sentence parsed once is never parsed again by the same model.

A parse depends only on the exact sentence text and the model (the model package's version and spaCy's), not
on peelgraph's rules, so a rebuild, an `add`, a rule change or another report that repeats a sentence word for
word reuses it. When every sentence of a build is in the cache, spaCy is not even imported.

The cache is an SQLite file (atomic transactions: a killed build leaves it consistent) in
``$PEELGRAPH_CACHE``, else ``$XDG_CACHE_HOME/peelgraph``, else ``~/.cache/peelgraph``;
``PEELGRAPH_CACHE=off`` turns it off. A cache that cannot be opened or read is set aside with one warning on
stderr: it never stops a build or changes what it finds. Cached parses come back as :class:`Doc` and
:class:`Token`, which answer the questions ``grammar`` asks of spaCy's (tests/test_parsecache.py compares
every attribute on real parses).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .parseproc import rows  # noqa: F401 - a parse as the cache keeps it

OFF = ("off", "0", "no", "none")


@lru_cache(maxsize=None)
def model_id(model: str) -> str:
    """What a parse depends on besides the text, read without importing spaCy."""
    try:
        return f"{model}-{metadata.version(model.replace('_', '-'))} spacy-{metadata.version('spacy')}"
    except metadata.PackageNotFoundError:
        return ""  # no model installed: nothing can be cached (loading it will say why)


def location() -> Path | None:
    value = os.environ.get("PEELGRAPH_CACHE", "").strip()
    if value.lower() in OFF and value:
        return None
    if value:
        return Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "peelgraph"


class Cache:
    """The parses of one model, keyed by the sha256 of the model id and the sentence."""

    def __init__(self, model: str):
        self.model, self.db, self.warned = model_id(model), None, False
        folder = location()
        if folder is None or not self.model:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(folder / "parses.sqlite3", timeout=30)
            self.db.execute("CREATE TABLE IF NOT EXISTS parse (key TEXT PRIMARY KEY, tokens TEXT NOT NULL)")
            self.db.execute("CREATE TABLE IF NOT EXISTS report (key TEXT PRIMARY KEY)")
        except (OSError, sqlite3.Error) as e:
            self.fail(e, folder / "parses.sqlite3")

    def fail(self, e: Exception, where) -> None:
        if not self.warned:
            print(f"peelgraph: warning: parse cache {where} unusable ({e}); parsing without it", file=sys.stderr)
        self.warned, self.db = True, None

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\0{text}".encode("utf-8")).hexdigest()

    def get(self, texts: list[str]) -> dict[str, list]:
        """The cached parses (token rows, for :class:`Doc`) of those texts that have one."""
        if self.db is None or not texts:
            return {}
        keys = {self.key(t): t for t in texts}
        found: dict[str, list] = {}
        try:
            items = list(keys.items())
            for k in range(0, len(items), 500):
                chunk = dict(items[k:k + 500])
                marks = ",".join("?" * len(chunk))
                for key, tokens in self.db.execute(f"SELECT key, tokens FROM parse WHERE key IN ({marks})", list(chunk)):
                    parsed = json.loads(tokens)
                    if not valid(parsed):
                        raise ValueError(f"damaged row {key}")
                    found[chunk[key]] = parsed
        except (sqlite3.Error, ValueError, TypeError, IndexError) as e:
            self.fail(e, "read")
            return {}
        return found

    def put(self, parsed: list[tuple[str, list]]) -> None:
        """Keep parses (``(text, rows(doc))``), one row a sentence, in one transaction."""
        if self.db is None or not parsed:
            return
        rows = [(self.key(t), json.dumps(r, ensure_ascii=False, separators=(",", ":"))) for t, r in parsed]
        try:
            with self.db:
                self.db.executemany("INSERT OR IGNORE INTO parse VALUES (?, ?)", rows)
        except sqlite3.Error as e:
            self.fail(e, "write")

    def complete(self, sha256s: list[str]) -> bool:
        """Were the sentences of these reports (by their text's sha256) all parsed by this model before?"""
        if self.db is None or not sha256s:
            return False
        keys = sorted({self.key(f"report:{h}") for h in sha256s})
        try:
            for k in range(0, len(keys), 500):
                chunk = keys[k:k + 500]
                marks = ",".join("?" * len(chunk))
                if self.db.execute(f"SELECT COUNT(*) FROM report WHERE key IN ({marks})", chunk).fetchone()[0] < len(chunk):
                    return False
            return True
        except sqlite3.Error as e:
            self.fail(e, "read")
            return False

    def mark(self, sha256: str) -> None:
        """Note that every sentence of a report that needed the parse is now in the cache."""
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("INSERT OR IGNORE INTO report VALUES (?)", (self.key(f"report:{sha256}"),))
        except sqlite3.Error as e:
            self.fail(e, "write")


def valid(rows) -> bool:
    return isinstance(rows, list) and all(isinstance(r, list) and len(r) == 6 and 0 <= r[5] < len(rows) for r in rows)


class Doc:
    """A cached parse: a sequence of tokens (ints index it, slices give lists)."""

    def __init__(self, rows: list[list]):
        self.rows = rows
        self.tokens = [Token(self, i, *row) for i, row in enumerate(rows)]
        for t in self.tokens:
            if t.head_i != t.i:
                self.tokens[t.head_i].kids.append(t)

    def __getitem__(self, k):
        return self.tokens[k]

    def __len__(self) -> int:
        return len(self.tokens)

    def __iter__(self):
        return iter(self.tokens)


class Token:
    """The parts of a spaCy token the rules read."""

    __slots__ = ("doc", "i", "idx", "text", "lower_", "tag_", "pos_", "dep_", "head_i", "kids")

    def __init__(self, doc: Doc, i: int, idx: int, text: str, tag: str, pos: str, dep: str, head: int):
        self.doc, self.i, self.idx, self.text, self.lower_ = doc, i, idx, text, text.lower()
        self.tag_, self.pos_, self.dep_, self.head_i, self.kids = tag, pos, dep, head, []

    @property
    def head(self) -> Token:
        return self.doc.tokens[self.head_i]

    @property
    def children(self):
        return iter(self.kids)

    @property
    def subtree(self):
        """In spaCy's order: each left child's subtree, the token, each right child's subtree."""
        for c in self.kids:
            if c.i < self.i:
                yield from c.subtree
        yield self
        for c in self.kids:
            if c.i > self.i:
                yield from c.subtree

    @property
    def ancestors(self):
        t = self
        while t.head_i != t.i:
            t = t.head
            yield t

    @property
    def left_edge(self) -> Token:
        return min(self.subtree, key=lambda t: t.i)

    @property
    def right_edge(self) -> Token:
        return max(self.subtree, key=lambda t: t.i)
