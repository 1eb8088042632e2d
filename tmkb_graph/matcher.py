"""Binds a pattern's template onto the architecture graph: one engine, every template is data.

Matching is a join along edges, never a search over all subgraphs: the anchor role starts from the
components of its types (an index lookup), and every further role is reached through the anchor's
flows of the right kind. With a bounded number of flows per component, the cost grows with the
number of flows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tmkb_graph.architecture import Architecture, Component, Endpoint, effective_owner
from tmkb_graph.boundaries import SYNC_CALL_KINDS, ArchitectureGraph, Crossing, same_topic
from tmkb_graph.pattern import Comparison, Condition, EndpointSpec, FlowSpec, RoleSpec, Template
from tmkb_graph.forwarding import Forwarding, resolve_forwarding
from tmkb_graph.vocabulary import Vocabulary, load_vocabulary


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
    """An endpoint's own controls when it lists any, with its component's component-wide ones (a
    framework setting such as explicit request binding holds on every route); otherwise its
    component's."""
    if endpoint.controls is None:
        return list(component.controls)
    vocab = load_vocabulary()
    wide = [c for c in component.controls if c not in endpoint.controls and vocab.fact("controls", c, "component_wide")]
    return [*endpoint.controls, *wide]


def match_template(template: Template, graph: ArchitectureGraph) -> MatchResult:
    """All bindings of ``template`` on ``graph`` whose crossings include the template's boundary.

    A binding must also satisfy the template's comparisons and must not meet its ``unless``
    condition. A binding whose component leaves a fact the template needs undeclared is reported
    as not assessable instead of being guessed.
    """
    model = graph.architecture.model
    result = MatchResult()
    if template.tenancy is not None and model.tenancy != template.tenancy:
        return result
    candidates: dict[str, set[str]] = {}
    unknown: dict[str, str] = {}
    for name, spec in template.roles.items():
        candidates[name], role_unknown = _role_candidates_once(spec, graph)
        unknown.update(role_unknown)
    if any(not c for c in candidates.values()):
        return result
    plan = _join_plan(template, candidates)
    seen_na: set[NotAssessable] = set()

    def not_assessable(item: NotAssessable) -> None:
        if item not in seen_na:
            seen_na.add(item)
            result.not_assessable.append(item)

    witnesses = {n for n, e in template.endpoints.items() if e.witness}
    kept: set[tuple[object, ...]] = set()
    endpoint_memo: dict[tuple[str, ...], EndpointSets] = {}
    of_kind = _CrossingsOfKind(graph, template.boundary)
    for roles, all_flows in _bind_roles(plan, candidates, graph):
        flows = _topic_paths(roles, all_flows, graph)
        if flows is None:
            continue
        crossings = _crossings(roles, flows, of_kind)
        if not crossings:
            continue
        endpoint_sets, missing_reasons = _endpoints_once(template, graph, roles, endpoint_memo)
        for item in missing_reasons:
            not_assessable(item)
        for endpoints in endpoint_sets:
            binding = Binding(roles, endpoints, flows, crossings)  # the join never changes a dict it made
            verdict = _verdict(template, binding, graph, unknown)
            if verdict is not True:
                for item in verdict or ():
                    not_assessable(item)
                continue
            if witnesses:
                # a witness only has to exist: keep the first that fits so witnesses do not multiply paths.
                # One template binds its roles and endpoints in one order, so the values alone are the key.
                key = (tuple(roles.values()), tuple(v for k, v in endpoints.items() if k not in witnesses))
                if key in kept:
                    continue
                kept.add(key)
            result.bindings.append(binding)
    return result


