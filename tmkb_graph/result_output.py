"""What `analyze` does with its result: print it in the chosen format and judge --fail-on.

Only the standard library at import, so the console entry point's direct path for a plain `analyze`
call (tmkb_graph.direct_analyze) and the command line interface share one implementation.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tmkb_graph.findings import AnalysisResult


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


class FailOn(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    none = "none"


def write_result(result: AnalysisResult, output_format: str) -> None:
    """Write ``result`` to standard output as table, json or markdown (JSON as the serializer's bytes)."""
    from tmkb_graph.render import analysis_markdown, analysis_table, write_analysis_json

    if output_format == "json":
        sys.stdout.flush()
        write_analysis_json(result, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    render = analysis_table if output_format == "table" else analysis_markdown
    sys.stdout.write(render(result))


def fails_at(result: AnalysisResult, fail_on: str) -> bool:
    """Whether an open finding of ``result`` is at least as severe as ``fail_on`` ('none' never fails)."""
    if fail_on == "none":
        return False
    from tmkb_graph.related import severity_ranks

    ranks = severity_ranks()
    return bool(result.open_at_or_above(ranks[fail_on], ranks))
