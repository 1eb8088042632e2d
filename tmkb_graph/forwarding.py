"""Which gateway routes forward to which service routes.

A gateway route that forwards to a service's route is not a place of its own for object-level
checks: only the service can check who owns the object. Its findings are made once, on the
service's route, with the gateway route as the path the request took; the gateway's edge controls
(authentication, method-override stripping) count there too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tmkb_graph.architecture import Architecture
    from tmkb_graph.boundaries import ArchitectureGraph
    from tmkb_graph.bindings import EndpointRef

FORWARDING_KINDS = frozenset({"request", "invoke"})


@dataclass
class Forwarding:
    """For each gateway route: the service route it forwards to, or why that is unknown."""

    upstream: dict[EndpointRef, EndpointRef] = field(default_factory=dict)
    unresolved: dict[EndpointRef, str] = field(default_factory=dict)
    fronts: dict[EndpointRef, list[EndpointRef]] = field(default_factory=dict)


def resolve_forwarding(graph: ArchitectureGraph) -> Forwarding:
    """Match every gateway route to the route of a service it forwards to (same method, same path shape)."""
    from tmkb_graph.bindings import EndpointRef

    model = graph.architecture.model
    result = Forwarding()
    for gateway in sorted(graph.by_type.get("gateway", ())):
        component = model.components[gateway]
        targets = _forward_targets(graph, gateway)
        for index, endpoint in enumerate(component.endpoints or ()):
            ref = EndpointRef(gateway, index)
            candidates = [endpoint.forwards_to] if endpoint.forwards_to else targets
            if not candidates:
                continue  # the gateway forwards nowhere we know of: its routes are judged where they are
            found = find_route(model, candidates, endpoint.method, endpoint.path_shape)
            if found is not None:
                result.upstream[ref] = found
                result.fronts.setdefault(found, []).append(ref)
            else:
                names = ", ".join(f"'{c}'" for c in candidates)
                result.unresolved[ref] = (
                    f"{endpoint.route}: the gateway forwards to {names}, which declare{'s' if len(candidates) == 1 else ''} "
                    "no matching route; the object-level checks belong to the service's route, so declare it "
                    "there (or name the service with forwards_to:)"
                )
    return result


def _forward_targets(graph: ArchitectureGraph, gateway: str) -> list[str]:
    targets = set()
    for _, target, index in graph.graph.out_edges(gateway, keys=True):
        if graph.flow(index).kind in FORWARDING_KINDS and graph.family.get(target) in ("entry", "compute"):
            targets.add(target)
    return sorted(targets)


def routed_components(model: Architecture, gateway: str, targets: list[str]) -> set[str] | None:
    """The components among ``targets`` that the gateway's routes forward to; None when the gateway
    declares no routes or one of them matches no route of a target (it may forward anywhere)."""
    endpoints = model.components[gateway].endpoints
    if not endpoints:
        return None
    routed: set[str] = set()
    for endpoint in endpoints:
        candidates = [endpoint.forwards_to] if endpoint.forwards_to else targets
        found = find_route(model, candidates, endpoint.method, endpoint.path_shape) if candidates else None
        if found is None:
            return None
        routed.add(found.component)
    return routed


def find_route(model: Architecture, candidates: list[str], method: str | None, shape: tuple[str, ...]) -> EndpointRef | None:
    """The first candidate route with the same method whose path equals the gateway's, or its tail (prefix stripped)."""
    from tmkb_graph.bindings import EndpointRef

    for exact in (True, False):
        for cid in candidates:
            for index, endpoint in enumerate(model.components[cid].endpoints or ()):
                if method and endpoint.method and endpoint.method != method:
                    continue
                theirs = endpoint.path_shape
                if exact and theirs == shape:
                    return EndpointRef(cid, index)
                if not exact and theirs and len(theirs) < len(shape) and shape[len(shape) - len(theirs):] == theirs:
                    return EndpointRef(cid, index)
    return None
