"""The console entry point: a repeated `list` or `get` is answered from the answer cache before typer,
pydantic or the library is imported, and any other plain `list` or `get` from the library checked
without them (tmkb_graph.plain_library); a plain `analyze` call is run without typer
(tmkb_graph.direct_analyze); everything else goes to the command line interface."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path


def main() -> None:
    """Console-script entry point."""
    from tmkb_graph import answer_cache

    argv = sys.argv[1:]
    request = answer_cache.request_of(argv)
    answer = None
    if request is not None:
        kept = answer_cache.answers_file()  # one key for the lookup and for keeping new answers
        answer = answer_cache.lookup(request, kept)
        if answer is None:
            answer = _plain_answer(request, kept)
    if answer is not None:
        _print_answer(answer)
    if request is None:
        _analyze_directly(argv)
    from tmkb_graph.cli import main as cli_main

    cli_main()


def _plain_answer(request: tuple[str, ...], kept: Path | None) -> str | None:
    """The answer made from the library checked without pydantic, or None for the command line
    interface to answer (and to report a broken installation, a missing data folder or an unreadable
    vocabulary exactly as it always did)."""
    from tmkb_graph.plain_library import plain_answer

    try:
        return plain_answer(request, kept)
    except Exception:  # noqa: BLE001 - only a slower answer: the full command runs instead
        return None


def _print_answer(answer: str) -> None:
    try:
        sys.stdout.write(answer)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (head, less) went away: nothing left to say to it
        sys.stderr.close()
    sys.exit(0)


def _analyze_directly(argv: list[str]) -> None:
    """Run a plain `analyze` call and exit as the command would; return (having printed nothing) for
    any other call or a file with a problem, which the command line interface then handles."""
    from tmkb_graph import direct_analyze, teardown

    call = direct_analyze.request_of(argv)
    if call is None:
        return
    try:
        code = direct_analyze.run(*call)
    except KeyboardInterrupt:
        sys.exit(130)  # as typer ends an interrupted command
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        os._exit(1)  # as typer ends a command whose reader went away: exit 1, nothing more written
    if code is None:
        return
    teardown.request()
    try:
        teardown.exit_now(code)
    except BrokenPipeError:  # as cli.main: the reader went away before the last flush
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":
    main()
