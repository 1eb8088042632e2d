"""The RDF commands: export, sparql, queries, publish. Heavy imports happen inside the commands."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from tmkb_graph.cli_help import PlainCommand

EXIT_BAD_INPUT, EXIT_SERVER = 2, 3

_ARCH_HELP = "An architecture file to analyse and include as a named graph; repeat for more."


class ExportFormat(str, Enum):
    turtle = "turtle"
    jsonld = "jsonld"
    ntriples = "ntriples"
    trig = "trig"
    nquads = "nquads"


def _fail(error: Exception) -> None:
    from tmkb_graph.errors import InputError, report_lines

    if isinstance(error, InputError):
        for line in report_lines(error.problems):
            typer.echo(line, err=True)
    else:
        typer.echo(f"error: {error}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def export_command(
    arch: Annotated[Optional[list[Path]], typer.Option("--arch", metavar="FILE", help=_ARCH_HELP)] = None,
    output_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", metavar="FORMAT", help="turtle, jsonld, ntriples, trig or nquads.")
    ] = ExportFormat.turtle,
) -> None:
    """Print the knowledge base (and each --arch with its findings, as a named graph) as RDF."""
    from tmkb_graph.errors import InputError
    from tmkb_graph.rdf.dataset import build_graphs
    from tmkb_graph.rdf.export import serialize

    try:
        text = serialize(build_graphs(list(arch or [])), output_format.value)
    except InputError as error:
        _fail(error)
        return
    sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    """Add the RDF commands to the tmkb-graph command."""
    app.command("export", cls=PlainCommand)(export_command)
