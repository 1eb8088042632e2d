"""The tmkb-graph command: parses arguments, calls the library, renders. Nothing else lives here.

Exit codes: 0 clean, 1 open findings at or above --fail-on, 2 bad input. A FILE of ``-`` is read
from standard input.

Cold start matters (``list`` and ``get`` answer in a fraction of a second): each command imports
what it needs when it runs, so ``list`` never loads networkx or the analysis, and ``get`` never loads
the analysis.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # no entry-point scan at the first model

import typer

from tmkb_graph.cli_help import PlainCommand, PlainGroup
from tmkb_graph.cli_options import (
    EXIT_BAD_INPUT,
    EXIT_CLEAN,
    FailOn,
    FailOnOption,
    FormatOption,
    OutputFormat,
    exit_bad_input,
    exit_on_findings,
    print_result,
)
from tmkb_graph import teardown
from tmkb_graph.errors import InputError, Problem, report_lines

app = typer.Typer(
    help="Find the authorization threats at the trust boundaries of a described architecture.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=PlainGroup,
)


class PatternFormat(str, Enum):
    table = "table"
    text = "text"  # the name list used before it matched analyze's; kept as an alias of table
    json = "json"


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"tmkb-graph {version('tmkb-graph')}")
        except PackageNotFoundError:  # pragma: no cover - running from a checkout without installing
            typer.echo("tmkb-graph (not installed)")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def _root(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Find the authorization threats at the trust boundaries of a described architecture."""


def _print_problems(problems: list[Problem]) -> None:
    for line in report_lines(problems):
        typer.echo(line, err=True)


@app.command("analyze", cls=PlainCommand)
def analyze_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The architecture YAML file to analyse; - reads standard input.")],
    output_format: FormatOption = OutputFormat.table,
    fail_on: FailOnOption = FailOn.low,
) -> None:
    """Match every pattern against FILE and report each applicable threat and its missing mitigations."""
    from tmkb_graph.analysis import analyze
    from tmkb_graph.architecture import load_architecture
    from tmkb_graph.library import load_library

    try:
        result = analyze(load_architecture(file), load_library())
    except InputError as error:
        exit_bad_input(error)
    print_result(result, output_format)
    teardown.request()
    exit_on_findings(result, fail_on)


_PATTERN_FORMAT_HELP = "table (or text) or json."


@app.command("list", cls=PlainCommand)
def list_command(
    output_format: Annotated[
        PatternFormat, typer.Option("--format", "-f", metavar="FORMAT", help=_PATTERN_FORMAT_HELP)
    ] = PatternFormat.table,
) -> None:
    """List the patterns in the library."""
    from tmkb_graph.library import load_library
    from tmkb_graph.render.json_out import patterns_json
    from tmkb_graph.render.table import patterns_table

    from tmkb_graph.library_answers import remember_library

    try:
        library = load_library()
    except InputError as error:
        exit_bad_input(error)
    patterns = library.sorted()
    answer = patterns_json(patterns) if output_format is PatternFormat.json else patterns_table(patterns)
    sys.stdout.write(answer)
    remember_library(library)


@app.command("get", cls=PlainCommand)
def get_command(
    pattern_id: Annotated[str, typer.Argument(metavar="ID", help="A pattern id, such as TMKB-AUTHZ-001.")],
    output_format: Annotated[
        PatternFormat, typer.Option("--format", "-f", metavar="FORMAT", help=_PATTERN_FORMAT_HELP)
    ] = PatternFormat.table,
) -> None:
    """Show one pattern in full."""
    from tmkb_graph.knowledge_graph import related_in_library
    from tmkb_graph.library import load_library
    from tmkb_graph.render.json_out import pattern_json
    from tmkb_graph.render.table import pattern_text

    try:
        library = load_library()
    except InputError as error:
        exit_bad_input(error)
    try:
        pattern = library.get(pattern_id.strip().upper())
    except KeyError as error:
        exit_bad_input(error.args[0])
    from tmkb_graph.library_answers import remember_library

    if output_format is PatternFormat.json:
        answer = pattern_json(pattern)
    else:
        answer = pattern_text(pattern, related_in_library(library, pattern.id))
    sys.stdout.write(answer)
    remember_library(library)


@app.command("validate", cls=PlainCommand)
def validate_command(
    paths: Annotated[
        Optional[list[Path]],
        typer.Argument(
            metavar="PATH",
            help="Architecture files, pattern files, or directories of either; - reads standard input. "
            "The shipped pattern library if none.",
        ),
    ] = None,
    shacl: Annotated[
        bool, typer.Option("--shacl", help="Also hold their RDF to the SHACL shapes in ontology/shapes.ttl.")
    ] = False,
) -> None:
    """Check pattern and architecture files and report every problem with its file and line."""
    from tmkb_graph.validation import validate_paths

    report = validate_paths(list(paths or []))
    if shacl and report.ok:
        report.problems.extend(cli_rdf.shacl_problems(list(paths or [])))
    _print_problems(report.problems)
    if not report.ok:
        raise typer.Exit(EXIT_BAD_INPUT)
    typer.echo(f"ok: {report.checked} file{'s' if report.checked != 1 else ''} valid")


from tmkb_graph import cli_agent, cli_rdf, cli_scan  # noqa: E402  (commands of the rdf layer, the agent interface and the code scan)

cli_rdf.register(app)
cli_agent.register(app)
cli_scan.register(app)


def main() -> None:
    """Console-script entry point."""
    try:
        try:
            app()
        except SystemExit as done:
            teardown.exit_now(done.code)
            raise
    except BrokenPipeError:  # the reader (head, less) went away: nothing left to say to it
        sys.stderr.close()
        sys.exit(EXIT_CLEAN)


if __name__ == "__main__":
    main()
