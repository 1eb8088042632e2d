"""Where a finding stands: the labels of what a pattern's unit binds (a route, a component, or a
component's resource) and the place a finding is located at, where its fix belongs."""

from __future__ import annotations

from tmkb_graph.bindings import Binding, EndpointRef
from tmkb_graph.boundaries import ArchitectureGraph
from tmkb_graph.findings import Gap
from tmkb_graph.mitigations import place_label, place_line
from tmkb_graph.pattern import Pattern

# a unit entry ``target.resource`` makes one finding per resource of the bound route's component
_PER_RESOURCE = ".resource"


def unit_role(entry: str) -> str:
    """The role or endpoint role a unit entry names (``target`` for ``target.resource``)."""
    return entry.partition(".")[0]


def per_resource_roles(unit: list[str]) -> list[str]:
    """The endpoint roles a unit groups by their component's resource."""
    return [unit_role(entry) for entry in unit if entry.endswith(_PER_RESOURCE)]


def unit_labels(binding: Binding, graph: ArchitectureGraph) -> dict[str, str]:
    """What a binding binds, by role: a component's id, or a route's label."""
    found = dict(binding.roles)
    for role, ref in binding.endpoints.items():
        found[role] = ref_label(graph, ref)
    return found


def ref_label(graph: ArchitectureGraph, ref: EndpointRef) -> str:
    """endpoint_label, made once per endpoint: every finding and path naming it shares the string."""
    table = graph.table("endpoint_labels")
    label = table.get(ref)
    if label is None:
        label = table[ref] = endpoint_label(graph, ref.component, ref.index)
    return label  # type: ignore[no-any-return]


def endpoint_label(graph: ArchitectureGraph, component: str, index: int) -> str:
    """A route's label: its component and its method and path."""
    endpoint = graph.architecture.model.components[component].endpoints[index]  # type: ignore[index]
    return f"{component} {endpoint.route}"


def resource_label(binding: Binding, entry: str, graph: ArchitectureGraph) -> str:
    """The unit label of ``route.resource``: the component and the resource its bound route acts on
    (every route of that component on that resource is one finding), or the route when it names none."""
    ref = binding.endpoints[unit_role(entry)]
    resource = graph.architecture.model.components[ref.component].endpoints[ref.index].resource  # type: ignore[index]
    return f"{ref.component} {resource}" if resource else ref_label(graph, ref)


def at_a_gap(pattern: Pattern, bindings: list[Binding], missing: list[Gap], graph: ArchitectureGraph) -> Binding:
    """The binding a finding is located by: the first, or, for one finding per resource, the first
    whose route has a missing control (the restore that checks nobody, not the list that filters)."""
    entry = pattern.template.unit_names[0]
    if not missing or not entry.endswith(_PER_RESOURCE) or len(bindings) == 1:
        return bindings[0]
    name = unit_role(entry)
    places = {gap.at for gap in missing}
    for binding in bindings:
        if place_label(graph, "endpoint", binding.endpoints[name]) in places:
            return binding
    return bindings[0]


def location_of(pattern: Pattern, binding: Binding, graph: ArchitectureGraph) -> tuple[int | None, str]:
    """Where the fix belongs: the pattern's first unit place (an endpoint's line, or a component's)."""
    arch = graph.architecture
    name = unit_role(pattern.template.unit_names[0])
    if name in binding.endpoints:
        ref = binding.endpoints[name]
        return place_line(arch, "endpoint", ref), ref_label(graph, ref)
    cid = binding.roles[name]
    return place_line(arch, "role", cid), cid
