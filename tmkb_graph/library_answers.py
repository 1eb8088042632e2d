"""Every answer `list` and `get` can give for one library, made at once for the answer cache.

The first `list` or `get` that checks the library keeps all of them, so a later call for another
pattern or format is answered from the cache as well (no typer, pydantic or pattern models). Each
text comes from the same renderer the command uses, so a kept answer is the command's own output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tmkb_graph.answer_cache import answers_file, remember_all
from tmkb_graph.knowledge_graph import related_in_library
from tmkb_graph.library import PatternLibrary
from tmkb_graph.pattern_output import pattern_json, pattern_text, patterns_json, patterns_table

if TYPE_CHECKING:  # only annotations: a cold `list` or `get` renders plain patterns without pydantic
    from tmkb_graph.pattern import Pattern

_FORMATS = ("table", "json")  # the canonical formats (answer_cache.canonical)


def library_answers(library: PatternLibrary) -> dict[tuple[str, ...], str]:
    """The text of every successful plain `list` and `get` request, keyed by its canonical request."""
    patterns = library.sorted()
    answers = {("list", output_format): _list_answer(patterns, output_format) for output_format in _FORMATS}
    for pattern in patterns:
        answers.update((("get", pattern.id, f), _pattern_answer(library, pattern, f)) for f in _FORMATS)
    return answers


def library_answer(library: PatternLibrary, request: tuple[str, ...]) -> str | None:
    """The text of one canonical `list` or `get` request; None for a pattern the library lacks."""
    if request[0] == "list":
        return _list_answer(library.sorted(), request[-1])
    pattern = library.patterns.get(request[1])
    return None if pattern is None else _pattern_answer(library, pattern, request[-1])


def _list_answer(patterns: list[Pattern], output_format: str) -> str:
    return patterns_json(patterns) if output_format == "json" else patterns_table(patterns)


def _pattern_answer(library: PatternLibrary, pattern: Pattern, output_format: str) -> str:
    if output_format == "json":
        return pattern_json(pattern)
    return pattern_text(pattern, related_in_library(library, pattern.id))


def remember_library(library: PatternLibrary) -> None:
    """Keep every answer of ``library`` in the answer cache (skipped when caching is off)."""
    remember_all(library_answers(library), answers_file())
