"""Problems found in user input, as values with a location, until the program's edge prints them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or doubtful) in an input file, with where it is."""

    file: str
    line: int | None
    path: str
    message: str
    level: Level = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}: line {self.line}"
        field_path = f"{self.path}: " if self.path else ""
        return f"{where}: {field_path}{self.message}"


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
            out += f".{part}" if out else str(part)
    return out