def _verdict(
    template: Template, binding: Binding, graph: ArchitectureGraph, unknown: dict[str, str]
) -> bool | list[NotAssessable]:
    """True when the threat's condition holds, False when it does not, or why it cannot be judged."""
    if template.compare and not all(_compares(c, binding, graph) for c in template.compare):
        return False
    if template.unless and all(_holds(c, binding, graph) for c in template.unless):
        return False
    if template.unless_any and any(_holds(c, binding, graph) for c in template.unless_any):
        return False
    undeclared = sorted({cid for cid in binding.roles.values() if cid in unknown}) if unknown else None
    if undeclared:
        return [NotAssessable(cid, unknown[cid]) for cid in undeclared]
    return True


def _role_candidates_once(spec: RoleSpec, graph: ArchitectureGraph) -> tuple[set[str], dict[str, str]]:
    """_role_candidates, once per graph for each distinct role spec (templates share many: an API
    a person reaches, a third party). Keyed by the spec's repr, which names every field; the sets
    returned are shared: read only."""
    table = graph.table("role_candidates")
    key = repr(spec)
    found = table.get(key)
    if found is None:
        found = table[key] = _role_candidates(spec, graph)
    return found  # type: ignore[no-any-return]


def _role_candidates(spec: RoleSpec, graph: ArchitectureGraph) -> tuple[set[str], dict[str, str]]:
    """Components that can play the role, and among them those whose needed facts are not declared."""
    model = graph.architecture.model
    frameworks = {f.lower() for f in spec.frameworks}
    vocab = load_vocabulary()
    out: set[str] = set()
    unknown: dict[str, str] = {}
    for type_name in spec.types:
        for cid in graph.by_type.get(type_name, ()):
            component = model.components[cid]
            if spec.zones and graph.architecture.zone_kind(cid) not in spec.zones:
                continue
            if frameworks and (component.framework or "").lower() not in frameworks:
                continue
            if (spec.controls or spec.lacks) and (not set(spec.controls) <= (claimed := role_controls(graph, cid)) or claimed & set(spec.lacks)):
                continue
            if spec.reachable is not None and graph.reachable(cid) != spec.reachable:
                continue
            if spec.person_facing is not None and graph.reached_by_people(cid) != spec.person_facing:
                continue
            if spec.started_by and not set(spec.started_by) & graph.origins.get(cid, frozenset()):
                continue
            if spec.no_inbound and any(graph.flow(i).kind in spec.no_inbound for _, _, i in graph.in_flows(cid)):
                continue
            verdict = _facts_fit(spec, component, cid, vocab, graph.family.get(cid) == "party") if spec.facts else True
            if verdict is False:
                continue
            if isinstance(verdict, str):
                unknown[cid] = verdict
            out.add(cid)
    return out, unknown


def forwarding(graph: ArchitectureGraph) -> Forwarding:
    """The gateway routes' forwarding, resolved once per graph."""
    found = graph.cache.get("forwarding")
    if not isinstance(found, Forwarding):
        found = graph.cache["forwarding"] = resolve_forwarding(graph)
    return found


def known_fact(component: Component, fact: str, vocab: Vocabulary, *also_known_as: str | None) -> bool | None:
    """A fact the component declares, else what the vocabulary knows of its framework, then of each
    of ``also_known_as`` in turn (a technology, a third party's id); None when nobody says."""
    value = component.facts.get(fact)
    for name in (component.framework, *also_known_as):
        if value is None:
            value = vocab.framework_fact(name, fact)
    return value


def facts_known(graph: ArchitectureGraph, cid: str, wanted: dict[str, bool]) -> bool:
    """True when the component is known to have each fact as wanted: declared in its ``facts``, or
    known in the vocabulary for its framework, its technology or (a third party) its id. An unknown
    fact does not hold."""
    component = graph.architecture.model.components[cid]
    vocab = load_vocabulary()
    # a third party is usually named for itself (stripe, github_app): its id is the last place to look
    third_party_id = cid if graph.family.get(cid) == "party" else None
    return all(known_fact(component, fact, vocab, component.technology, third_party_id) == value for fact, value in wanted.items())


