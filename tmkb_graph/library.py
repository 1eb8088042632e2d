"""The pattern library: every pattern file under patterns/<category>/, loaded and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from tmkb_graph.errors import InputError, Problem
from tmkb_graph.resources import data_dir
from tmkb_graph.safe_yaml import YamlDocument, load_yaml_file
from tmkb_graph.vocabulary import suggestion_budget, unknown_word_message

if TYPE_CHECKING:  # pydantic and the models are imported when a pattern is checked by them (plain_library)
    from tmkb_graph.pattern import Pattern

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
    return pattern_from_document(load_yaml_file(path, max_bytes=MAX_PATTERN_BYTES), path)


def is_pattern_document(doc: YamlDocument) -> bool:
    """True when a parsed file says it is a pattern (an id TMKB-... or a template), whatever its name."""
    data = doc.data
    if not isinstance(data, dict) or "components" in data:
        return False
    return "template" in data or str(data.get("id", "")).startswith("TMKB-")


def pattern_from_document(doc: YamlDocument, path: Path | str | None = None) -> Pattern:
    """Check a parsed pattern; with ``path``, also that the file is named after its id and category."""
    with suggestion_budget():
        return _checked_pattern(doc, path)


def _checked_pattern(doc: YamlDocument, path: Path | str | None) -> Pattern:
    from pydantic import ValidationError

    from tmkb_graph.pattern import Pattern
    from tmkb_graph.validation_errors import problems_from_validation_error

    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), "a pattern file is a mapping starting with id:, name:, version:")])
    try:
        pattern = Pattern.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc, doc, Pattern)) from None
    if path is None:
        return pattern
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
    library = load_pattern_files(sorted(root.glob("*/*.y*ml")))
    if not library.patterns:
        raise InputError([Problem(str(root), None, "", "no pattern files (patterns/<category>/<id>.yaml) found here")])
    return library


def load_pattern_files(paths: list[Path]) -> PatternLibrary:
    """Load these pattern files as one library: every problem at once, and no id used twice."""
    patterns: dict[str, Pattern] = {}
    files: dict[str, str] = {}
    docs: dict[str, YamlDocument] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            doc = load_yaml_file(path, max_bytes=MAX_PATTERN_BYTES)
            pattern = pattern_from_document(doc, path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if pattern.id in patterns:
            problems.append(doc.problem(("id",), f"pattern id {pattern.id} is also used by {files[pattern.id]}"))
            continue
        patterns[pattern.id] = pattern
        files[pattern.id] = str(path)
        if pattern.secondary_to:
            docs[pattern.id] = doc
    problems.extend(_unknown_secondary(patterns, docs))
    if problems:
        raise InputError(problems)
    return PatternLibrary(patterns, files)


def _unknown_secondary(patterns: dict[str, Pattern], docs: dict[str, YamlDocument]) -> list[Problem]:
    """A pattern's secondary_to must name patterns of the same library or of the shipped one (a
    pattern checked on its own may name a shipped pattern)."""
    if not docs:
        return []
    known = sorted(set(patterns) | {path.stem for path in data_dir("patterns").glob("*/*.y*ml")})
    return [
        docs[pattern_id].problem(("secondary_to", index), unknown_word_message("pattern id", other, known))
        for pattern_id in sorted(docs)
        for index, other in enumerate(patterns[pattern_id].secondary_to)
        if other not in known
    ]
