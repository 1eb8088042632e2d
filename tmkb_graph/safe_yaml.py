"""Safe YAML for files written by strangers: size, depth and node limits, no aliases, line numbers.

PyYAML's safe loader still expands aliases (the "billion laughs" bomb), accepts duplicate keys by
keeping the last one, recurses once per nesting level, and trusts explicit tags (``!!binary`` is
decoded, ``!!seq`` on a scalar becomes a list). This module refuses all of these, bounds every read
and every key and value, and records the line of every value so errors can point at it.

It reads libyaml's event stream once and builds the plain data directly (no node tree is composed and
no separate checking pass is made): about 2.5 times faster than composing, and the node tree is never
held in memory next to the data. Reading the file itself, bounded, is ``tmkb_graph.bounded_input``'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tmkb_graph.bounded_input import MAX_FILE_BYTES, read_text
from tmkb_graph.errors import InputError, Problem, format_path
from tmkb_graph.text import shown
from tmkb_graph.yaml_wording import syntax_problem as _syntax_problem

try:  # libyaml is an order of magnitude faster on large architectures
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _CParser  # type: ignore[assignment]

MAX_DEPTH = 32
MAX_NODES = 4_000_000
MAX_KEY_CHARS = 200  # ids and names are keys; YAML itself stops plain keys at 1,024 characters
MAX_SCALAR_CHARS = 20_000  # the longest free text (a pattern's code example) is a few thousand
MAX_NUMBER_CHARS = 30

PathKey = tuple[str | int, ...]

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
    file, text = read_text(path, max_bytes)
    return load_yaml_text(text, file)


def load_yaml_text(text: str, file: str = "<string>", keep_lines_in: Callable[[PathKey], bool] | None = None) -> YamlDocument:
    """Parse YAML text safely into plain data with line numbers: of every value, or of the values
    directly in the collections whose path ``keep_lines_in`` accepts (asked once per collection)."""
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", errors="ignore")) > MAX_FILE_BYTES:
        raise InputError([Problem(file, None, "", f"the text is larger than {MAX_FILE_BYTES:,} bytes")])
    doc = YamlDocument(file, None)
    builder = _Builder(doc, keep_lines_in)
    try:
        builder.run(_CParser(text))
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(exc, file, text)]) from None
    if builder.problems:
        raise InputError(builder.problems)
    return doc


class _Skip:
    """Stands for a value that is refused or not kept; its events are read and dropped."""


_SKIP = _Skip()


class _Frame:
    """An open mapping or sequence: its path, its value, and (for a mapping) the key awaiting its value."""

    __slots__ = ("path", "value", "key", "key_line", "first_line", "keep")

    def __init__(self, path: PathKey, value: Any, keep: bool = True) -> None:
        self.path = path
        self.keep = keep  # whether the lines of the values directly in it are recorded
        self.value = value  # a dict, a list, or _SKIP for a subtree whose events are dropped
        self.key: str | _Skip | None = None  # None: a key comes next; otherwise the key whose value comes next
        self.key_line = 0
        self.first_line: dict[str, int] = {}


class _Builder:
    """Builds plain dicts, lists and scalars from libyaml's event stream in one pass, recording lines.

    Nothing is composed first: each event is checked and turned into data as it arrives, on an explicit
    stack, so hostile nesting cannot exhaust Python's stack. Refused at once (raised): aliases, nesting
    past MAX_DEPTH, more than one document, more than MAX_NODES values, and a repeated anchor (as
    PyYAML's composer refuses it). Recorded as problems, after the whole stream was read: explicit tags
    (``!!int``, ``!!binary``, ``!custom``; a tagged collection is not read further), merge keys,
    non-scalar keys, duplicate keys, over-long keys and values, and values that are not valid.
    """

    def __init__(self, doc: YamlDocument, keep_lines_in: Callable[[PathKey], bool] | None = None) -> None:
        self.doc = doc
        self._keep_lines_in = keep_lines_in
        self.problems: list[Problem] = []
        self._scalars = yaml.SafeLoader("")  # only its scalar constructors are used
        self._stack: list[_Frame] = []
        self._anchors: dict[str, Any] = {}
        self._duplicate_anchor: yaml.YAMLError | None = None

    def run(self, parser: Any) -> None:
        """Read every event of ``parser``; raise YAMLError or InputError for what refuses the whole file."""
        get_event = parser.get_event
        documents = 0
        nodes = 0
        depth = 0
        scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        collection_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        while True:
            event = get_event()
            if event is None:
                break
            kind = type(event)
            if kind is scalar_event or kind is mapping_start or kind is sequence_start:
                nodes += 1
                if nodes > MAX_NODES:
                    raise InputError([Problem(self.doc.file, None, "", f"the file has more than {MAX_NODES:,} values")])
                if event.anchor is not None:
                    self._anchor(event)
                if kind is scalar_event:
                    if not self._placed_plain(event):
                        self._node(event, None)
                    continue
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1
                    raise InputError([Problem(self.doc.file, line, "", f"the data is nested more than {MAX_DEPTH} levels deep")])
                self._node(event, mapping_start if kind is mapping_start else list)
            elif kind in collection_end:
                depth -= 1
                self._stack.pop()
            elif kind is yaml.AliasEvent:
                line = event.start_mark.line + 1
                raise InputError(
                    [Problem(self.doc.file, line, "", "YAML aliases (*name) are not accepted; write the value out in full")]
                )
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    line = event.start_mark.line + 1
                    raise InputError([Problem(self.doc.file, line, "", "the file holds more than one YAML document")])
        if self._duplicate_anchor is not None:
            raise self._duplicate_anchor

    def _anchor(self, event: Any) -> None:
        """Remember the anchor; a second one of the same name is refused as PyYAML's composer refuses it."""
        first = self._anchors.setdefault(event.anchor, event.start_mark)
        if first is not event.start_mark and self._duplicate_anchor is None:
            self._duplicate_anchor = yaml.composer.ComposerError(
                "found duplicate anchor; first occurrence", first, "second occurrence", event.start_mark
            )

    def _node(self, event: Any, collection: Any) -> None:
        """A scalar (``collection`` None) or the start of a mapping or sequence, placed in its parent.

        The hottest code of a load (one call per value): its parent's kinds are told apart by type
        and the value is put in place here rather than by a further call.
        """
        stack = self._stack
        if not stack:  # the document's root
            self._root(event, collection)
            return
        parent = stack[-1]
        held = parent.value
        if held is _SKIP:
            if collection is not None:
                stack.append(_Frame((), _SKIP))
            return
        in_list = type(held) is list
        if in_list:
            path: PathKey = parent.path + (len(held),)
        else:
            key = parent.key
            if key is None:
                self._key(parent, event, collection)
                return
            if key is _SKIP:
                parent.key = None
                if collection is not None:
                    stack.append(_Frame((), _SKIP))
                return
            path = parent.path + (key,)  # type: ignore[operator]
        value = self._value(event, collection, path)
        keep = parent.keep
        if in_list:
            held.append(value)
            if keep:
                self.doc.lines[path] = event.start_mark.line + 1
        else:
            held[key] = value
            parent.first_line[key] = parent.key_line
            if keep:
                self.doc.lines[path] = parent.key_line  # a mapping's value takes its key's line
            parent.key = None

    def _placed_plain(self, event: Any) -> bool:
        """Place an untagged scalar that is a new key, a plain string value of a key or a plain string
        item of a list (most of a file's values) in one call; False leaves everything else to ``_node``.

        The same result as ``_node`` → ``_key`` or ``_value`` → ``_scalar`` for these cases, which never
        record a problem: a key that is not a merge key, not too long and not a duplicate; a value that
        is not too long and that PyYAML's resolver reads as a string (or a quoted scalar).
        """
        stack = self._stack
        if not stack or event.tag is not None:
            return False
        parent = stack[-1]
        held = parent.value
        value: str = event.value
        plain = event.implicit[0]
        if type(held) is list:
            if len(value) > MAX_SCALAR_CHARS or (plain and _resolve(value) != _STR_TAG):
                return False
            if parent.keep:
                self.doc.lines[parent.path + (len(held),)] = event.start_mark.line + 1
            held.append(value)
            return True
        if type(held) is not dict:
            return False
        key = parent.key
        if key is None:
            if (plain and value == "<<") or len(value) > MAX_KEY_CHARS or value in held:
                return False
            parent.key_line = event.start_mark.line + 1
            parent.key = value
            return True
        if key is _SKIP or len(value) > MAX_SCALAR_CHARS or (plain and _resolve(value) != _STR_TAG):
            return False
        held[key] = value
        parent.first_line[key] = parent.key_line
        if parent.keep:
            self.doc.lines[parent.path + (key,)] = parent.key_line
        parent.key = None
        return True

    def _root(self, event: Any, collection: Any) -> None:
        """The document's root value."""
        self.doc.data = self._value(event, collection, ())
        self.doc.lines[()] = event.start_mark.line + 1

    def _value(self, event: Any, collection: Any, path: PathKey) -> Any:
        """The value of a scalar event, or the empty mapping or list a start event opens (pushed on the stack)."""
        if event.tag is not None:
            self._tag_problem(path, event.start_mark.line + 1, event.tag)
            if collection is not None:
                self._stack.append(_Frame(path, _SKIP))
            return None
        if collection is None:
            return self._scalar(event, path, event.start_mark.line + 1)
        value: Any = {} if collection is not list else []
        self._stack.append(_Frame(path, value, self._keep_lines_in is None or self._keep_lines_in(path)))
        return value

    def _key(self, frame: _Frame, event: Any, collection: Any) -> None:
        """Read a mapping key: keep it for the value to come, or record a problem and drop the value."""
        line = event.start_mark.line + 1
        frame.key_line = line
        frame.key = _SKIP
        if collection is not None:
            self._problem(line, frame.path, "a mapping key must be a plain word")
            self._stack.append(_Frame((), _SKIP))
            return
        value = event.value
        if event.tag is None and event.implicit[0] and value == "<<":
            self._problem(line, frame.path, "YAML merge keys (<<) are not accepted")
        elif event.tag is not None:
            self._tag_problem(frame.path, line, event.tag, on_key=True)
        elif len(value) > MAX_KEY_CHARS:
            message = f"a key of {len(value):,} characters ('{shown(value, 40)}'); keys and ids are limited to {MAX_KEY_CHARS}"
            self._problem(line, frame.path, message)
        elif value in frame.value:
            message = f"duplicate key '{shown(value)}' (first defined on line {frame.first_line[value]})"
            self._problem(line, frame.path + (value,), message)
        else:
            frame.key = value

    def _problem(self, line: int | None, path: PathKey, message: str) -> None:
        self.problems.append(Problem(self.doc.file, line, format_path(path), message))

    def _tag_problem(self, path: PathKey, line: int, tag: str, on_key: bool = False) -> None:
        tail = " on a key)" if on_key else "); write a plain value"
        self._problem(line, path, f"explicit YAML tags are not accepted (found {_short_tag(tag)}{tail}")

    def _scalar(self, event: Any, path: PathKey, line: int) -> Any:
        value: str = event.value
        if len(value) > MAX_SCALAR_CHARS:
            self._problem(line, path, f"this value is {len(value):,} characters long; the limit is {MAX_SCALAR_CHARS:,}")
            return None
        tag = _resolve(value) if event.implicit[0] else _STR_TAG
        if tag == _STR_TAG:
            return value
        if tag == _INT_TAG and len(value) > MAX_NUMBER_CHARS:
            self._problem(line, path, f"the number '{shown(value, 20)}' is too long")
            return None
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        try:
            return self._scalars.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError):
            # a YAML timestamp like 2027-13-01 fails inside datetime, not the YAML layer
            if tag == "tag:yaml.org,2002:timestamp":
                message = f"invalid date '{shown(value)}' (write dates as YYYY-MM-DD)"
            else:
                message = f"invalid value '{shown(value)}'"
            self._problem(line, path, message)
            return None
        finally:
            self._scalars.constructed_objects.pop(node, None)


_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers


def _resolve(value: str) -> str:
    """The tag PyYAML's resolver gives a plain scalar: bool, int, float, null, timestamp, merge, value or str."""
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR_TAG


def _short_tag(tag: str) -> str:
    """'tag:yaml.org,2002:int' as a user writes it: '!!int'."""
    return "'" + shown(tag.replace("tag:yaml.org,2002:", "!!"), 40) + "'"
