"""What matching produces: endpoint references, bindings and the places that cannot be judged."""

from __future__ import annotations

from dataclasses import dataclass, field

from tmkb_graph.boundaries import Crossing


@dataclass(frozen=True, order=True)
class EndpointRef:
    """An endpoint, as its component and its position in that component's endpoints list."""

    component: str
    index: int


@dataclass(frozen=True)
class Binding:
    """One match: components for roles, endpoints for endpoint roles, flows for template flows."""

    roles: dict[str, str]
    endpoints: dict[str, EndpointRef]
    flows: dict[str, tuple[int, ...]]
    crossings: tuple[Crossing, ...]


@dataclass(frozen=True, order=True)
class NotAssessable:
    """A place where a template could apply but the architecture does not say enough to judge it."""

    component: str
    reason: str


@dataclass
class MatchResult:
    """Every binding of a template, and what could not be assessed."""

    bindings: list[Binding] = field(default_factory=list)
    not_assessable: list[NotAssessable] = field(default_factory=list)
