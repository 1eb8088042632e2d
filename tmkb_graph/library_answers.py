"""Every answer `list` and `get` can give for one library, made at once for the answer cache.

The first `list` or `get` that checks the library keeps all of them, so a later call for another
pattern or format is answered from the cache as well (no typer, pydantic or pattern models). Each
text comes from the same renderer the command uses, so a kept answer is the command's own output.
"""

from __future__ import annotations

from tmkb_graph.answer_cache import remember_all
from tmkb_graph.knowledge_graph import related_in_library
from tmkb_graph.library import PatternLibrary
from tmkb_graph.pattern_output import pattern_json, pattern_text, patterns_json, patterns_table


def library_answers(library: PatternLibrary) -> dict[tuple[str, ...], str]:
    """The text of every successful plain `list` and `get` request, keyed by its canonical request."""
    patterns = library.sorted()
    answers: dict[tuple[str, ...], str] = {
        ("list", "table"): patterns_table(patterns),
        ("list", "json"): patterns_json(patterns),
    }
    for pattern in patterns:
        answers[("get", pattern.id, "table")] = pattern_text(pattern, related_in_library(library, pattern.id))
        answers[("get", pattern.id, "json")] = pattern_json(pattern)
    return answers


def remember_library(library: PatternLibrary) -> None:
    """Keep every answer of ``library`` in the answer cache (skipped when caching is off)."""
    remember_all(library_answers(library))