def _facts_fit(spec: RoleSpec, component: Component, cid: str, vocab: Vocabulary, party: bool) -> bool | str:
    """True when every fact the role needs holds, False when one does not, a reason when one is unknown.

    Known as facts_known knows them: declared, then for the framework, the technology and (a third
    party, usually named for itself) the component's id."""
    for fact, wanted in sorted(spec.facts.items()):
        value = known_fact(component, fact, vocab, component.technology, cid if party else None)
        if value is None:
            named = [f"{what} '{name}'" for what, name in (("framework", component.framework), ("technology", component.technology)) if name]
            framework = f"its {' and '.join(named)} is not one whose default is known" if named else "it names no framework"
            return (
                f"{component.type} '{cid}' does not say whether {vocab.terms('component_facts')[fact].label.lower()} "
                f"applies ({framework}); declare facts: {{{fact}: true|false}}"
            )
        if value != wanted:
            return False
    return True


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
    claimed = set(effective_controls(graph.architecture.model.components[ref.component], _endpoint(graph, ref)))
    claimed.update(c for c in _front_claims(graph, ref) if vocab.fact("controls", c, "edge"))
    return vocab.implied_shared(claimed)


def own_endpoint_controls(graph: ArchitectureGraph, ref: EndpointRef) -> frozenset[str]:
    """An endpoint's effective controls with implied ones, without what gateway routes in front of
    it claim (the vocabulary's shared set)."""
    return load_vocabulary().implied_shared(effective_controls(graph.architecture.model.components[ref.component], _endpoint(graph, ref)))


def _front_claims(graph: ArchitectureGraph, ref: EndpointRef) -> list[str]:
    """The effective controls of every gateway route that forwards to the endpoint (none when none does)."""
    model = graph.architecture.model
    claimed: list[str] = []
    for front in forwarding(graph).fronts.get(ref, ()):
        claimed.extend(effective_controls(model.components[front.component], _endpoint(graph, front)))
    return claimed


def _place_controls(graph: ArchitectureGraph, binding: Binding, name: str) -> frozenset[str]:
    if name in binding.endpoints:
        return endpoint_controls(graph, binding.endpoints[name])
    return role_controls(graph, binding.roles[name])


def _front_controls(graph: ArchitectureGraph, binding: Binding, name: str) -> frozenset[str]:
    """What the gateway routes in front of a bound endpoint claim (with implied controls); empty
    for a role, or for an endpoint no gateway route forwards to."""
    ref = binding.endpoints.get(name)
    if ref is None:
        return frozenset()
    return load_vocabulary().implied_shared(_front_claims(graph, ref))


def _compares(comparison: Comparison, binding: Binding, graph: ArchitectureGraph) -> bool:
    """True when the weaker place lacks authorization the stronger one has, as the comparison defines it."""
    listed = set(comparison.controls)
    controls_at = _front_controls if comparison.in_front else _place_controls
    weaker = controls_at(graph, binding, comparison.weaker) & listed
    stronger = controls_at(graph, binding, comparison.than) & listed
    if comparison.mode == "any":
        return bool(stronger) and not weaker
    return bool(stronger - weaker)


def _topic_paths(roles: dict[str, str], flows: dict[str, tuple[int, ...]], graph: ArchitectureGraph) -> dict[str, tuple[int, ...]] | None:
    """The bound flows that can pass one message through each bound channel: a flow into it is kept
    when some bound flow out of it shares its topic (or one of them names none), and the other way
    round. None when nothing passes: the producer and the consumer never share a topic."""
    if not _declares_topics(graph):
        return flows  # the common case: every flow hears every other, nothing to check per binding
    kept = dict(flows)
    for cid in set(roles.values()):
        if graph.family.get(cid) != "channel":
            continue
        bound = [i for indices in kept.values() for i in indices]
        all_into = [i for i in bound if graph.flow(i).target == cid]
        all_out = [i for i in bound if graph.flow(i).source == cid]
        if not all_into or not all_out:
            continue
        for name, indices in kept.items():
            passing = tuple(
                i
                for i in indices
                if (i not in all_into or any(same_topic(graph.flow(i), graph.flow(o)) for o in all_out))
                and (i not in all_out or any(same_topic(graph.flow(a), graph.flow(i)) for a in all_into))
            )
            if not passing:
                return None
            kept[name] = passing
    return kept


