"""How renderers say where a finding is: the line is added only when the location does not already say it."""

from __future__ import annotations


def separate_line(location: str, line: int | None) -> int | None:
    """The line to print beside ``location``; None when there is none or the location names it (``app/tasks.py:6 export``)."""
    if line is None or f":{line} " in f"{location} ":
        return None
    return line
