"""Problems found in user input, as values with a location, until the program's edge prints them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tmkb_graph.text import shown

Level = Literal["error", "warning", "note"]

MAX_SHOWN_FILE = 200
MAX_SHOWN_PATH = 160
MAX_SHOWN_KEY = 40
MAX_SHOWN_MESSAGE = 600
MAX_REPORTED_PROBLEMS = 20


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or doubtful) in an input file, with where it is."""

    file: str
    line: int | None
    path: str
    message: str
    level: Level = "error"

    def __str__(self) -> str:
        # every part may hold user text: escape it, and cut it so one problem stays one short paragraph
        file = shown(self.file, MAX_SHOWN_FILE)
        where = file if self.line is None else f"{file}: line {self.line}"
        field_path = f"{shown(self.path, MAX_SHOWN_PATH)}: " if self.path else ""
        return f"{where}: {field_path}{shown(self.message, MAX_SHOWN_MESSAGE)}"


@dataclass
class InputError(Exception):
    """Raised when an input file cannot be used; carries every problem found in it."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def format_path(parts: tuple[str | int, ...]) -> str:
    """Render a field path the way users write it: components.web.endpoints[0].route."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = shown(part, MAX_SHOWN_KEY)
            out += f".{name}" if out else name
    return out


_LEVEL_RANK = {"error": 0, "warning": 1, "note": 2}


def report_lines(problems: list[Problem], limit: int = MAX_REPORTED_PROBLEMS) -> list[str]:
    """The problems as printable lines, errors first, at most ``limit`` of them and then 'and N more'."""
    ordered = sorted(problems, key=lambda p: (_LEVEL_RANK[p.level], p.file, p.line or 0, p.path, p.message))
    lines = [f"{p.level}: {p}" for p in ordered[:limit]]
    if len(ordered) > limit:
        rest = len(ordered) - limit
        lines.append(f"... and {rest:,} more problem{'s' if rest != 1 else ''}")
    return lines