def _declares_topics(graph: ArchitectureGraph) -> bool:
    found = graph.cache.get("declares_topics")
    if found is None:
        found = graph.cache["declares_topics"] = any(f.topic is not None for f in graph.architecture.model.flows)
    return bool(found)


def _holds(condition: Condition, binding: Binding, graph: ArchitectureGraph) -> bool:
    """True when the bound place claims every listed control, none of the ``lacks`` ones, (for a
    flow) carries every listed item and (for an endpoint) has a listed operation and acts on a
    resource of a listed owner."""
    if condition.all_of:
        return all(_holds(member, binding, graph) for member in condition.all_of)
    if condition.flow is not None:
        indices = binding.flows.get(condition.flow, ())
        flows = [graph.flow(i) for i in indices]
        if not flows:
            return False
        carries_ok = all(
            set(condition.carries) <= graph.effective_carries(i) and not set(condition.carries_none) & graph.effective_carries(i)
            for i in indices
        )
        controls_ok = all(set(condition.controls) <= set(f.controls) and not set(condition.lacks) & set(f.controls) for f in flows)
        return carries_ok and controls_ok
    if not set(condition.controls) <= _declared_controls(graph, binding, condition.name, condition.or_endpoints):
        return False
    if condition.types and graph.architecture.model.components[binding.roles[condition.name]].type not in condition.types:
        return False
    if condition.reachable is not None and graph.reachable(binding.roles[condition.name]) != condition.reachable:
        return False
    if condition.facts and not facts_known(graph, binding.roles[condition.name], condition.facts):
        return False
    if condition.not_facts and facts_known(graph, binding.roles[condition.name], condition.not_facts):
        return False
    if condition.sends_only_to and not _sends_only_to(graph, binding.roles[condition.name], condition.sends_only_to):
        return False
    if condition.started_with and not _started_with(graph, binding.roles[condition.name], condition.started_with):
        return False
    if condition.flows_out and not any(graph.flow(i).kind in condition.flows_out for _, _, i in graph.out_flows(binding.roles[condition.name])):
        return False
    if condition.owners and _endpoint_owner(graph, binding.endpoints[condition.name]) not in condition.owners:
        return False
    if condition.ids and _endpoint_ids(graph, binding.endpoints[condition.name]) not in condition.ids:
        return False
    if condition.not_route_words and _route_words(_endpoint(graph, binding.endpoints[condition.name]).route) & {w.lower() for w in condition.not_route_words}:
        return False
    if condition.bodies and _endpoint(graph, binding.endpoints[condition.name]).body not in condition.bodies:
        return False
    if condition.operations and _endpoint(graph, binding.endpoints[condition.name]).operation not in condition.operations:
        return False
    if condition.as_strong_as_siblings and _weaker_than_a_sibling(graph, binding.endpoints[condition.name], condition.as_strong_as_siblings):
        return False
    # what a place lacks is judged on everything that counts there: implied and gateway edge controls too
    return not (condition.lacks and set(condition.lacks) & _place_controls(graph, binding, condition.name))


def _sends_only_to(graph: ArchitectureGraph, cid: str, types: list[str]) -> bool:
    """True when the component sends something besides its reads, and all of it to components of these types."""
    components = graph.architecture.model.components
    sent = [target for _, target, i in graph.out_flows(cid) if graph.flow(i).kind != "read"]
    return bool(sent) and all(components[target].type in types for target in sent)


# flows that start a job's or function's work (a channel hands it on, or something invokes it)
STARTING_KINDS = frozenset({"deliver", "subscribe", "invoke"})


