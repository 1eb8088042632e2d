"""YAML syntax errors in our words: libyaml's parser wording never reaches the user.

libyaml says "did not find expected key (while parsing a block mapping)" where a reader needs to
hear that the indentation is off. Each known parser problem maps to a sentence here; an unknown one
gets a general sentence rather than the parser's own.
"""

from __future__ import annotations

import re

import yaml

from tmkb_graph.errors import Problem

YAML_KEY_LIMIT = 1024

# (words in libyaml's problem, our message); the first match wins
_WORDING: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "a ':' where no key can start; check the indentation, or quote text that contains ': '"),
    ("could not find expected ':'", "a key without ':' after it; check the indentation, or quote the text"),
    ("did not find expected key", "a line that is not 'key: value' at this indentation; check the indentation"),
    ("did not find expected '-' indicator", "a line that is not a '- ' list item at this indentation; check the indentation"),
    ("did not find expected ',' or ']'", "a list in [ ] that is not closed or has a missing comma"),
    ("did not find expected ',' or '}'", "a mapping in { } that is not closed or has a missing comma"),
    ("did not find expected node content", "a value is missing or malformed here"),
    ("expected <block end>", "the indentation is inconsistent here"),
    ("expected <document start>", "text after the end of the data; check the indentation"),
    ("found unexpected end of stream", "the file ends inside a quoted text or a bracket; close it"),
    ("found unknown escape character", "an unknown escape (\\) in double-quoted text"),
    ("invalid Unicode character escape", "an escape in double-quoted text that is not a valid character"),
    ("expected escape sequence", "an escape (\\) in double-quoted text that is not complete"),
    ("found character that cannot start any token", "a character that cannot start a value here; quote values that start with @, ` or %, and indent with spaces, not tabs"),
    ("found a tab character", "a tab in the indentation; indent with spaces"),
    ("found undefined tag handle", "explicit YAML tags are not accepted"),
    ("while parsing a tag", "explicit YAML tags are not accepted"),
    ("while scanning a tag", "explicit YAML tags are not accepted"),
    ("while scanning an anchor", "an anchor (&name) that is not written correctly; anchors are not needed here"),
    ("while scanning an alias", "YAML aliases (*name) are not accepted; write the value out in full"),
    ("found unexpected ':'", "a ':' where a value was expected; quote the text"),
    ("found incompatible YAML document", "only YAML version 1.1 or 1.2 documents are read"),
    ("found duplicate anchor", "an anchor (&name) written twice; anchors are not needed here"),
    ("found duplicate", "a YAML directive written twice"),
    ("block sequence entries are not allowed", "a '- ' list item where a value was expected; check the indentation"),
    ("unexpected end of plain scalar", "a plain value that is not closed; quote it"),
    ("found unexpected document", "a document marker (--- or ...) inside the data"),
    ("while scanning a block scalar", "a | or > block that is not written correctly"),
    ("maximum nesting depth", "the data is nested more than a thousand levels deep (nesting depth)"),
)
_FALLBACK = "the text here cannot be read as YAML; check the indentation, the quotes and the brackets"


def syntax_problem(exc: yaml.YAMLError, file: str, text: str) -> Problem:
    """One located problem, in our words, for a YAML error raised while reading ``text``."""
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_problem(exc, file, text)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    raw = f"{getattr(exc, 'problem', None) or ''} {getattr(exc, 'context', None) or ''} {exc}"
    long_key = _long_key_length(text, mark.line) if mark is not None else None
    if long_key is not None:
        message = f"a key of {long_key:,} characters; YAML reads keys of at most {YAML_KEY_LIMIT:,} characters"
        return Problem(file, line, "", f"invalid YAML: {message}")
    message = next((ours for words, ours in _WORDING if words in raw), _FALLBACK)
    return Problem(file, line, "", f"invalid YAML: {message}")


def _reader_problem(exc: yaml.reader.ReaderError, file: str, text: str) -> Problem:
    position = exc.position if isinstance(exc.position, int) else 0
    line = text.count("\n", 0, position) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    return Problem(file, line, "", f"invalid YAML: the control character U+{code:04X} is not accepted in a YAML file")


def _long_key_length(text: str, line_index: int) -> int | None:
    """The length of the key on ``line_index`` when it is past YAML's 1,024-character key limit."""
    start = 0
    for _ in range(line_index):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    end = text.find("\n", start)
    line = text[start : end if end != -1 else len(text)]
    for piece in re.split(r"[{}\[\],]", line):
        if ":" in piece:
            key = piece.split(":", 1)[0].strip().lstrip("-? ").strip()
            if len(key) > YAML_KEY_LIMIT:
                return len(key)
    return None
