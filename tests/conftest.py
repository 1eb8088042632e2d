"""Shared fixtures: the repository's folders and a fixed 'today' so acceptance expiry is deterministic."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
EXAMPLES = REPO / "examples"
TODAY = dt.date(2026, 11, 24)
_CACHE_ENV = "TMKB_GRAPH_CACHE_DIR"  # tmkb_graph.user_cache.CACHE_ENV; not imported, so no package import here


def pytest_configure(config: pytest.Config) -> None:
    """Token and index caches go to a folder of this run, never the user's own cache (subprocesses inherit it)."""
    config._tmkb_cache_dir = tempfile.mkdtemp(prefix="tmkb-graph-test-cache-")  # type: ignore[attr-defined]
    os.environ[_CACHE_ENV] = config._tmkb_cache_dir  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(getattr(config, "_tmkb_cache_dir", ""), ignore_errors=True)


@pytest.fixture
def today() -> dt.date:
    return TODAY