def _started_with(graph: ArchitectureGraph, cid: str, items: list[str]) -> bool:
    """True when the component's work is started by some flow, and every such flow carries the items."""
    starts = [i for _, _, i in graph.in_flows(cid) if graph.flow(i).kind in STARTING_KINDS]
    return bool(starts) and all(set(items) <= graph.effective_carries(i) for i in starts)


def _weaker_than_a_sibling(graph: ArchitectureGraph, ref: EndpointRef, listed: list[str]) -> bool:
    """True when another route of the component on the same resource claims a listed control this one lacks."""
    endpoint = _endpoint(graph, ref)
    if endpoint.resource is None:
        return False
    mine = endpoint_controls(graph, ref)
    wanted = set(listed) - mine
    if not wanted:
        return False
    endpoints = graph.architecture.model.components[ref.component].endpoints or []
    for index, other in enumerate(endpoints):
        if index != ref.index and other.resource == endpoint.resource:
            if wanted & endpoint_controls(graph, EndpointRef(ref.component, index)):
                return True
    return False


def _endpoint(graph: ArchitectureGraph, ref: EndpointRef) -> Endpoint:
    return graph.architecture.model.components[ref.component].endpoints[ref.index]  # type: ignore[index]


def _route_words(route: str) -> set[str]:
    """The literal path segments of a route, lower-cased ("POST /files/{id}/restore": files, restore)."""
    path = route.split(" ", 1)[-1].split("?", 1)[0]
    return {part.lower() for part in path.split("/") if part and not part.startswith("{")}


def _endpoint_ids(graph: ArchitectureGraph, ref: EndpointRef) -> str | None:
    """The id scheme the endpoint's resource declares (None when not declared)."""
    resource = graph.architecture.model.resources.get(_endpoint(graph, ref).resource or "")
    return None if resource is None else resource.ids


def _endpoint_owner(graph: ArchitectureGraph, ref: EndpointRef) -> str | None:
    """The owner of the endpoint's resource as its operation meets it (None when not declared)."""
    model = graph.architecture.model
    endpoint = _endpoint(graph, ref)
    resource = model.resources.get(endpoint.resource or "")
    return None if resource is None else effective_owner(resource, endpoint.operation, model.tenancy)


def _declared_controls(graph: ArchitectureGraph, binding: Binding, name: str, or_endpoints: bool = False) -> set[str]:
    """The controls written at a place, without implied ones: an ``unless`` names what was declared
    (for a role with ``or_endpoints``, also what any of its component's routes declares)."""
    model = graph.architecture.model
    if name in binding.endpoints:
        ref = binding.endpoints[name]
        component = model.components[ref.component]
        return set(effective_controls(component, component.endpoints[ref.index]))  # type: ignore[index]
    component = model.components[binding.roles[name]]
    declared = set(component.controls)
    if or_endpoints:
        for endpoint in component.endpoints or ():
            declared.update(effective_controls(component, endpoint))
    return declared


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


Edges = list[tuple[str, str, tuple[int, ...]]]


def _bind_roles(
    plan: tuple[str, list[_Step]],
    candidates: dict[str, set[str]],
    graph: ArchitectureGraph,
) -> Iterator[tuple[dict[str, str], dict[str, tuple[int, ...]]]]:
    anchor, steps = plan
    edges_memo: dict[tuple[int, str | None, str | None], Edges] = {}
    for cid in sorted(candidates[anchor]):
        yield from _extend(steps, 0, candidates, graph, {anchor: cid}, {}, edges_memo)


