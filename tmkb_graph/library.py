"""The pattern library: every pattern file under patterns/<category>/, loaded and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from tmkb_graph.errors import InputError, Problem
from tmkb_graph.pattern import Pattern
from tmkb_graph.resources import data_dir
from tmkb_graph.safe_yaml import load_yaml_file
from tmkb_graph.validation_errors import problems_from_validation_error
from tmkb_graph.vocabulary import unknown_word_message

MAX_PATTERN_BYTES = 512 * 1024


@dataclass(frozen=True)
class PatternLibrary:
    """The loaded patterns by id, and the file each came from."""

    patterns: dict[str, Pattern]
    files: dict[str, str] = field(default_factory=dict)

    def get(self, pattern_id: str) -> Pattern:
        """The pattern with this id; KeyError with the nearest id when there is none."""
        try:
            return self.patterns[pattern_id]
        except KeyError:
            raise KeyError(unknown_word_message("pattern", pattern_id, sorted(self.patterns))) from None

    def sorted(self) -> list[Pattern]:
        """All patterns in id order."""
        return [self.patterns[k] for k in sorted(self.patterns)]


def load_pattern_file(path: Path | str) -> Pattern:
    """Read and check one pattern file, including that its path matches its id and category."""
    doc = load_yaml_file(path, max_bytes=MAX_PATTERN_BYTES)
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), "a pattern file is a mapping starting with id:, name:, version:")])
    try:
        pattern = Pattern.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc, doc, Pattern)) from None
    problems = []
    file = Path(path)
    if file.stem != pattern.id:
        problems.append(doc.problem(("id",), f"the file is named {file.name}; a pattern's file is named after its id: {pattern.id}.yaml"))
    if file.parent.name != pattern.category:
        problems.append(doc.problem(("category",), f"a pattern of category '{pattern.category}' belongs in patterns/{pattern.category}/"))
    if problems:
        raise InputError(problems)
    return pattern


def load_library(directory: Path | str | None = None) -> PatternLibrary:
    """Load every pattern under ``directory`` (the shipped library by default); all problems at once."""
    if directory is None:
        return _shipped_library()
    return _load_directory(Path(directory))


@lru_cache(maxsize=1)
def _shipped_library() -> PatternLibrary:
    return _load_directory(data_dir("patterns"))


def _load_directory(root: Path) -> PatternLibrary:
    patterns: dict[str, Pattern] = {}
    files: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(root.glob("*/*.y*ml")):
        try:
            pattern = load_pattern_file(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if pattern.id in patterns:
            problems.append(Problem(str(path), None, "id", f"pattern id {pattern.id} is also used by {files[pattern.id]}"))
            continue
        patterns[pattern.id] = pattern
        files[pattern.id] = str(path)
    if problems:
        raise InputError(problems)
    if not patterns:
        raise InputError([Problem(str(root), None, "", "no pattern files (patterns/<category>/<id>.yaml) found here")])
    return PatternLibrary(patterns, files)
