"""User text made safe to print: control and invisible characters escaped, long values cut.

A file written by a stranger can hold newlines, terminal escape sequences (ESC, OSC, BEL), NUL and
bidirectional overrides. Printed raw, they rewrite the reader's terminal or hide text; printed whole,
a 100,000-character value buries every other message. Everything that prints user text (error
messages, the table and Markdown renderers) passes it through ``shown`` or ``escaped`` first.
JSON output does not: it is exact data, and json.dumps escapes what needs escaping.
"""

from __future__ import annotations

import unicodedata

SHOWN_LIMIT = 80

# Unicode categories that never belong raw on a terminal: controls (C0, DEL, C1), format characters
# (bidi overrides and isolates, zero-width characters, BOM), line and paragraph separators, surrogates,
# private use and unassigned code points.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _unsafe(char: str) -> bool:
    return (char < " " or "\x7f" <= char <= "\x9f") or (char > "\x7f" and unicodedata.category(char) in _UNSAFE_CATEGORIES)


def escaped(text: str) -> str:
    """``text`` with every control or invisible character written as a Python-style escape (\\n, \\x1b, \\u202e)."""
    if text.isprintable() and text.isascii():
        return text
    return "".join(_escape_char(c) if _unsafe(c) else c for c in text)


def shown(value: object, limit: int | None = SHOWN_LIMIT) -> str:
    """``value`` as text safe to print: escaped, and cut to ``limit`` characters with its full length noted."""
    text = value if isinstance(value, str) else str(value)
    if limit is not None and len(text) > limit:
        return escaped(text[:limit]) + f"… ({len(text):,} characters)"
    return escaped(text)


def escaped_lines(lines: list[str]) -> str:
    """Join rendered lines with newlines, escaping any control character inside a line.

    A line's trailing line breaks are dropped first: YAML's folded and literal blocks end in one.
    """
    return "\n".join(escaped(line.rstrip("\r\n")) for line in lines)
