"""Safe YAML for files written by strangers: size, depth and node limits, no aliases, line numbers.

PyYAML's safe loader still expands aliases (the "billion laughs" bomb), accepts duplicate keys by
keeping the last one, recurses once per nesting level, and trusts explicit tags (``!!binary`` is
decoded, ``!!seq`` on a scalar becomes a list). This module refuses all of these before building any
Python object, bounds every read and every key and value, and records the line of every value so
errors can point at it.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from tmkb_graph.errors import InputError, Problem, format_path
from tmkb_graph.text import shown
from tmkb_graph.yaml_wording import syntax_problem as _syntax_problem

try:  # libyaml is an order of magnitude faster on large architectures
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 4_000_000
MAX_KEY_CHARS = 200  # ids and names are keys; YAML itself stops plain keys at 1,024 characters
MAX_SCALAR_CHARS = 20_000  # the longest free text (a pattern's code example) is a few thousand
MAX_NUMBER_CHARS = 30
STDIN = "-"
STDIN_NAME = "<stdin>"

PathKey = tuple[str | int, ...]

_PLAIN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


@dataclass
class YamlDocument:
    """A parsed YAML document: the plain data and the line each value starts on."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        """The line of the value at ``path``, or of its nearest ancestor that has one."""
        line = self.lines.get(path)
        if line is not None:
            return line
        probe = tuple(path)
        while True:
            if probe in self.lines:
                return self.lines[probe]
            if not probe:
                return None
            probe = probe[:-1]

    def problem(self, path: PathKey, message: str, level: str = "error") -> Problem:
        """A problem located at ``path`` in this document."""
        return Problem(self.file, self.line_of(path), format_path(path), message, level)  # type: ignore[arg-type]


def load_yaml_file(path: Path | str, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    """Read and parse ``path`` (``-`` for standard input) safely; raise InputError on any failure."""
    file = STDIN_NAME if str(path) == STDIN else str(path)
    raw = read_input(path, max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(file, line, "", "the file is not valid UTF-8 text")]) from None
    return load_yaml_text(text, file)


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
    try:
        raw = stream.read(max_bytes + 1)
    except OSError as exc:
        raise InputError([Problem(file, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    if len(raw) > max_bytes:
        raise InputError([Problem(file, None, "", f"the input is too large; the limit is {max_bytes:,} bytes")])
    return raw


def load_yaml_text(text: str, file: str = "<string>") -> YamlDocument:
    """Parse YAML text safely into plain data with line numbers."""
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", errors="ignore")) > MAX_FILE_BYTES:
        raise InputError([Problem(file, None, "", f"the text is larger than {MAX_FILE_BYTES:,} bytes")])
    tagged = _check_structure(text, file)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(exc, file, text)]) from None
    doc = YamlDocument(file, None)
    if node is None:
        return doc
    builder = _Builder(doc, tagged)
    doc.data = builder.build(node, ())
    if builder.problems:
        raise InputError(builder.problems)
    return doc


def _check_structure(text: str, file: str) -> dict[tuple[int, int], str]:
    """Refuse aliases, deep nesting, huge node counts and multiple documents from the event stream.

    Returns where each explicitly tagged node starts, and its tag, so the builder can refuse it with its field path.
    The event parser is iterative, so this runs in bounded stack however hostile the input is.
    """
    depth = 0
    nodes = 0
    documents = 0
    tagged: dict[tuple[int, int], str] = {}
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1
                raise InputError(
                    [Problem(file, line, "", "YAML aliases (*name) are not accepted; write the value out in full")]
                )
            if getattr(event, "tag", None) is not None:
                tagged[(event.start_mark.line, event.start_mark.column)] = event.tag
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1
                    raise InputError([Problem(file, line, "", f"the data is nested more than {MAX_DEPTH} levels deep")])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    line = event.start_mark.line + 1
                    raise InputError([Problem(file, line, "", "the file holds more than one YAML document")])
            if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                nodes += 1
                if nodes > MAX_NODES:
                    raise InputError([Problem(file, None, "", f"the file has more than {MAX_NODES:,} values")])
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(exc, file, text)]) from None
    return tagged


class _Builder:
    """Turns a composed node tree into plain dicts, lists and scalars, recording lines.

    Only plain YAML is accepted: an explicit tag (``!!int``, ``!!binary``, ``!custom``) is refused
    rather than trusted, and over-long keys and values are refused before any model sees them.
    """

    def __init__(self, doc: YamlDocument, tagged: dict[tuple[int, int], str]) -> None:
        self.doc = doc
        self.tagged = tagged
        self.problems: list[Problem] = []
        self._scalars = yaml.SafeLoader("")  # only its scalar constructors are used

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.doc.lines[path] = node.start_mark.line + 1
        if self._explicit_tag(node, path):
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _explicit_tag(self, node: yaml.Node, path: PathKey) -> bool:
        """Record a problem and return True when ``node`` carries a tag written in the file."""
        written = self.tagged.get((node.start_mark.line, node.start_mark.column))
        if written is None and (isinstance(node, yaml.ScalarNode) or node.tag in _PLAIN_COLLECTION_TAGS):
            return False
        message = f"explicit YAML tags are not accepted (found {_short_tag(written or node.tag)}); write a plain value"
        self.problems.append(self.doc.problem(path, message))
        return True

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = self._key(key_node, path, line)
            if key is None:
                continue
            if key in out:
                self.problems.append(
                    Problem(
                        self.doc.file,
                        line,
                        format_path(path + (key,)),
                        f"duplicate key '{shown(key)}' (first defined on line {first_line[key]})",
                    )
                )
                continue
            first_line[key] = line
            out[key] = self.build(value_node, path + (key,))
            self.doc.lines[path + (key,)] = line
        return out

    def _key(self, key_node: yaml.Node, path: PathKey, line: int) -> str | None:
        """The key as text, or None (with a problem recorded) when it cannot be a key."""
        where = format_path(path)
        if not isinstance(key_node, yaml.ScalarNode):
            self.problems.append(Problem(self.doc.file, line, where, "a mapping key must be a plain word"))
            return None
        if key_node.tag == "tag:yaml.org,2002:merge":
            self.problems.append(Problem(self.doc.file, line, where, "YAML merge keys (<<) are not accepted"))
            return None
        written = self.tagged.get((key_node.start_mark.line, key_node.start_mark.column))
        if written is not None:
            message = f"explicit YAML tags are not accepted (found {_short_tag(written)} on a key)"
            self.problems.append(Problem(self.doc.file, line, where, message))
            return None
        key = str(key_node.value)
        if len(key) > MAX_KEY_CHARS:
            message = f"a key of {len(key):,} characters ('{shown(key, 40)}'); keys and ids are limited to {MAX_KEY_CHARS}"
            self.problems.append(Problem(self.doc.file, line, where, message))
            return None
        return key

    def _scalar(self, node: yaml.Node, path: PathKey) -> Any:
        if len(node.value) > MAX_SCALAR_CHARS:
            message = f"this value is {len(node.value):,} characters long; the limit is {MAX_SCALAR_CHARS:,}"
            self.problems.append(self.doc.problem(path, message))
            return None
        if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_NUMBER_CHARS:
            self.problems.append(self.doc.problem(path, f"the number '{shown(node.value, 20)}' is too long"))
            return None
        try:
            return self._scalars.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError):
            # a YAML timestamp like 2027-13-01 fails inside datetime, not the YAML layer
            if node.tag == "tag:yaml.org,2002:timestamp":
                message = f"invalid date '{shown(node.value)}' (write dates as YYYY-MM-DD)"
            else:
                message = f"invalid value '{shown(node.value)}'"
            self.problems.append(self.doc.problem(path, message))
            return None


def _short_tag(tag: str) -> str:
    """'tag:yaml.org,2002:int' as a user writes it: '!!int'."""
    return "'" + shown(tag.replace("tag:yaml.org,2002:", "!!"), 40) + "'"