def _extend(
    steps: list[_Step],
    position: int,
    candidates: dict[str, set[str]],
    graph: ArchitectureGraph,
    roles: dict[str, str],
    flows: dict[str, tuple[int, ...]],
    edges_memo: dict[tuple[int, str | None, str | None], Edges],
) -> Iterator[tuple[dict[str, str], dict[str, tuple[int, ...]]]]:
    if position == len(steps):
        yield roles, flows
        return
    step = steps[position]
    spec = step.spec
    # a step's edges depend only on the components bound at its ends (the plan fixes which are),
    # and one component is reached through many partial bindings
    key = (position, roles.get(spec.source), roles.get(spec.target))
    edges = edges_memo.get(key)
    if edges is None:
        edges = edges_memo[key] = list(_matching_edges(spec, roles, candidates, graph))
    used = set(roles.values())
    for source, target, indices in edges:
        extended = roles
        if step.new_role is not None:
            component = target if step.new_role == spec.target else source
            if component in used:
                continue  # one component plays one role in a binding
            extended = {**roles, step.new_role: component}
        yield from _extend(steps, position + 1, candidates, graph, extended, {**flows, spec.name: indices}, edges_memo)


def _matching_edges(
    spec: FlowSpec, roles: dict[str, str], candidates: dict[str, set[str]], graph: ArchitectureGraph
) -> Iterator[tuple[str, str, tuple[int, ...]]]:
    """(source, target, flow indices) for each neighbour pair joined by flows the spec accepts."""
    if spec.source in roles:
        edges = graph.out_flows(roles[spec.source])
    else:
        edges = graph.in_flows(roles[spec.target])
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
        if spec.carries_any and not set(spec.carries_any) & graph.effective_carries(index):
            continue
        grouped.setdefault((source, target), []).append(index)
    for (source, target), indices in sorted(grouped.items()):
        yield source, target, tuple(sorted(indices))


EndpointSets = tuple[list[dict[str, EndpointRef]], list[NotAssessable]]


def _endpoints_once(
    template: Template, graph: ArchitectureGraph, roles: dict[str, str], memo: dict[tuple[str, ...], EndpointSets]
) -> EndpointSets:
    """_bind_endpoints, computed once per template for each choice of the components its endpoint
    roles belong to (it reads nothing else of the binding). The assignments are shared: read only."""
    key = tuple(roles[spec.of] for spec in template.endpoints.values())
    found = memo.get(key)
    if found is None:
        found = memo[key] = _bind_endpoints(template, graph, roles)
    return found


def _endpoint_order(graph: ArchitectureGraph, template: Template) -> list[str]:
    """The template's endpoint roles, those bound on their own first, then those relative to another;
    sorted once per analysis (keyed by identity: the library outlives the analysis)."""
    table = graph.table("endpoint_order")
    found = table.get(id(template))
    if found is None:
        endpoints = template.endpoints
        found = table[id(template)] = sorted(
            endpoints, key=lambda n: (endpoints[n].same_resource_as is not None or endpoints[n].same_path_as is not None, n)
        )
    return found  # type: ignore[no-any-return]


def _bind_endpoints(template: Template, graph: ArchitectureGraph, roles: dict[str, str]) -> EndpointSets:
    """Every assignment of endpoints to the template's endpoint roles, and why any could not be judged.

    A gateway route that forwards to a service route is never bound as a judged endpoint: the
    finding is made on the service's route. One whose service route is unknown is not assessable.
    """
    if not template.endpoints:
        return [{}], []
    model = graph.architecture.model
    routes = forwarding(graph)
    not_assessable: list[NotAssessable] = []
    assignments: list[dict[str, EndpointRef]] = [{}]
    for name in _endpoint_order(graph, template):
        spec = template.endpoints[name]
        cid = roles[spec.of]
        component = model.components[cid]
        if not component.endpoints:
            if component.type == "gateway" and any(graph.flow(i).kind in SYNC_CALL_KINDS for _, _, i in graph.out_flows(cid)):
                return [], []  # a proxy without routes of its own: the services behind it are judged
            if component.type == "function" and not graph.reached_by_people(cid):
                return [], []  # a function started by events or a schedule has no routes to judge
            reason = f"{component.type} '{cid}' declares no endpoints"
            return [], [NotAssessable(cid, reason)]
        grown: list[dict[str, EndpointRef]] = []
        traits = _endpoint_traits(graph, cid)
        for assignment in assignments:
            for endpoint, endpoint_traits in zip(component.endpoints, traits):
                ref = endpoint_traits[0]
                if ref in assignment.values():
                    continue
                verdict = _endpoint_fits(spec, endpoint_traits, endpoint, model, assignment)
                if verdict is True and not spec.witness and (ref in routes.upstream or ref in routes.unresolved):
                    if ref in routes.unresolved:
                        not_assessable.append(NotAssessable(cid, routes.unresolved[ref]))
                    continue
                if verdict is True:
                    grown.append({**assignment, name: ref})
                elif isinstance(verdict, str):
                    not_assessable.append(NotAssessable(cid, f"{endpoint.route}: {verdict}"))
        assignments = grown
    return assignments, not_assessable


