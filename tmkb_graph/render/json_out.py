"""JSON output: sorted keys, two-space indent, so the same input gives the same bytes."""

from __future__ import annotations

import json

from tmkb_graph.findings import AnalysisResult
from tmkb_graph.pattern import Pattern


def analysis_json(result: AnalysisResult) -> str:
    """The whole analysis result as JSON."""
    return json.dumps(result.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def pattern_json(pattern: Pattern) -> str:
    """One pattern as JSON, with the field names its YAML file uses."""
    return json.dumps(pattern.model_dump(mode="json", by_alias=True), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def patterns_json(patterns: list[Pattern]) -> str:
    """The pattern list as JSON: id, name, severity, boundary and category of each."""
    rows = [
        {"id": p.id, "name": p.name, "severity": p.severity, "boundary": p.template.boundary, "category": p.category}
        for p in patterns
    ]
    return json.dumps(rows, indent=2, sort_keys=True) + "\n"
