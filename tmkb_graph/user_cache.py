"""The per-user cache folder tmkb-graph may write small files to (token counts, hook state)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "TMKB_GRAPH_CACHE_DIR"


def cache_dir() -> Path | None:
    """``$TMKB_GRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/tmkb-graph`` or ``~/.cache/tmkb-graph``; None
    when the variable is set to the empty string (caching off)."""
    base = os.environ.get(CACHE_ENV)
    if base == "":
        return None
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tmkb-graph"