_Traits = tuple[EndpointRef, str | None, int, frozenset[str]]


def _endpoint_traits(graph: ArchitectureGraph, cid: str) -> list[_Traits]:
    """For each endpoint of a component: a reference to it, its method, the object ids the caller
    names (path parameters, and one from the query or body) and the controls that count there (its
    own, implied ones and the edge controls of gateway routes in front, as endpoint_controls gives
    them); made once per graph, in one list per component to keep the table small."""
    table = graph.table("endpoint_traits")
    found = table.get(cid)
    if found is None:
        component = graph.architecture.model.components[cid]
        found = table[cid] = []
        for index, endpoint in enumerate(component.endpoints or ()):
            ref = EndpointRef(cid, index)
            found.append((ref, endpoint.method, endpoint.id_params, endpoint_controls(graph, ref)))
    return found  # type: ignore[no-any-return]


def _endpoint_fits(
    spec: EndpointSpec, traits: _Traits, endpoint: Endpoint, model: Architecture, bound: dict[str, EndpointRef]
) -> bool | str:
    """True when the endpoint fits, False when it does not, a reason when the facts are not declared
    (``traits`` as _endpoint_traits gives them)."""
    _, method, id_params, claimed = traits
    if spec.operations and endpoint.operation not in spec.operations:
        return False
    if spec.methods and method not in {m.upper() for m in spec.methods}:
        return False
    if id_params < spec.min_path_params:
        return False
    if not set(spec.controls) <= claimed or claimed & set(spec.lacks):
        return False
    if spec.same_resource_as is not None:
        other_ref = bound.get(spec.same_resource_as)
        if other_ref is None:
            return False
        other = model.components[other_ref.component].endpoints[other_ref.index]  # type: ignore[index]
        if endpoint.resource is None or endpoint.resource != other.resource:
            return False
    if spec.same_path_as is not None:
        other_ref = bound.get(spec.same_path_as)
        if other_ref is None:
            return False
        other = model.components[other_ref.component].endpoints[other_ref.index]  # type: ignore[index]
        if endpoint.path_shape != other.path_shape:
            return False
    if spec.nested is not None:
        nested = _nested(endpoint, model)
        if isinstance(nested, str):
            return nested if spec.nested else False
        if nested != spec.nested:
            return False
    if spec.resource is not None:
        return _resource_fits(spec, endpoint, model)
    return True


def _nested(endpoint: Endpoint, model: Architecture) -> bool | str:
    """A route reaches a child through its parent: its resource declares a ``parent`` and the path
    names both. Two 'collection/{id}' pairs without a declared parent are not assessable (a reason):
    the path's shape does not say the first is the second's parent, and it is often the tenant
    itself (/accounts/{id}/folders/{id}), which tenant scoping already covers."""
    resource = model.resources.get(endpoint.resource or "")
    if resource is not None and resource.parent is not None and endpoint.path_params >= 2:
        return True
    if endpoint.nested_pairs >= 2:
        named = f"its resource '{endpoint.resource}'" if endpoint.resource else "it names no resource, so it"
        return (
            f"two collection/{{id}} pairs, but {named} declares no parent: declare parent: when the first pair is the "
            "resource it belongs to (when it is the tenant itself, tenant scoping covers it)"
        )
    return False


