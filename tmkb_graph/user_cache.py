"""The per-user cache folder tmkb-graph may write small files to (token counts, hook state)."""

from __future__ import annotations

import hashlib
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


def stat_key(salt: str, sources: list[Path]) -> str | None:
    """A name for what was made from ``sources``: a digest of ``salt`` and each file's path, size and
    modification time, so any change to them makes a new name; None when a file is unreadable."""
    digest = hashlib.sha256(salt.encode())
    try:
        for path in sources:
            stat = path.stat()
            digest.update(f"\0{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    except OSError:
        return None
    return digest.hexdigest()[:32]
