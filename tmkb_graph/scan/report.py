"""A scan from directory to findings: walk, detect, infer, emit, analyse, point at code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tmkb_graph.findings import AnalysisResult
from tmkb_graph.library import PatternLibrary
from tmkb_graph.scan.emit import architecture_yaml
from tmkb_graph.scan.infer import Inferred, infer_architecture
from tmkb_graph.scan.walk import MAX_FILES, walk_python


@dataclass
class ScanResult:
    """What a scan found: the inferred architecture (dict and YAML), the analysis pointed at code, notes."""

    directory: str
    files: int
    architecture: dict[str, Any] | None
    architecture_yaml: str | None
    result: AnalysisResult | None
    notes: list[str] = field(default_factory=list)
    inferred: Inferred | None = None


def scan_directory(
    directory: Path | str,
    library: PatternLibrary | None = None,
    today: dt.date | None = None,
    max_files: int = MAX_FILES,
    progress: bool | None = None,
) -> ScanResult:
    """Scan the Python code under ``directory`` and analyse the architecture it implements."""
    from tmkb_graph.analysis import analyze
    from tmkb_graph.architecture import parse_architecture
    from tmkb_graph.scan.locate import point_at_code

    root = Path(directory)
    if not root.is_dir():
        raise NotADirectoryError(f"{directory}: not a directory")
    walked = walk_python(root, max_files=max_files, progress=progress, imported_only=True)
    inferred = infer_from_sources(walked.files, root)
    notes = walked.notes + inferred.notes
    shown = str(directory)
    if not inferred.architecture.get("components"):
        notes.append(f"{shown}: no web routes, webhook receivers or tasks found; nothing to analyse")
        return ScanResult(shown, len(walked.files), None, None, None, notes, inferred)
    text = architecture_yaml(inferred.architecture, shown)
    loaded = parse_architecture(text, file=f"<architecture inferred from {shown}>")
    analysed = analyze(loaded, library, today=today)
    located = point_at_code(analysed, inferred.sites, inferred.claims, shown)
    located = located.model_copy(update={"warnings": located.warnings + [f"scan: {n}" for n in notes]})
    return ScanResult(shown, len(walked.files), inferred.architecture, text, located, notes, inferred)


def infer_from_sources(sources: list, root: Path) -> Inferred:
    """Run every detector over parsed files and infer the architecture they implement."""
    from tmkb_graph.scan.detect import detect_all
    from tmkb_graph.scan.project import Project

    project = Project.from_sources(sources)
    found = detect_all(project)
    return infer_architecture(project, found.routes, found.tasks, found.enqueues, found.models, _name(root), found.signals)


def _name(root: Path) -> str:
    name = root.resolve().name or "scanned code"
    return name[:200]
