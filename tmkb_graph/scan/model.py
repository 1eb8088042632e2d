"""What the detectors find in code, as plain data: routes, tasks, enqueue calls, evidence, sites."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tmkb_graph.scan.facts import Function


@dataclass(frozen=True, order=True)
class Site:
    """A place in the code: a file relative to the scanned directory and a line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
class Evidence:
    """Why a control (or a signal towards one) is believed present: where, and what the code does there."""

    signal: str
    site: Site
    note: str


@dataclass
class Route:
    """An HTTP route and the function that handles it."""

    framework: str
    methods: list[str]
    path: str
    handler: Function
    site: Site
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Task:
    """A function that a queue runs in a worker, and the technology that runs it."""

    key: str
    function: Function
    technology: str
    skip: int = 0
    scheduled: bool = False

    @property
    def params(self) -> list[str]:
        """The parameters a caller fills (without bound self or ARQ's ctx)."""
        return self.function.params[self.skip :]

    @property
    def site(self) -> Site:
        """Where the task is defined."""
        return Site(self.function.file, self.function.line)


@dataclass
class Enqueue:
    """A call that starts a task: what it starts, from where, and with which arguments."""

    site: Site
    caller: Function
    target: ast.expr
    technology: str | None
    args: list[tuple[str | None, ast.expr]] = field(default_factory=list)
