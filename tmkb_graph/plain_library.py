"""A cold `list` or `get` answered without typer or pydantic: the shipped library checked by
plain_patterns.py and rendered by the command's own renderers.

Only when every pattern file is vouched for (read as YAML, checked plainly, named after its id in
its category's folder, no id twice, every secondary_to known) and the request has an answer;
anything else returns None and the full command line interface answers, with its own messages.
"""

from __future__ import annotations

from pathlib import Path

from tmkb_graph.answer_cache import canonical, remember_all
from tmkb_graph.errors import InputError
from tmkb_graph.library import MAX_PATTERN_BYTES, PatternLibrary
from tmkb_graph.library_answers import library_answer, library_answers
from tmkb_graph.plain_patterns import PlainModel, plain_pattern
from tmkb_graph.resources import data_dir
from tmkb_graph.safe_yaml import load_yaml_file


def plain_shipped_library() -> PatternLibrary | None:
    """The shipped library as plain patterns, or None when any file is not vouched for."""
    patterns: dict[str, PlainModel] = {}
    files: dict[str, str] = {}
    for path in sorted(data_dir("patterns").glob("*/*.y*ml")):
        try:
            data = load_yaml_file(path, max_bytes=MAX_PATTERN_BYTES).data
        except (InputError, OSError):
            return None
        pattern = plain_pattern(data)
        if pattern is None or pattern.id in patterns or path.stem != pattern.id or path.parent.name != pattern.category:
            return None
        patterns[pattern.id] = pattern
        files[pattern.id] = str(path)
    # every file is named after its pattern's id, so the shipped ids are exactly these
    if not patterns or any(other not in patterns for p in patterns.values() for other in p.secondary_to):
        return None
    return PatternLibrary(patterns, files)  # type: ignore[arg-type]  (plain patterns read as the models)


def plain_answer(request: tuple[str, ...], kept: Path | None) -> str | None:
    """The text the command prints for a plain `list` or `get` ``request``, or None when the full
    command line interface must answer; every answer of the library is kept in ``kept``
    (``answer_cache.answers_file()``) as the command keeps them, only this one made when it is None."""
    library = plain_shipped_library()
    if library is None:
        return None
    answer = library_answer(library, canonical(request))
    if answer is not None and kept is not None:
        remember_all(library_answers(library), kept)
    return answer
