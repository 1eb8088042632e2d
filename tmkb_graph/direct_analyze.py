"""A plain `analyze FILE [--format F] [--fail-on S]` call, run by the console entry point without typer.

Typer's import and its parameter adapters cost about 0.05 s of every call (14 % of the instructions
of analysing a small file). A call whose arguments parse with certainty (one file, known values
spelt exactly, nothing else) is analysed here by the same functions the command calls; anything
else, and a file with a problem, goes to the command line interface, which parses, reports and
exits as it always has.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from tmkb_graph.result_output import FailOn, OutputFormat

FORMATS = frozenset(f.value for f in OutputFormat)
SEVERITIES = frozenset(f.value for f in FailOn)
_OPTIONS = {"--format": "format", "-f": "format", "--fail-on": "fail_on"}


def request_of(argv: list[str]) -> tuple[str, str, str] | None:
    """(file, format, fail-on) of a plain `analyze` call (``argv`` without the program name); None
    for any call whose parse is not certain."""
    if not argv or argv[0] != "analyze":
        return None
    chosen = {"format": "table", "fail_on": "low"}
    files: list[str] = []
    for name, value in _arguments(iter(argv[1:])):
        if name is None:
            files.append(value)
        elif name in _OPTIONS:
            chosen[_OPTIONS[name]] = value
        else:
            return None
    if len(files) != 1 or chosen["format"] not in FORMATS or chosen["fail_on"] not in SEVERITIES:
        return None
    return files[0], chosen["format"], chosen["fail_on"]


def _arguments(rest: Iterator[str]) -> Iterator[tuple[str | None, str]]:
    """(option, value) pairs and (None, positional) items; an unknown or bare option as ("?", arg)."""
    for arg in rest:
        name, equals, value = arg.partition("=")
        if arg in _OPTIONS:
            yield arg, next(rest, "")
        elif equals and name in ("--format", "--fail-on"):
            yield name, value
        elif arg.startswith("-") or not arg:
            yield "?", arg
        else:
            yield None, arg


def run(file: str, output_format: str, fail_on: str) -> int | None:
    """Analyse ``file`` and print the result as `analyze` does; the exit code, or None when the file
    has a problem (nothing was printed: the command line interface reports it)."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as tmkb_graph.cli: no entry-point scan
    from tmkb_graph.analysis import analyze
    from tmkb_graph.architecture import load_architecture
    from tmkb_graph.errors import InputError
    from tmkb_graph.library import load_library
    from tmkb_graph.result_output import fails_at, write_result

    try:
        result = analyze(load_architecture(Path(file)), load_library())
    except InputError:
        return None
    write_result(result, output_format)
    return 1 if fails_at(result, fail_on) else 0
