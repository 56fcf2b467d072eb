"""The embedded on-disk store (Oxigraph): written by `build`, `add` and `remove`, read by every other command.

Every write goes to a fresh folder beside the store, ``.<name>.new-*``, which is swapped in with renames only
once it is complete: `build` fills an empty one; `add` and `remove` start from a checkpoint of the current
store (RocksDB hard-links its immutable files, so the copy is cheap) and change that. Oxigraph's bulk loader is
not atomic (a load killed half way leaves part of it on disk), so it is only ever used on such a fresh folder.
A write killed at any point (kill -9 included) leaves the previous store as it was; the next command, holding
the store's lock, deletes the fresh folders the killed one left and finishes a swap it left half done.
"""

from __future__ import annotations

import fcntl
import gc
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import StoreError

DEFAULT = ".peelgraph"
ENV = "PEELGRAPH_STORE"


def location(path: str | os.PathLike | None = None) -> Path:
    return Path(path or os.environ.get(ENV) or DEFAULT)


def _old(path: Path) -> Path:
    return path.with_name(f".{path.name}.old")


@contextmanager
def _lock(path: Path, wait: bool = True):
    """The store's write lock (a file beside it, held with flock, so a killed holder releases it); yields
    False instead of waiting when ``wait`` is false and another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _recover(path: Path) -> None:
    """Finish a swap that an interrupted write left half done (call with the lock held)."""
    old = _old(path)
    if old.exists():
        if path.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, path)


def stale(path: Path) -> list[Path]:
    """Fresh folders (and export scratch files) that writers of this store left behind."""
    return sorted(path.parent.glob(f".{path.name}.new-*")) if path.parent.exists() else []


def _clean(path: Path) -> None:
    for p in stale(path):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    _recover(path)


def is_store(path: Path) -> bool:
    return (path / "CURRENT").exists()


class Writable:
    """The fresh store while ``writing`` fills it: a pyoxigraph Store's methods, until ``close`` lets go of it.
    RocksDB writes to its folder when the store closes, so the store must be closed in the folder it was opened
    in, before the swap renames that folder; a caller's variable, or anything it gave the store to, would keep a
    bare Store open until much later. Hold no bound method of it either."""

    def __init__(self, st):
        self._st = st

    def __getattr__(self, name: str):
        return getattr(self._open(), name)

    def __len__(self) -> int:
        return len(self._open())

    def _open(self):
        if self._st is None:
            raise RuntimeError("the store being written is closed")
        return self._st

    def close(self) -> bool:
        """Let go of the store, which closes it unless something else holds it: says whether it closed."""
        alone = sys.getrefcount(self._st) <= 2  # this attribute and the call's argument
        self._st = None
        gc.collect()
        return alone


@contextmanager
def writing(path: str | os.PathLike, copy: bool = False):
    """A writable store in a fresh folder (a ``Writable``: the Store's methods, closed before the swap): empty,
    or with ``copy`` a checkpoint of the store at ``path``. When the block ends without error it replaces the
    store at ``path``; on any error the fresh folder is deleted and the store is left as it was."""
    import pyoxigraph as ox

    path = Path(path)
    with _lock(path):
        _clean(path)
        if path.exists() and not is_store(path) and any(path.iterdir()):
            raise StoreError(f"{path} exists and is not a peelgraph store; choose another --store folder.")
        fresh = Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=path.parent))
        try:
            if copy:
                if not is_store(path):
                    raise StoreError(f"no graph store at {path}; run `peelgraph build` first (or pass --store).")
                fresh.rmdir()  # the checkpoint makes the folder itself
                try:
                    ox.Store.read_only(str(path)).backup(str(fresh))
                except OSError as e:
                    raise StoreError(f"cannot copy the store at {path}: {e}") from None
                gc.collect()  # close the read-only handle
            st = Writable(ox.Store(str(fresh)))
            try:
                yield st
                st.flush()
            finally:
                closed = st.close()
            if not closed:
                raise RuntimeError("the store being written is still held elsewhere, so it cannot be closed before "
                                   "it replaces the old one")
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        old = _old(path)
        if path.exists():
            os.replace(path, old)
        os.replace(fresh, path)
        shutil.rmtree(old, ignore_errors=True)


def replace(path: Path, quads) -> int:
    """Load quads (pyoxigraph Quads, or N-Quads bytes) into a new store at ``path``, replacing what was there;
    returns the quad count."""
    import pyoxigraph as ox

    with writing(path) as st:
        if isinstance(quads, bytes):
            st.bulk_load(quads, format=ox.RdfFormat.N_QUADS)
        else:
            st.bulk_extend(quads)
        count = len(st)
    return count


def require(path) -> Path:
    """The store folder, after finishing any interrupted swap; a clear error if there is no store there."""
    path = Path(path)
    if _old(path).exists() or stale(path):
        with _lock(path, wait=False) as held:
            if held:  # never under a writer at work
                _clean(path)
    if not is_store(path):
        raise StoreError(f"no graph store at {path}; run `peelgraph build` first (or pass --store).")
    return path


def open_store(path: Path):
    """Open the store read-only; a clear error if there is none yet."""
    import pyoxigraph as ox

    path = require(path)
    try:
        return ox.Store.read_only(str(path))
    except OSError as e:
        raise StoreError(f"cannot open the store at {path}: {e}") from None


def dump_nquads(store) -> bytes:
    import pyoxigraph as ox

    return store.dump(format=ox.RdfFormat.N_QUADS)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part."""
    with writing_file(path) as f:
        f.write(data)


@contextmanager
def writing_file(path: Path):
    """A binary file to write in pieces; it replaces ``path`` only when the block ends without error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
