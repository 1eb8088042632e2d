"""The RDF commands: export, sparql, queries, publish. Heavy imports happen inside the commands."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from tmkb_graph.cli_help import PlainCommand
from tmkb_graph.cli_options import EXIT_SERVER, exit_bad_input

if TYPE_CHECKING:  # pragma: no cover
    from tmkb_graph.errors import Problem
    from tmkb_graph.rdf.query import SparqlResult

_ARCH_HELP = "An architecture file to analyse and include as a named graph; repeat for more."


class ExportFormat(str, Enum):
    turtle = "turtle"
    jsonld = "jsonld"
    ntriples = "ntriples"
    trig = "trig"
    nquads = "nquads"


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
        exit_bad_input(error)
    sys.stdout.write(text)


class ResultFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ListFormat(str, Enum):
    table = "table"
    json = "json"


MAX_QUERY_FILE_BYTES = 1_000_000


def sparql_command(
    query: Annotated[
        Optional[str], typer.Argument(metavar="NAME|FILE.rq", help="A named query (see `tmkb-graph queries`) or a .rq file.")
    ] = None,
    text: Annotated[Optional[str], typer.Option("--query", "-q", metavar="TEXT", help="The query's text.")] = None,
    arch: Annotated[Optional[list[Path]], typer.Option("--arch", metavar="FILE", help=_ARCH_HELP)] = None,
    param: Annotated[
        Optional[list[str]], typer.Option("--param", "-p", metavar="NAME=VALUE", help="Bind a query variable to a value; repeat for more.")
    ] = None,
    output_format: Annotated[
        ResultFormat, typer.Option("--format", "-f", metavar="FORMAT", help="table, json (SPARQL 1.1 JSON results) or csv.")
    ] = ResultFormat.table,
    endpoint: Annotated[
        Optional[str], typer.Option(metavar="URL", help="Query this SPARQL server's query endpoint instead of a local store.")
    ] = None,
    auth: Annotated[
        Optional[str], typer.Option(metavar="SCHEME", help="basic, digest or bearer; credentials come from TMKB_SPARQL_* variables.")
    ] = None,
    timeout: Annotated[float, typer.Option(metavar="SECONDS", min=0.1, help="Stop the query after this long.")] = 10.0,
    max_rows: Annotated[int, typer.Option(metavar="N", min=1, help="Print at most N rows.")] = 1000,
) -> None:
    """Run a read-only SPARQL query over the knowledge base and each --arch (or over a server)."""
    from tmkb_graph.errors import InputError
    from tmkb_graph.rdf.http import ServerError

    try:
        result = _run(query, text, list(arch or []), param or [], endpoint, auth, timeout, max_rows)
    except InputError as error:
        exit_bad_input(error)
    except ServerError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_SERVER) from None
    from tmkb_graph.rdf.render import result_csv, result_table
    from tmkb_graph.rdf.query import sparql_json_text

    render = {ResultFormat.table: result_table, ResultFormat.json: sparql_json_text, ResultFormat.csv: result_csv}
    sys.stdout.write(render[output_format](result))
    if result.truncated:
        typer.echo(f"note: the answer was cut at {max_rows:,} rows (--max-rows)", err=True)


def _run(
    query: str | None, text: str | None, arch: list[Path], params: list[str], endpoint: str | None,
    auth: str | None, timeout: float, max_rows: int,
) -> SparqlResult:
    from tmkb_graph.errors import InputError, Problem
    from tmkb_graph.rdf.http import auth_from_env
    from tmkb_graph.rdf.query import run_on_endpoint, run_sparql

    if (query is None) == (text is None):
        raise InputError([Problem("sparql", None, "", "give one query: a NAME, a FILE.rq, or --query TEXT")])
    bound = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError([Problem("--param", None, "", f"expected NAME=VALUE, got '{item[:80]}'")])
        bound[key.strip().lstrip("?$")] = value
    name = None
    if query is not None:
        path = Path(query)
        if query.endswith(".rq") or path.is_file():
            text = _read_query_file(path)
        else:
            name = query
    if endpoint is None:
        return run_sparql(text, name=name, arch_files=arch, params=bound, timeout_s=timeout, max_rows=max_rows)
    if arch:
        raise InputError([Problem("--arch", None, "", "--arch and --endpoint do not mix: publish the architectures, then query the server")])
    return run_on_endpoint(
        endpoint, text, name=name, params=bound, auth=auth_from_env(auth), timeout_s=timeout, max_rows=max_rows
    )


def _read_query_file(path: Path) -> str:
    from tmkb_graph.errors import InputError, Problem

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_QUERY_FILE_BYTES + 1)
    except OSError as error:
        raise InputError([Problem(str(path), None, "", f"cannot read the query: {error.strerror or error}")]) from None
    if len(data) > MAX_QUERY_FILE_BYTES:
        raise InputError([Problem(str(path), None, "", f"a query file is at most {MAX_QUERY_FILE_BYTES:,} bytes")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([Problem(str(path), None, "", "the query is not UTF-8 text")]) from None


def queries_command(
    output_format: Annotated[ListFormat, typer.Option("--format", "-f", metavar="FORMAT", help="table or json.")] = ListFormat.table,
) -> None:
    """List the named SPARQL queries that ship with tmkb-graph."""
    import json

    from tmkb_graph.rdf.query import list_named_queries

    named = list_named_queries()
    if output_format is ListFormat.json:
        sys.stdout.write(json.dumps([q.model_dump() for q in named], indent=2) + "\n")
        return
    for q in named:
        params = f"  [--param {' --param '.join(p + '=...' for p in q.params)}]" if q.params else ""
        typer.echo(f"{q.name}{params}\n    {q.title}. {q.description}")


def shacl_problems(paths: list[Path]) -> list[Problem]:
    """validate --shacl: the SHACL violations in the RDF of these files (or of the shipped library)."""
    from tmkb_graph.errors import InputError
    from tmkb_graph.rdf.shacl import validate_paths_shacl

    try:
        return validate_paths_shacl(paths)
    except InputError as error:
        return list(error.problems)


def publish_command(
    endpoint: Annotated[
        str, typer.Option(metavar="URL", help="The server's Graph Store endpoint (Oxigraph: http://HOST:7878/store).")
    ],
    arch: Annotated[Optional[list[Path]], typer.Option("--arch", metavar="FILE", help=_ARCH_HELP)] = None,
    auth: Annotated[
        Optional[str], typer.Option(metavar="SCHEME", help="basic, digest or bearer; credentials come from TMKB_SPARQL_* variables.")
    ] = None,
    timeout: Annotated[float, typer.Option(metavar="SECONDS", min=0.1, help="Give up on one graph after this long.")] = 120.0,
) -> None:
    """Load the knowledge base (default graph) and each --arch (its own graph) into a SPARQL server, replacing them."""
    from tmkb_graph.errors import InputError
    from tmkb_graph.rdf.dataset import build_graphs
    from tmkb_graph.rdf.http import auth_from_env, check_url
    from tmkb_graph.rdf.publish import publish

    try:
        check_url(endpoint)
        credentials = auth_from_env(auth)
        graphs = build_graphs(list(arch or []))
    except InputError as error:
        exit_bad_input(error)
    report = publish(
        endpoint, graphs, auth=credentials, timeout_s=timeout,
        on_landed=lambda name, n: typer.echo(f"published {name} ({n:,} triples)"),
    )
    if not report.ok:
        typer.echo(
            f"error: {report.error}\n{len(report.landed)} of {len(graphs)} graphs landed (listed above); "
            f"{report.failed} failed; {report.not_sent} not sent. Publishing again replaces each graph, so it is safe to retry.",
            err=True,
        )
        raise typer.Exit(EXIT_SERVER)
    typer.echo(f"ok: {len(graphs)} graph{'s' if len(graphs) != 1 else ''} published to {endpoint}")


def register(app: typer.Typer) -> None:
    """Add the RDF commands to the tmkb-graph command."""
    app.command("export", cls=PlainCommand)(export_command)
    app.command("sparql", cls=PlainCommand)(sparql_command)
    app.command("queries", cls=PlainCommand)(queries_command)
    app.command("publish", cls=PlainCommand)(publish_command)
