"""Ending a console process that built a large result without freeing it object by object.

After `analyze` has written its answer, the interpreter's own shutdown would release every finding,
gap and YAML value one at a time (about 0.25 s of an 8,000-component run, seconds at 80,000).
Nothing is left to do by then, so the console entry point flushes the streams and ends the process
at once (as mypy's hard exit does). Only the console entry point asks for it: a caller of ``app()``
in the same process (tests, an embedding program) never reaches ``exit_now``.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

_requested = False


def request() -> None:
    """Mark that the command has written its whole answer and holds a result not worth freeing."""
    global _requested
    _requested = True


def exit_now(code: object) -> None:
    """End the process with ``code`` (a SystemExit code) without the interpreter's teardown, when a
    command asked for it and the code is a number; otherwise return and let the exit go on as usual.
    A BrokenPipeError from flushing propagates to the caller's handler, as it would at shutdown."""
    if not _requested or not (code is None or isinstance(code, int)):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    _exit(code or 0)


def _exit(code: int) -> NoReturn:
    os._exit(code)
