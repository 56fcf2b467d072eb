"""Where peelgraph's data lives: ontology/, queries/ and seeds/ in a checkout, or inside an installed wheel."""

from __future__ import annotations

from importlib import resources as _res
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _folder(name: str) -> Path:
    local = _CHECKOUT / name
    if local.is_dir():
        return local
    packaged = Path(str(_res.files("peelgraph") / name))
    return packaged


def ontology(name: str) -> Path:
    return _folder("ontology") / name


def queries_dir() -> Path:
    return _folder("queries")


def seeds_dir() -> Path:
    cwd = Path.cwd() / "seeds"
    return cwd if cwd.is_dir() else _folder("seeds")


def rules(name: str) -> Path:
    """Extraction rules that live beside the extractor (TOML)."""
    return Path(__file__).resolve().parent / "extract" / name