def _resource_fits(spec: EndpointSpec, endpoint: Endpoint, model: Architecture) -> bool | str:
    wanted = spec.resource
    assert wanted is not None
    if endpoint.resource is None:
        return False
    resource = model.resources.get(endpoint.resource)
    if resource is None:
        if wanted.owners or wanted.ids or wanted.workflows or wanted.soft_delete is not None:
            return f"resource '{endpoint.resource}' is not declared under resources"
        return True
    if wanted.soft_delete is not None and resource.soft_delete != wanted.soft_delete:
        return False
    if wanted.owners:
        if resource.owner is None:
            return f"resource '{endpoint.resource}' does not declare its owner"
        if effective_owner(resource, endpoint.operation, model.tenancy) not in wanted.owners:
            return False
    if wanted.ids:
        if resource.ids is None:
            return f"resource '{endpoint.resource}' does not declare its id scheme (ids: sequential or random)"
        if resource.ids not in wanted.ids:
            return False
    if wanted.workflows:
        if resource.workflow is None:
            return f"resource '{endpoint.resource}' does not say whether its state changes are guarded (workflow: guarded or free)"
        if resource.workflow not in wanted.workflows:
            return False
    return True


def _crossings(roles: dict[str, str], flows: dict[str, tuple[int, ...]], of_kind: _CrossingsOfKind) -> tuple[Crossing, ...]:
    """The crossings of the template's boundary kind on the bound flows, else into the bound components."""
    on_flow = of_kind.on_flow
    parts = [found for indices in flows.values() for index in indices if (found := on_flow[index])]
    if not parts:  # no bound flow crosses it: the boundary may sit where a bound component is reached
        into = of_kind.into
        parts = [found for cid in roles.values() if (found := into[cid])]
    return of_kind.union(parts)


class _OfKind(dict[Any, tuple[Crossing, ...]]):
    """Crossings of one kind at each place (a flow's index or a component), sorted and distinct,
    each computed when first asked for: every binding over the place shares its one tuple."""

    def __init__(self, kind: str, crossings_at: Callable[[Any], list[Crossing]]) -> None:
        super().__init__()
        self.kind = kind
        self.crossings_at = crossings_at

    def __missing__(self, place: Any) -> tuple[Crossing, ...]:
        found = self[place] = tuple(sorted({c for c in self.crossings_at(place) if c.kind == self.kind}))
        return found


class _CrossingsOfKind:
    """The crossings of a template's boundary kind at the places its bindings name, kept for the
    length of one match (not with the graph: at 80,000 components the tables would hold tens of
    megabytes through the whole analysis). The bindings of one finding then share one tuple."""

    def __init__(self, graph: ArchitectureGraph, boundary: str) -> None:
        self.on_flow = _OfKind(boundary, graph.flow_crossings.__getitem__)
        self.into = _OfKind(boundary, graph.crossings_into)
        self.unions: dict[tuple[int, ...], tuple[Crossing, ...]] = {}

    def union(self, parts: list[tuple[Crossing, ...]]) -> tuple[Crossing, ...]:
        """The sorted distinct crossings of ``parts`` (tuples of this object's tables): one of them
        as it is when all are that one, else one shared tuple per combination (keyed by identity,
        since hashing a crossing hashes all its fields)."""
        if not parts:
            return ()
        first = parts[0]
        if all(part is first for part in parts):
            return first
        key = tuple(map(id, parts))
        found = self.unions.get(key)
        if found is None:
            found = self.unions[key] = tuple(sorted(set().union(*parts)))
        return found
