import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
# the parse cache of a test session (peelgraph/extract/parsecache.py) is its own, never the user's
CACHE = os.environ["PEELGRAPH_CACHE"] = tempfile.mkdtemp(prefix="peelgraph-test-cache-")


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(CACHE, ignore_errors=True)

import scoring  # noqa: E402
import variants  # noqa: E402

from peelgraph.build import extract_file  # noqa: E402
from peelgraph.extract import run as extract  # noqa: E402
from peelgraph.parse import parse_text  # noqa: E402


@pytest.fixture(scope="session")
def seed_text() -> str:
    return scoring.SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_gold() -> dict:
    return json.loads(scoring.SEED_GOLD.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_doc():
    return extract_file(scoring.SEED)


def extract_text(text: str, name: str = "variant.txt"):
    """Extract a report given as text, read as a file would be (a web page becomes its text)."""
    from peelgraph.parse import text_of

    return extract(parse_text(text_of(text.encode("utf-8"), name), name))


@pytest.fixture
def write_report(tmp_path):
    """Write text (str) or bytes as a report file and return its path."""

    def _write(content, name="report.txt"):
        p = tmp_path / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_bytes(content.encode("utf-8"))
        return p

    return _write


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory):
    """The seed built into a store through the library API; returns the store folder."""
    from peelgraph.build import build

    path = tmp_path_factory.mktemp("seed") / "store"
    build([scoring.SEED], path)
    return path


@pytest.fixture(scope="session")
def open_seed_store(seed_store):
    from peelgraph import store

    return store.open_store(seed_store)
