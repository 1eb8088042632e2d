"""`scan` and `eval`: code to architecture to findings, and baseline-versus-enhanced comparisons.

Only typer and the standard library are imported here; the scanner and the analysis are imported
inside the commands, so `tmkb-graph --help` stays fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from tmkb_graph.cli_options import FailOn, FailOnOption, FormatOption, OutputFormat, exit_bad_input, exit_on_findings, print_result


class EvalFormat(str, Enum):
    table = "table"
    json = "json"


def _directory(path: Path, what: str) -> None:
    if not path.exists():
        exit_bad_input(f"{path}: no such directory; {what} must be a directory of Python code")
    if not path.is_dir():
        exit_bad_input(f"{path}: not a directory; {what} must be a directory of Python code")


def scan_command(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="The directory of Python code to scan.")],
    output_format: FormatOption = OutputFormat.table,
    emit_architecture: Annotated[
        Optional[Path],
        typer.Option("--emit-architecture", metavar="FILE", help="Also write the inferred architecture here, for review and `analyze`."),
    ] = None,
    fail_on: FailOnOption = FailOn.low,
) -> None:
    """Infer the architecture of the Python code in DIR (parsed, never run) and report its threats, pointing at the code."""
    from tmkb_graph.errors import InputError
    from tmkb_graph.scan import scan_directory

    _directory(directory, "DIR")
    try:
        scanned = scan_directory(directory)
    except InputError as error:  # the inferred architecture failed its own checks: a scanner bug, said plainly
        exit_bad_input(error)
    if emit_architecture is not None:
        _write_architecture(emit_architecture, scanned.architecture_yaml)
    if scanned.result is None:
        for note in scanned.notes:
            typer.echo(note, err=True)
        return
    print_result(scanned.result, output_format)
    exit_on_findings(scanned.result, fail_on)


def _write_architecture(path: Path, text: str | None) -> None:
    if text is None:
        typer.echo(f"nothing written to {path}: no architecture was inferred", err=True)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        exit_bad_input(f"{path}: cannot write the architecture ({error.strerror or error})")


def eval_command(
    baseline: Annotated[Path, typer.Argument(metavar="BASELINE_DIR", help="Generated apps without the patterns' guidance, one per subfolder.")],
    enhanced: Annotated[Path, typer.Argument(metavar="ENHANCED_DIR", help="Generated apps with the guidance, one per subfolder.")],
    output_format: Annotated[
        EvalFormat, typer.Option("--format", "-f", metavar="FORMAT", help="table or json.")
    ] = EvalFormat.table,
) -> None:
    """Scan every app in both folders and compare how many leave each pattern open, with 95% Wilson intervals."""
    from tmkb_graph.scan.evaluate import evaluate, evaluation_json, evaluation_table

    _directory(baseline, "BASELINE_DIR")
    _directory(enhanced, "ENHANCED_DIR")
    report = evaluate(baseline, enhanced)
    sys.stdout.write(evaluation_json(report) if output_format is EvalFormat.json else evaluation_table(report))


def register(app: typer.Typer) -> None:
    """Add `scan` and `eval` to the tmkb-graph command."""
    from tmkb_graph.cli_help import PlainCommand

    app.command("scan", cls=PlainCommand)(scan_command)
    app.command("eval", cls=PlainCommand)(eval_command)
