"""The controls that count at a place: a component's, an endpoint's (with its component-wide
settings and the edge controls of gateway routes in front of it), and the facts a component is known
to have."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tmkb_graph.architecture import Component, Endpoint, flow_endpoint
from tmkb_graph.bindings import Binding, EndpointRef
from tmkb_graph.boundaries import ArchitectureGraph
from tmkb_graph.forwarding import Forwarding, resolve_forwarding
from tmkb_graph.known_facts import known_fact
from tmkb_graph.vocabulary import load_vocabulary


def effective_controls(component: Component, endpoint: Endpoint) -> list[str]:
    """An endpoint's own controls when it lists any, with its component's component-wide ones (a
    framework setting such as explicit request binding holds on every route); otherwise its
    component's."""
    if endpoint.controls is None:
        return list(component.controls)
    vocab = load_vocabulary()
    wide = [c for c in component.controls if c not in endpoint.controls and vocab.fact("controls", c, "component_wide")]
    return [*endpoint.controls, *wide]


def forwarding(graph: ArchitectureGraph) -> Forwarding:
    """The gateway routes' forwarding, resolved once per graph."""
    found = graph.cache.get("forwarding")
    if not isinstance(found, Forwarding):
        found = graph.cache["forwarding"] = resolve_forwarding(graph)
    return found


def fact_of(graph: ArchitectureGraph, cid: str, fact: str) -> bool | None:
    """A fact of the component: declared in its ``facts``, else known in the vocabulary for its
    framework, its technology or (a third party) its id; None when nobody says."""
    component = graph.architecture.model.components[cid]
    # a third party is usually named for itself (stripe, github_app): its id is the last place to look
    third_party_id = cid if graph.family.get(cid) == "party" else None
    return known_fact(component, fact, load_vocabulary(), component.technology, third_party_id)


def facts_known(graph: ArchitectureGraph, cid: str, wanted: dict[str, bool]) -> bool:
    """True when the component is known to have each fact as wanted (``fact_of``). An unknown fact
    does not hold."""
    return all(fact_of(graph, cid, fact) == value for fact, value in wanted.items())


def _memoized(graph: ArchitectureGraph, compute: Callable[[ArchitectureGraph, Any], frozenset[str]], key: Any) -> frozenset[str]:
    """``compute(graph, key)``, computed once per graph: the architecture is frozen, so it never changes."""
    table = graph.table(compute.__name__)
    found = table.get(key)
    if found is None:
        found = table[key] = compute(graph, key)
    return found


def role_controls(graph: ArchitectureGraph, cid: str) -> frozenset[str]:
    """Every control a component claims, on itself or on any of its endpoints, with implied ones.

    Computed once per component; the set returned is the vocabulary's shared one.
    """
    return _memoized(graph, _role_controls, cid)


def _role_controls(graph: ArchitectureGraph, cid: str) -> frozenset[str]:
    component = graph.architecture.model.components[cid]
    claimed = set(component.controls)
    for endpoint in component.endpoints or ():
        claimed.update(endpoint.controls or ())
    return load_vocabulary().implied_shared(claimed)


def endpoint_controls(graph: ArchitectureGraph, ref: EndpointRef) -> frozenset[str]:
    """An endpoint's effective controls, with implied ones and the edge controls of gateway routes in front of it.

    Computed once per endpoint; the set returned is the vocabulary's shared one.
    """
    return _memoized(graph, _endpoint_controls, ref)


def _endpoint_controls(graph: ArchitectureGraph, ref: EndpointRef) -> frozenset[str]:
    vocab = load_vocabulary()
    claimed = set(effective_controls(graph.architecture.model.components[ref.component], endpoint_at(graph, ref)))
    claimed.update(c for c in _front_claims(graph, ref) if vocab.fact("controls", c, "edge"))
    return vocab.implied_shared(claimed)


def own_endpoint_controls(graph: ArchitectureGraph, ref: EndpointRef) -> frozenset[str]:
    """An endpoint's effective controls with implied ones, without what gateway routes in front of
    it claim (the vocabulary's shared set)."""
    return load_vocabulary().implied_shared(effective_controls(graph.architecture.model.components[ref.component], endpoint_at(graph, ref)))


def _front_claims(graph: ArchitectureGraph, ref: EndpointRef) -> list[str]:
    """The effective controls of every gateway route that forwards to the endpoint (none when none does)."""
    model = graph.architecture.model
    claimed: list[str] = []
    for front in forwarding(graph).fronts.get(ref, ()):
        claimed.extend(effective_controls(model.components[front.component], endpoint_at(graph, front)))
    return claimed


def place_controls(graph: ArchitectureGraph, binding: Binding, name: str) -> frozenset[str]:
    if name in binding.endpoints:
        return endpoint_controls(graph, binding.endpoints[name])
    return role_controls(graph, binding.roles[name])


def front_controls(graph: ArchitectureGraph, binding: Binding, name: str) -> frozenset[str]:
    """What the gateway routes in front of a bound endpoint claim (with implied controls); empty
    for a role, or for an endpoint no gateway route forwards to."""
    ref = binding.endpoints.get(name)
    if ref is None:
        return frozenset()
    return load_vocabulary().implied_shared(_front_claims(graph, ref))


def declared_controls(graph: ArchitectureGraph, binding: Binding, name: str, or_endpoints: bool = False) -> set[str]:
    """The controls written at a place, without implied ones: an ``unless`` names what was declared
    (for a role with ``or_endpoints``, also what any of its component's routes declares)."""
    model = graph.architecture.model
    if name in binding.endpoints:
        ref = binding.endpoints[name]
        component = model.components[ref.component]
        return set(effective_controls(component, component.endpoints[ref.index]))  # type: ignore[index]
    cid = binding.roles[name]
    component = model.components[cid]
    declared = set(component.controls)
    if or_endpoints:
        for index in routes_reached(graph, binding, cid):
            declared.update(effective_controls(component, component.endpoints[index]))  # type: ignore[index]
    return declared


def routes_reached(graph: ArchitectureGraph, binding: Binding, cid: str) -> range | tuple[int, ...]:
    """The indices of the component's routes that the binding's flows into it reach: the routes
    those flows name when every one of them names one, else all of the component's routes (one
    receiver serving several providers counts a control claimed on one provider's route for that
    provider only, once its flows say which route each reaches)."""
    model = graph.architecture.model
    component = model.components[cid]
    named: set[int] = set()
    for indices in binding.flows.values():
        for i in indices:
            flow = model.flows[i]
            if flow.target != cid:
                continue
            index = flow_endpoint(component, flow.route) if flow.route is not None else None
            if index is None:
                return range(len(component.endpoints or ()))
            named.add(index)
    return tuple(sorted(named)) if named else range(len(component.endpoints or ()))


def endpoint_at(graph: ArchitectureGraph, ref: EndpointRef) -> Endpoint:
    return graph.architecture.model.components[ref.component].endpoints[ref.index]  # type: ignore[index]

