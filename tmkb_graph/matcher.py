"""Binds a pattern's template onto the architecture graph: one engine, every template is data.

Matching is a join along edges, never a search over all subgraphs: the anchor role starts from the
components of its types (an index lookup), and every further role is reached through the anchor's
flows of the right kind. With a bounded number of flows per component, the cost grows with the
number of flows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tmkb_graph.architecture import Architecture, Component, Endpoint
from tmkb_graph.boundaries import ArchitectureGraph, Crossing
from tmkb_graph.pattern import EndpointSpec, FlowSpec, RoleSpec, Template


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


def effective_controls(component: Component, endpoint: Endpoint) -> list[str]:
    """An endpoint's own controls when it lists any; otherwise its component's."""
    return list(endpoint.controls) if endpoint.controls is not None else list(component.controls)


def match_template(template: Template, graph: ArchitectureGraph) -> MatchResult:
    """All bindings of ``template`` on ``graph`` whose crossings include the template's boundary."""
    model = graph.architecture.model
    result = MatchResult()
    if template.tenancy is not None and model.tenancy != template.tenancy:
        return result
    candidates = {name: _role_candidates(spec, graph) for name, spec in template.roles.items()}
    if any(not c for c in candidates.values()):
        return result
    plan = _join_plan(template, candidates)
    seen_na: set[NotAssessable] = set()
    for roles, flows in _bind_roles(plan, candidates, graph):
        crossings = _crossings(template.boundary, roles, flows, graph)
        if not crossings:
            continue
        endpoint_sets, missing_reasons = _bind_endpoints(template, model, roles)
        for item in missing_reasons:
            if item not in seen_na:
                seen_na.add(item)
                result.not_assessable.append(item)
        for endpoints in endpoint_sets:
            result.bindings.append(Binding(dict(roles), endpoints, dict(flows), crossings))
    return result


def _role_candidates(spec: RoleSpec, graph: ArchitectureGraph) -> set[str]:
    model = graph.architecture.model
    frameworks = {f.lower() for f in spec.frameworks}
    out = set()
    for type_name in spec.types:
        for cid in graph.by_type.get(type_name, ()):
            component = model.components[cid]
            if spec.zones and graph.architecture.zone_kind(cid) not in spec.zones:
                continue
            if frameworks and (component.framework or "").lower() not in frameworks:
                continue
            if not set(spec.controls) <= set(component.controls):
                continue
            out.add(cid)
    return out


@dataclass(frozen=True)
class _Step:
    spec: FlowSpec
    new_role: str | None  # None: both ends already bound, the step only checks the flow


def _join_plan(template: Template, candidates: dict[str, set[str]]) -> tuple[str, list[_Step]]:
    """The anchor role (fewest candidates) and the order in which flows extend the binding."""
    order = list(template.roles)
    anchor = min(order, key=lambda r: (len(candidates[r]), order.index(r)))
    bound = {anchor}
    steps: list[_Step] = []
    pending = list(template.flows)
    while pending:
        for spec in pending:
            if spec.source in bound or spec.target in bound:
                new = None if (spec.source in bound and spec.target in bound) else (
                    spec.target if spec.source in bound else spec.source
                )
                steps.append(_Step(spec, new))
                if new:
                    bound.add(new)
                pending.remove(spec)
                break
        else:  # pragma: no cover - the pattern model refuses unconnected templates
            raise ValueError("template roles are not connected")
    return anchor, steps


def _bind_roles(
    plan: tuple[str, list[_Step]],
    candidates: dict[str, set[str]],
    graph: ArchitectureGraph,
) -> Iterator[tuple[dict[str, str], dict[str, tuple[int, ...]]]]:
    anchor, steps = plan
    for cid in sorted(candidates[anchor]):
        yield from _extend(steps, 0, candidates, graph, {anchor: cid}, {})


def _extend(
    steps: list[_Step],
    position: int,
    candidates: dict[str, set[str]],
    graph: ArchitectureGraph,
    roles: dict[str, str],
    flows: dict[str, tuple[int, ...]],
) -> Iterator[tuple[dict[str, str], dict[str, tuple[int, ...]]]]:
    if position == len(steps):
        yield roles, flows
        return
    step = steps[position]
    spec = step.spec
    used = set(roles.values())
    for source, target, indices in _matching_edges(spec, roles, candidates, graph):
        if step.new_role is not None:
            component = target if step.new_role == spec.target else source
            if component in used:
                continue  # one component plays one role in a binding
            roles = {**roles, step.new_role: component}
        yield from _extend(steps, position + 1, candidates, graph, roles, {**flows, spec.name: indices})
        if step.new_role is not None:
            roles = {k: v for k, v in roles.items() if k != step.new_role}


