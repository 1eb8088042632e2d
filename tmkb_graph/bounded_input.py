"""Reading a file or standard input for a parser: regular files only, never more than a size limit."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from tmkb_graph.errors import InputError, Problem

MAX_FILE_BYTES = 32 * 1024 * 1024  # an 80,000-component architecture is about 27 MB
_CHUNK = 1 << 20
STDIN = "-"
STDIN_NAME = "<stdin>"


def read_text(path: Path | str, max_bytes: int = MAX_FILE_BYTES) -> tuple[str, str]:
    """The name to report and the UTF-8 text of ``path`` (``-`` for standard input), read as read_input reads."""
    file = STDIN_NAME if str(path) == STDIN else str(path)
    raw = read_input(path, max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(file, line, "", "the file is not valid UTF-8 text")]) from None
    del raw  # the bytes are not needed once decoded: a large file is not held twice while it is parsed
    return file, text


def read_input(path: Path | str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, or of standard input for ``-``, reading at most ``max_bytes``.

    The reported size is not trusted (a symlink to /dev/zero reports 0 bytes and never ends): the read
    itself stops one byte past the limit. Devices, FIFOs, sockets and directories are refused without
    reading, and the open does not block on a FIFO with no writer.
    """
    if str(path) == STDIN:
        return _bounded(sys.stdin.buffer, STDIN_NAME, max_bytes)
    file = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError([Problem(file, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    kind = _file_kind(os.fstat(fd).st_mode)
    if kind is not None:
        os.close(fd)
        raise InputError([Problem(file, None, "", f"this is {kind}, not a regular file; give the path of a YAML file")])
    with os.fdopen(fd, "rb") as stream:
        return _bounded(stream, file, max_bytes)


def _file_kind(mode: int) -> str | None:
    """None for a regular file, else what the path is, in words."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _bounded(stream: BinaryIO, file: str, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes, read in chunks so that no buffer of the limit's size is allocated up front."""
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= max_bytes:
            chunk = stream.read(min(_CHUNK, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        raw = b"".join(chunks)
        del chunks
    except OSError as exc:
        raise InputError([Problem(file, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    if len(raw) > max_bytes:
        raise InputError([Problem(file, None, "", f"the input is too large; the limit is {max_bytes:,} bytes")])
    return raw
