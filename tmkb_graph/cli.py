"""The tmkb-graph command: parses arguments, calls the library, renders. Nothing else lives here.

Exit codes: 0 clean, 1 open findings at or above --fail-on, 2 bad input.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import load_architecture
from tmkb_graph.errors import InputError
from tmkb_graph.knowledge_graph import build_knowledge_graph, related_patterns
from tmkb_graph.library import load_library, load_pattern_file
from tmkb_graph.render import (
    analysis_json,
    analysis_markdown,
    analysis_table,
    pattern_json,
    pattern_text,
    patterns_json,
    patterns_table,
)
from tmkb_graph.vocabulary import load_vocabulary

EXIT_CLEAN, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(
    help="Find the authorization threats at the trust boundaries of a described architecture.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


class PatternFormat(str, Enum):
    text = "text"
    json = "json"


def _fail(error: InputError) -> None:
    for problem in error.problems:
        typer.echo(f"{problem.level}: {problem}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@app.command("analyze")
def analyze_command(
    file: Annotated[Path, typer.Argument(help="The architecture YAML file to analyse.")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="How to print the findings.")] = OutputFormat.table,
    fail_on: Annotated[
        FailOn, typer.Option(help="Exit 1 when an open finding is at least this severe; 'none' never fails.")
    ] = FailOn.low,
) -> None:
    """Match every pattern against FILE and report each applicable threat and its missing mitigations."""
    try:
        result = analyze(load_architecture(file), load_library())
    except InputError as error:
        _fail(error)
        return
    render = {OutputFormat.table: analysis_table, OutputFormat.json: analysis_json, OutputFormat.markdown: analysis_markdown}
    sys.stdout.write(render[output_format](result))
    if fail_on is not FailOn.none:
        vocab = load_vocabulary()
        ranks = {name: vocab.rank("severities", name) for name in vocab.names("severities")}
        if result.open_at_or_above(ranks[fail_on.value], ranks):
            raise typer.Exit(EXIT_FINDINGS)


@app.command("list")
def list_command(
    output_format: Annotated[PatternFormat, typer.Option("--format", "-f")] = PatternFormat.text,
) -> None:
    """List the patterns in the library."""
    try:
        patterns = load_library().sorted()
    except InputError as error:
        _fail(error)
        return
    sys.stdout.write(patterns_json(patterns) if output_format is PatternFormat.json else patterns_table(patterns))


@app.command("get")
def get_command(
    pattern_id: Annotated[str, typer.Argument(metavar="ID", help="A pattern id, such as TMKB-AUTHZ-001.")],
    output_format: Annotated[PatternFormat, typer.Option("--format", "-f")] = PatternFormat.text,
) -> None:
    """Show one pattern in full."""
    try:
        library = load_library()
    except InputError as error:
        _fail(error)
        return
    try:
        pattern = library.get(pattern_id.strip().upper())
    except KeyError as error:
        typer.echo(f"error: {error.args[0]}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if output_format is PatternFormat.json:
        sys.stdout.write(pattern_json(pattern))
    else:
        sys.stdout.write(pattern_text(pattern, related_patterns(build_knowledge_graph(library), pattern.id)))


@app.command("validate")
def validate_command(
    paths: Annotated[
        Optional[list[Path]],
        typer.Argument(help="Pattern files, architecture files or pattern directories; the shipped library if none."),
    ] = None,
) -> None:
    """Check pattern and architecture files and report every problem with its file and line."""
    problems = []
    checked = 0
    for path in paths or [None]:  # type: ignore[list-item]
        try:
            checked += _validate_one(path)
        except InputError as error:
            problems.extend(error.problems)
    errors = [p for p in problems if p.level == "error"]
    for problem in problems:
        typer.echo(f"{problem.level}: {problem}", err=True)
    if errors:
        raise typer.Exit(EXIT_BAD_INPUT)
    typer.echo(f"ok: {checked} file{'s' if checked != 1 else ''} valid")


def _validate_one(path: Path | None) -> int:
    if path is None or path.is_dir():
        return len(load_library(path).patterns)
    if _looks_like_pattern(path):
        load_pattern_file(path)
        return 1
    loaded = load_architecture(path)
    for warning in loaded.warnings:
        typer.echo(f"warning: {warning}", err=True)
    return 1


def _looks_like_pattern(path: Path) -> bool:
    if path.name.startswith("TMKB-"):
        return True
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return any(line.startswith("id: TMKB-") or line.startswith("template:") for line in head.splitlines())


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