def _matching_edges(
    spec: FlowSpec, roles: dict[str, str], candidates: dict[str, set[str]], graph: ArchitectureGraph
) -> Iterator[tuple[str, str, tuple[int, ...]]]:
    """(source, target, flow indices) for each neighbour pair joined by flows the spec accepts."""
    g = graph.graph
    if spec.source in roles:
        edges = g.out_edges(roles[spec.source], keys=True)
    else:
        edges = g.in_edges(roles[spec.target], keys=True)
    grouped: dict[tuple[str, str], list[int]] = {}
    for source, target, index in edges:
        if spec.source in roles and roles[spec.source] != source:
            continue
        if spec.target in roles and roles[spec.target] != target:
            continue
        if source not in candidates[spec.source] or target not in candidates[spec.target]:
            continue
        flow = graph.flow(index)
        if flow.kind not in spec.kinds:
            continue
        if spec.crosses and not set(spec.crosses) <= {c.kind for c in graph.flow_crossings[index]}:
            continue
        grouped.setdefault((source, target), []).append(index)
    for (source, target), indices in sorted(grouped.items()):
        yield source, target, tuple(sorted(indices))


def _bind_endpoints(
    template: Template, model: Architecture, roles: dict[str, str]
) -> tuple[list[dict[str, EndpointRef]], list[NotAssessable]]:
    """Every assignment of endpoints to the template's endpoint roles, and why any could not be judged."""
    if not template.endpoints:
        return [{}], []
    order = sorted(template.endpoints, key=lambda n: (template.endpoints[n].same_resource_as is not None, n))
    not_assessable: list[NotAssessable] = []
    assignments: list[dict[str, EndpointRef]] = [{}]
    for name in order:
        spec = template.endpoints[name]
        cid = roles[spec.of]
        component = model.components[cid]
        if not component.endpoints:
            reason = f"{component.type} '{cid}' declares no endpoints"
            return [], [NotAssessable(cid, reason)]
        grown: list[dict[str, EndpointRef]] = []
        for assignment in assignments:
            for index, endpoint in enumerate(component.endpoints):
                ref = EndpointRef(cid, index)
                if ref in assignment.values():
                    continue
                verdict = _endpoint_fits(spec, component, endpoint, model, assignment)
                if verdict is True:
                    grown.append({**assignment, name: ref})
                elif isinstance(verdict, str):
                    not_assessable.append(NotAssessable(cid, f"{endpoint.route}: {verdict}"))
        if spec.witness:
            # a witness only has to exist: keep its first match so it does not multiply findings
            firsts: dict[tuple[tuple[str, EndpointRef], ...], dict[str, EndpointRef]] = {}
            for assignment in grown:
                firsts.setdefault(tuple(sorted((k, v) for k, v in assignment.items() if k != name)), assignment)
            grown = list(firsts.values())
        assignments = grown
    return assignments, not_assessable


def _endpoint_fits(
    spec: EndpointSpec, component: Component, endpoint: Endpoint, model: Architecture, bound: dict[str, EndpointRef]
) -> bool | str:
    """True when the endpoint fits, False when it does not, a reason when the facts are not declared."""
    if spec.operations and endpoint.operation not in spec.operations:
        return False
    if spec.methods and endpoint.method not in {m.upper() for m in spec.methods}:
        return False
    if endpoint.path_params < spec.min_path_params:
        return False
    if not set(spec.controls) <= set(effective_controls(component, endpoint)):
        return False
    if spec.same_resource_as is not None:
        other_ref = bound.get(spec.same_resource_as)
        if other_ref is None:
            return False
        other = model.components[other_ref.component].endpoints[other_ref.index]  # type: ignore[index]
        if endpoint.resource is None or endpoint.resource != other.resource:
            return False
    if spec.resource is not None:
        return _resource_fits(spec, endpoint, model)
    return True


def _resource_fits(spec: EndpointSpec, endpoint: Endpoint, model: Architecture) -> bool | str:
    wanted = spec.resource
    assert wanted is not None
    if endpoint.resource is None:
        return False
    resource = model.resources.get(endpoint.resource)
    if resource is None:
        if wanted.owners or wanted.ids or wanted.soft_delete is not None:
            return f"resource '{endpoint.resource}' is not declared under resources"
        return True
    if wanted.soft_delete is not None and resource.soft_delete != wanted.soft_delete:
        return False
    if wanted.owners:
        if resource.owner is None:
            return f"resource '{endpoint.resource}' does not declare its owner"
        if resource.owner not in wanted.owners:
            return False
    if wanted.ids:
        if resource.ids is None:
            return f"resource '{endpoint.resource}' does not declare its id scheme (ids: sequential or random)"
        if resource.ids not in wanted.ids:
            return False
    return True


def _crossings(
    boundary: str, roles: dict[str, str], flows: dict[str, tuple[int, ...]], graph: ArchitectureGraph
) -> tuple[Crossing, ...]:
    """The crossings of the template's boundary kind on the bound flows, else into the bound components."""
    found: set[Crossing] = set()
    for indices in flows.values():
        for index in indices:
            found.update(c for c in graph.flow_crossings[index] if c.kind == boundary)
    if not found:  # no bound flow crosses it: the boundary may sit where a bound component is reached
        for cid in roles.values():
            found.update(c for c in graph.crossings_into(cid) if c.kind == boundary)
    return tuple(sorted(found))
