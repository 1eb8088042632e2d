"""The console entry point: a repeated `list` or `get` is answered from the answer cache before typer,
pydantic or the library is imported; everything else goes to the command line interface."""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    from tmkb_graph import answer_cache

    request = answer_cache.request_of(sys.argv[1:])
    answer = answer_cache.lookup(request) if request is not None else None
    if answer is None:
        from tmkb_graph.cli import main as cli_main

        cli_main()
        return
    try:
        sys.stdout.write(answer)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (head, less) went away: nothing left to say to it
        sys.stderr.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
