"""What the commands share: exit codes, the findings formats and --fail-on, and how a result is printed.

Imports only typer and the standard library at module level, so every command starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from tmkb_graph.result_output import FailOn, OutputFormat

if TYPE_CHECKING:
    from tmkb_graph.findings import AnalysisResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_SERVER = 0, 1, 2, 3




FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", metavar="FORMAT", help="How to print the findings: table, json or markdown.")
]
FailOnOption = Annotated[
    FailOn,
    typer.Option(
        case_sensitive=False,
        metavar="SEVERITY",
        help="Exit 1 when an open finding is at least this severe (critical, high, medium, low); 'none' never fails.",
    ),
]


def error_lines(error: Exception | str) -> list[str]:
    """How bad input is told: an InputError as its located problems, anything else as one ``error:`` line."""
    from tmkb_graph.errors import InputError, report_lines

    if isinstance(error, InputError):
        return report_lines(error.problems)
    return [f"error: {error}"]


def exit_bad_input(error: Exception | str) -> NoReturn:
    """Print ``error`` on standard error and exit 2."""
    for line in error_lines(error):
        typer.echo(line, err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def print_result(result: AnalysisResult, output_format: OutputFormat) -> None:
    """Write ``result`` to standard output in the chosen format (JSON as the serializer's bytes)."""
    from tmkb_graph.result_output import write_result

    write_result(result, output_format.value)


def exit_on_findings(result: AnalysisResult, fail_on: FailOn) -> None:
    """Exit 1 when an open finding of ``result`` is at least as severe as ``fail_on``."""
    from tmkb_graph.result_output import fails_at

    if fails_at(result, fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)
