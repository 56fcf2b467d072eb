"""The embedded on-disk store (Oxigraph): written whole by `build`, read by every other command.

A build writes a fresh store beside the old one and swaps it in with renames, so a failed or interrupted
build never leaves the previous graph damaged or half-replaced.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path

from .errors import StoreError

DEFAULT = ".peelgraph"
ENV = "PEELGRAPH_STORE"


def location(path: str | os.PathLike | None = None) -> Path:
    return Path(path or os.environ.get(ENV) or DEFAULT)


def replace(path: Path, quads) -> int:
    """Load quads (pyoxigraph Quads, or N-Quads bytes) into a new store at ``path``, replacing what was there;
    returns the quad count."""
    import pyoxigraph as ox

    path = Path(path)
    _recover(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not (path / "CURRENT").exists() and any(path.iterdir()):
        raise StoreError(f"{path} exists and is not a peelgraph store; choose another --store folder.")
    fresh = Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=path.parent))
    try:
        store = ox.Store(str(fresh))
        if isinstance(quads, bytes):
            store.bulk_load(quads, format=ox.RdfFormat.N_QUADS)
        else:
            store.bulk_extend(quads)
        store.flush()
        count = len(store)
        del store
        gc.collect()
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = path.with_name(f".{path.name}.old")
    if path.exists():
        os.replace(path, old)
    os.replace(fresh, path)
    shutil.rmtree(old, ignore_errors=True)
    return count


def _recover(path: Path) -> None:
    """Finish a swap that an interrupted build left half done."""
    old = path.with_name(f".{path.name}.old")
    if old.exists():
        if path.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, path)


def require(path) -> Path:
    """The store folder, after finishing any interrupted swap; a clear error if there is no store there."""
    path = Path(path)
    _recover(path)
    if not (path / "CURRENT").exists():
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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
