"""validate: check architecture and pattern files the way analyze and the library would read them.

Each file is read once and judged by what it holds, not by its name: a mapping with a template (or
an id TMKB-...) and no components is a pattern; one with `open:` and no components is a review file
(an example's reviewed findings); anything else is an architecture, checked exactly as analyze
checks it (including that every acceptance names a pattern that exists).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tmkb_graph.admin_claims import admin_scope_notes
from tmkb_graph.assumption_notes import assumption_notes
from tmkb_graph.delivery_notes import delivery_notes
from tmkb_graph.architecture import check_architecture_document
from tmkb_graph.bounded_input import STDIN
from tmkb_graph.errors import InputError, Problem
from tmkb_graph.library import (
    PatternLibrary,
    is_pattern_document,
    load_library,
    load_pattern_files,
    pattern_from_document,
)
from tmkb_graph.pattern import AGENT_SUMMARY_TOKEN_LIMIT, agent_summary_tokens
from tmkb_graph.review import check_review_document, is_review_document
from tmkb_graph.safe_yaml import YamlDocument, load_yaml_file
from tmkb_graph.sibling_controls import sibling_notes
from tmkb_graph.tenant_notes import named_tenant_notes


@dataclass
class ValidationReport:
    """How many files were checked, and every problem (errors and warnings) found in them."""

    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return not any(p.level == "error" for p in self.problems)


def validate_paths(paths: list[Path | str] | None = None, library: PatternLibrary | None = None) -> ValidationReport:
    """Check files, directories and ``-`` (standard input); the shipped pattern library when none."""
    report = ValidationReport()
    if not paths:
        _collect(report, lambda: _summaries_fit(load_library()))
        return report
    for path in paths:
        if str(path) != STDIN and _is_directory(Path(path)):
            _validate_directory(Path(path), report, library)
        else:
            _collect(report, lambda p=path: _validate_file(p, report, library))  # type: ignore[misc]
    return report


def _is_directory(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long for the system, say: reading it reports the reason
        return False


def _collect(report: ValidationReport, check: Callable[[], int]) -> None:
    """Run one check, counting what it checked or keeping the problems it raised."""
    try:
        report.checked += check()
    except InputError as error:
        report.problems.extend(error.problems)


def _validate_file(path: Path | str, report: ValidationReport, library: PatternLibrary | None) -> int:
    doc = load_yaml_file(path)
    if _is_pattern(doc, path):
        if str(path) == STDIN:  # no file name or folder to check against its id
            return _summaries_fit(PatternLibrary({"-": pattern_from_document(doc)}, {"-": STDIN}))
        return _summaries_fit(load_pattern_files([Path(path)]))  # again, for the size limit and its path
    if is_review_document(doc):
        return _review(doc, library)
    return _architecture_warnings(doc, report, library)


def _review(doc: YamlDocument, library: PatternLibrary | None) -> int:
    check_review_document(doc, library or load_library())
    return 1


def _validate_directory(root: Path, report: ValidationReport, library: PatternLibrary | None) -> None:
    """A directory of architectures, a pattern library (<category>/<id>.yaml), or both, file by file."""
    files = sorted(root.glob("*.y*ml")) + sorted(root.glob("*/*.y*ml"))
    files = [f for f in files if f.is_file()]
    if not files:
        report.problems.append(Problem(str(root), None, "", "no YAML files here or in its subdirectories"))
        return
    patterns: list[Path] = []
    for path in files:
        try:
            doc = load_yaml_file(path)
        except InputError as error:
            report.problems.extend(error.problems)
            continue
        if _is_pattern(doc, path):
            patterns.append(path)
        elif is_review_document(doc):
            _collect(report, lambda d=doc: _review(d, library))  # type: ignore[misc]
        else:
            _collect(report, lambda d=doc: _architecture_warnings(d, report, library))  # type: ignore[misc]
    if patterns:
        _collect(report, lambda: _summaries_fit(load_pattern_files(patterns)))


def _is_pattern(doc: YamlDocument, path: Path | str) -> bool:
    """What the file holds decides; its name only breaks a tie when it holds neither kind clearly."""
    if is_pattern_document(doc):
        return True
    data = doc.data
    unclear = isinstance(data, dict) and "components" not in data and "name" not in data
    return unclear and Path(str(path)).name.startswith("TMKB-")


def _architecture_warnings(doc: YamlDocument, report: ValidationReport, library: PatternLibrary | None) -> int:
    """Check an architecture as analyze does (analysing it: acceptances naming no pattern are its
    errors, raised), keeping its warnings and the notes its analysis gives."""
    from tmkb_graph.analysis import analyze_with_file_warnings  # the analysis is needed only for architectures

    arch = check_architecture_document(doc)
    library = library or load_library()
    result, file_warnings = analyze_with_file_warnings(arch, library)
    report.problems.extend(file_warnings)
    report.problems.extend(assumption_notes(arch, result))
    report.problems.extend(sibling_notes(arch))
    report.problems.extend(admin_scope_notes(arch))
    report.problems.extend(delivery_notes(arch, library))
    report.problems.extend(named_tenant_notes(arch, library))
    return 1


def _summaries_fit(library: PatternLibrary) -> int:
    """Hold every agent summary to its budget in real tokens; the number of patterns checked."""
    problems = []
    for key, pattern in sorted(library.patterns.items()):
        tokens = agent_summary_tokens(pattern.agent_summary)
        if tokens >= AGENT_SUMMARY_TOKEN_LIMIT:
            file = library.files.get(key, pattern.id)
            message = f"the agent summary is {tokens} tokens (cl100k_base); keep threat, check and fix under {AGENT_SUMMARY_TOKEN_LIMIT} together"
            problems.append(Problem(file, _line_of(file, "agent_summary:"), "agent_summary", message))
    if problems:
        raise InputError(problems)
    return len(library.patterns)


def _line_of(file: str, key: str) -> int | None:
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return next((i for i, line in enumerate(lines, 1) if line.startswith(key)), None)
