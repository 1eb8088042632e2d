"""The relevance index kept between processes, so a cold `query` need not load the library.

The index is plain data (JSON, never pickle) in the user cache folder, named by a key made of the
pattern files', the vocabulary's and the indexing code's sizes and modification times: any change
to them makes a new key, and the index is built again from the library.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from tmkb_graph.agent import concepts, relevance, words
from tmkb_graph.agent.relevance import RelevanceIndex, IndexEntry, TriggerKeyword
from tmkb_graph.agent.words import glob_regex, literal_regex, normal_path
from tmkb_graph.resources import data_dir
from tmkb_graph.user_cache import cache_dir, stat_key

FORMAT = 1


def pattern_files(patterns_dir: Path | str | None) -> list[Path]:
    """The files the library is loaded from (as load_library finds them)."""
    root = Path(patterns_dir) if patterns_dir is not None else data_dir("patterns")
    return sorted(root.glob("*/*.y*ml"))


def cache_key(patterns_dir: Path | str | None) -> str | None:
    """A name for the index of this library as this code indexes it; None when a file is unreadable."""
    sources = [*pattern_files(patterns_dir), data_dir("ontology") / "vocabulary.yaml"]
    sources += [Path(m.__file__ or "") for m in (relevance, words, concepts)]
    return stat_key(f"format {FORMAT}", sources)


def _file(key: str) -> Path | None:
    root = cache_dir()
    return None if root is None else root / f"relevance-index-{key}.json"


def load_index(patterns_dir: Path | str | None) -> RelevanceIndex | None:
    """The cached index of this library, or None (no cache, stale, or damaged)."""
    key = cache_key(patterns_dir)
    path = _file(key) if key else None
    if path is None or not path.is_file():
        return None
    try:
        return index_from_data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged cache is only a slower start


def store_index(patterns_dir: Path | str | None, index: RelevanceIndex) -> None:
    """Keep ``index`` for the next process; silently skipped when the cache folder is not writable."""
    key = cache_key(patterns_dir)
    path = _file(key) if key else None
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(index_to_data(index), sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def index_to_data(index: RelevanceIndex) -> dict[str, Any]:
    """The index as JSON data (regular expressions are kept as their source words)."""
    return {
        "entries": [_entry_data(e) for e in index.entries],
        "keyword_df": [[list(k), n] for k, n in sorted(index.keyword_df.items())],
        "word_df": dict(sorted(index.word_df.items())),
        "concepts": [[list(p), list(nodes)] for p, nodes in index.concepts],
        "longest_phrase": index.longest_phrase,
        "summaries": index.summaries,
        "severity_ranks": index.severity_ranks,
    }


def _entry_data(entry: IndexEntry) -> dict[str, Any]:
    return {
        "pattern_id": entry.pattern_id,
        "severity_rank": entry.severity_rank,
        "keywords": [[k.raw, list(k.phrase), k.literal is not None, k.by_tokens] for k in entry.keywords],
        "actions": [[raw, sorted(needed)] for raw, needed in entry.actions],
        "globs": [raw for raw, _ in entry.globs],
        **{name: sorted(getattr(entry, name)) for name in ("nodes", "languages", "frameworks", "framework_words", "vocabulary")},
    }


def index_from_data(data: dict[str, Any]) -> RelevanceIndex:
    """The index back from :func:`index_to_data`'s data."""
    entries = [
        IndexEntry(
            pattern_id=e["pattern_id"],
            severity_rank=e["severity_rank"],
            keywords=[TriggerKeyword(raw, tuple(phrase), literal_regex(raw) if literal else None, by_tokens) for raw, phrase, literal, by_tokens in e["keywords"]],
            actions=[(raw, frozenset(needed)) for raw, needed in e["actions"]],
            globs=[(g, glob_regex(normal_path(g))) for g in e["globs"]],
            **{name: frozenset(e[name]) for name in ("nodes", "languages", "frameworks", "framework_words", "vocabulary")},
        )
        for e in data["entries"]
    ]
    return RelevanceIndex(
        entries=entries,
        keyword_df=Counter({tuple(k): n for k, n in data["keyword_df"]}),
        word_df=Counter(data["word_df"]),
        concepts=[(tuple(p), tuple(nodes)) for p, nodes in data["concepts"]],
        longest_phrase=data["longest_phrase"],
        summaries=data["summaries"],
        severity_ranks=data["severity_ranks"],
    )
