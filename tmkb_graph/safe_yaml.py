"""Safe YAML for files written by strangers: size, depth and node limits, no aliases, line numbers.

PyYAML's safe loader still expands aliases (the "billion laughs" bomb), accepts duplicate keys by
keeping the last one, and recurses once per nesting level. This module refuses all three before
building any Python object, and records the line of every value so errors can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tmkb_graph.errors import InputError, Problem, format_path

try:  # libyaml is an order of magnitude faster on large architectures
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 4_000_000

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
    """Read and parse ``path`` safely; raise InputError with a located problem on any failure."""
    file = str(path)
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise InputError([Problem(file, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    if size > max_bytes:
        raise InputError(
            [Problem(file, None, "", f"the file is {size:,} bytes; the limit is {max_bytes:,} bytes")]
        )
    try:
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(file, line, "", "the file is not valid UTF-8 text")]) from None
    except OSError as exc:
        raise InputError([Problem(file, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    return load_yaml_text(text, file)


def load_yaml_text(text: str, file: str = "<string>") -> YamlDocument:
    """Parse YAML text safely into plain data with line numbers."""
    if len(text.encode("utf-8", errors="ignore")) > MAX_FILE_BYTES:
        raise InputError([Problem(file, None, "", f"the text is larger than {MAX_FILE_BYTES:,} bytes")])
    _check_structure(text, file)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(exc, file)]) from None
    doc = YamlDocument(file, None)
    if node is None:
        return doc
    builder = _Builder(doc)
    doc.data = builder.build(node, ())
    if builder.problems:
        raise InputError(builder.problems)
    return doc


def _check_structure(text: str, file: str) -> None:
    """Refuse aliases, deep nesting, huge node counts and multiple documents from the event stream.

    The event parser is iterative, so this runs in bounded stack however hostile the input is.
    """
    depth = 0
    nodes = 0
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1
                raise InputError(
                    [Problem(file, line, "", "YAML aliases (*name) are not accepted; write the value out in full")]
                )
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
        raise InputError([_syntax_problem(exc, file)]) from None


def _syntax_problem(exc: yaml.YAMLError, file: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    return Problem(file, line, "", message)


class _Builder:
    """Turns a composed node tree into plain dicts, lists and scalars, recording lines."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self._scalars = yaml.SafeLoader("")  # only its scalar constructors are used

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.doc.lines[path] = node.start_mark.line + 1
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_COLLECTION_TAGS:
            self.problems.append(self.doc.problem(path, f"the YAML tag '{node.tag}' is not accepted"))
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(self.doc.file, line, format_path(path), "a mapping key must be a plain word"))
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(
                    Problem(self.doc.file, line, format_path(path), "YAML merge keys (<<) are not accepted")
                )
                continue
            key = str(key_node.value)
            if key in out:
                self.problems.append(
                    Problem(
                        self.doc.file,
                        line,
                        format_path(path + (key,)),
                        f"duplicate key '{key}' (first defined on line {first_line[key]})",
                    )
                )
                continue
            first_line[key] = line
            out[key] = self.build(value_node, path + (key,))
            self.doc.lines[path + (key,)] = line
        return out

    def _scalar(self, node: yaml.Node, path: PathKey) -> Any:
        try:
            return self._scalars.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            # a YAML timestamp like 2027-13-01 fails inside datetime, not the YAML layer
            self.problems.append(self.doc.problem(path, f"invalid value '{node.value}': {getattr(exc, 'problem', exc)}"))
            return None
