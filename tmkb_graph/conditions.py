"""Whether a template's conditions hold on a binding: its ``unless`` facts and ``compare`` rules."""

from __future__ import annotations

from collections.abc import Callable

from tmkb_graph.architecture import Flow, effective_owner, flow_endpoint, route_workflow
from tmkb_graph.bindings import Binding, EndpointRef
from tmkb_graph.boundaries import STARTING_KINDS, ArchitectureGraph
from tmkb_graph.pattern import Comparison, Condition
from tmkb_graph.place_controls import declared_controls, endpoint_at, endpoint_controls, facts_known, front_controls, place_controls


def compares(comparison: Comparison, binding: Binding, graph: ArchitectureGraph) -> bool:
    """True when the weaker place lacks authorization the stronger one has, as the comparison defines it."""
    listed = set(comparison.controls)
    controls_at = front_controls if comparison.in_front else place_controls
    weaker = controls_at(graph, binding, comparison.weaker) & listed
    stronger = controls_at(graph, binding, comparison.than) & listed
    if comparison.mode == "any":
        return bool(stronger) and not weaker
    return bool(stronger - weaker)


def holds(condition: Condition, binding: Binding, graph: ArchitectureGraph) -> bool:
    """True when the bound place claims every listed control, none of the ``lacks`` ones, (for a
    flow) carries every listed item and (for an endpoint) has a listed operation and acts on a
    resource of a listed owner."""
    if condition.all_of:
        return all(holds(member, binding, graph) for member in condition.all_of)
    if condition.flow is not None:
        indices = binding.flows.get(condition.flow, ())
        flows = [graph.flow(i) for i in indices]
        if not flows:
            return False
        # nothing of ``carries_none`` may reach the target by any way: through the channel too
        carries_ok = all(
            set(condition.carries) <= graph.effective_carries(i)
            and not (condition.carries_none and set(condition.carries_none) & graph.reaching_carries(i))
            for i in indices
        )
        controls_ok = all(set(condition.controls) <= set(f.controls) and not set(condition.lacks) & set(f.controls) for f in flows)
        kinds_ok = not condition.kinds or all(f.kind in condition.kinds for f in flows)
        tokens_ok = condition.token_link is None or all(_reaches_token_link(graph, f) == condition.token_link for f in flows)
        return carries_ok and controls_ok and kinds_ok and tokens_ok
    if not set(condition.controls) <= declared_controls(graph, binding, condition.name, condition.or_endpoints):
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
    if condition.sends_carrying and not _sends_carrying(graph, binding.roles[condition.name], condition.sends_carrying):
        return False
    if condition.sends_without and any(set(condition.sends_without) & graph.effective_carries(i) for i in _sent(graph, binding.roles[condition.name])):
        return False
    if condition.flows_out and not any(graph.flow(i).kind in condition.flows_out for _, _, i in graph.out_flows(binding.roles[condition.name])):
        return False
    if condition.no_flows_out and any(graph.flow(i).kind in condition.no_flows_out for _, _, i in graph.out_flows(binding.roles[condition.name])):
        return False
    if condition.written_only_by and not _written_only_by(graph, binding.roles[condition.name], condition.written_only_by):
        return False
    if condition.resources_apart_from is not None and not _resources_apart(graph, binding.roles[condition.name], binding.roles[condition.resources_apart_from]):
        return False
    if condition.owners and _endpoint_owner(graph, binding.endpoints[condition.name]) not in condition.owners:
        return False
    if condition.ids and not _ids_are(graph, binding, condition):
        return False
    if condition.not_route_words and _route_words(endpoint_at(graph, binding.endpoints[condition.name]).route) & {w.lower() for w in condition.not_route_words}:
        return False
    if condition.route_words and not _route_words(endpoint_at(graph, binding.endpoints[condition.name]).route) & {w.lower() for w in condition.route_words}:
        return False
    if condition.bodies and not _every_route(graph, binding, condition, lambda ref: endpoint_at(graph, ref).body in condition.bodies):
        return False
    if condition.workflows and _route_workflow(graph, binding.endpoints[condition.name]) not in condition.workflows:
        return False
    if condition.operations and not _every_route(graph, binding, condition, lambda ref: endpoint_at(graph, ref).operation in condition.operations):
        return False
    if condition.reached_by and not _reached_only_by(graph, binding, condition):
        return False
    if condition.token_in_path is not None and bool(endpoint_at(graph, binding.endpoints[condition.name]).credential_params) != condition.token_in_path:
        return False
    if condition.as_strong_as_siblings and _weaker_than_a_sibling(graph, binding.endpoints[condition.name], condition.as_strong_as_siblings):
        return False
    # what a place lacks is judged on everything that counts there: implied and gateway edge controls too
    return not (condition.lacks and set(condition.lacks) & place_controls(graph, binding, condition.name))


def _reaches_token_link(graph: ArchitectureGraph, flow: Flow) -> bool:
    """Whether the flow reaches its target at a route whose path carries a secret token (a hook URL
    issued per registration, /hooks/{webhook_token}): the route it names, or, naming none, every
    route of a target that declares some."""
    target = graph.architecture.model.components[flow.target]
    index = flow_endpoint(target, flow.route) if flow.route is not None else None
    routes = [target.endpoints[index]] if index is not None and target.endpoints else list(target.endpoints or ())
    return bool(routes) and all(endpoint.token_link for endpoint in routes)


def _every_route(graph: ArchitectureGraph, binding: Binding, condition: Condition, test: Callable[[EndpointRef], bool]) -> bool:
    """The test holds for the bound endpoint, or for every route of the bound role's component (a
    component with no routes has none for it to hold on)."""
    if condition.endpoint is not None:
        return test(binding.endpoints[condition.name])
    cid = binding.roles[condition.name]
    routes = range(len(graph.architecture.model.components[cid].endpoints or ()))
    return bool(routes) and all(test(EndpointRef(cid, i)) for i in routes)


def _reached_only_by(graph: ArchitectureGraph, binding: Binding, condition: Condition) -> bool:
    """Every route of the bound place is named by a flow of one of ``reached_by``'s kinds; a role
    whose component declares no routes, when every flow into it is of those kinds (a callback host
    only browsers sent back by an outside service reach, whose route nobody published)."""
    kinds = condition.reached_by
    if condition.endpoint is None and not graph.architecture.model.components[binding.roles[condition.name]].endpoints:
        incoming = [graph.flow(i).kind for _, _, i in graph.in_flows(binding.roles[condition.name])]
        return bool(incoming) and all(kind in kinds for kind in incoming)
    return _every_route(graph, binding, condition, lambda ref: _reached_by(graph, ref, kinds))


def _reached_by(graph: ArchitectureGraph, ref: EndpointRef, kinds: list[str]) -> bool:
    """Whether a flow of one of these kinds names the endpoint by its route (a redirect's ``route``)."""
    target = graph.architecture.model.components[ref.component]
    return any(
        flow.kind in kinds and flow.route is not None and flow_endpoint(target, flow.route) == ref.index
        for flow in (graph.flow(i) for _, _, i in graph.in_flows(ref.component))
    )


def _resources_apart(graph: ArchitectureGraph, cid: str, other: str) -> bool:
    """True when every route of the component names a resource, it has some, the other component's
    routes name some, and the two share none: it serves other records than the other one."""
    components = graph.architecture.model.components
    mine = [endpoint.resource for endpoint in components[cid].endpoints or ()]
    theirs = {endpoint.resource for endpoint in components[other].endpoints or () if endpoint.resource is not None}
    return bool(mine) and None not in mine and bool(theirs) and not theirs & set(mine)


def _sends_only_to(graph: ArchitectureGraph, cid: str, types: list[str], seen: frozenset[str] = frozenset()) -> bool:
    """True when the component sends something besides its reads, and all of it to components of these
    types, or to jobs that in turn send only there: a job it invokes, or every job a channel it feeds
    starts on that topic (a workflow engine whose one act is to invoke a webhook sender reports
    outward as the sender does; judges rejected TMKB-AUTHZ-001 on such an engine as the sender's case)."""
    components = graph.architecture.model.components
    sent = _sent(graph, cid)
    seen = seen | {cid}
    # only a job passes its reporting on: an entry point (a webhook receiver) that hands work on acts
    # through that work, judged where it happens
    job = graph.family.get(cid) == "compute"
    return bool(sent) and all(
        components[graph.flow(i).target].type in types or (job and _passes_on_only_to(graph, i, types, seen)) for i in sent
    )


_PASS_ON_KINDS = frozenset({"invoke", "enqueue", "publish"})


def _passes_on_only_to(graph: ArchitectureGraph, index: int, types: list[str], seen: frozenset[str]) -> bool:
    """Whether a flow hands work to jobs (invoked directly, or started by the channel it feeds on the
    same topic) each of which sends only to components of these types."""
    flow = graph.flow(index)
    if flow.kind not in _PASS_ON_KINDS:
        return False
    if graph.family.get(flow.target) == "compute":
        jobs = [flow.target]
    elif graph.family.get(flow.target) == "channel":
        jobs = graph.started_through(index)
    else:
        return False
    return bool(jobs) and all(job not in seen and _sends_only_to(graph, job, types, seen) for job in jobs)


def _written_only_by(graph: ArchitectureGraph, cid: str, types: list[str]) -> bool:
    """True when something writes to the component, and every writer is of these types."""
    components = graph.architecture.model.components
    writers = {source for source, _, i in graph.in_flows(cid) if graph.flow(i).kind == "write"}
    return bool(writers) and all(components[w].type in types for w in writers)


def _started_with(graph: ArchitectureGraph, cid: str, items: list[str]) -> bool:
    """True when the component's work is started by some flow, and every such flow carries the items."""
    starts = [i for _, _, i in graph.in_flows(cid) if graph.flow(i).kind in STARTING_KINDS]
    return bool(starts) and all(set(items) <= graph.effective_carries(i) for i in starts)


def _sent(graph: ArchitectureGraph, cid: str) -> list[int]:
    """The flows the component sends, apart from its reads."""
    return [i for _, _, i in graph.out_flows(cid) if graph.flow(i).kind != "read"]


def _sends_carrying(graph: ArchitectureGraph, cid: str, items: list[str]) -> bool:
    """True when the component sends something besides its reads, and every such flow carries the items."""
    sent = _sent(graph, cid)
    return bool(sent) and all(set(items) <= graph.effective_carries(i) for i in sent)


def _weaker_than_a_sibling(graph: ArchitectureGraph, ref: EndpointRef, listed: list[str]) -> bool:
    """True when another route of the component on the same resource claims a listed control this one lacks."""
    endpoint = endpoint_at(graph, ref)
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




def _route_words(route: str) -> set[str]:
    """The literal path segments of a route, lower-cased ("POST /files/{id}/restore": files, restore)."""
    path = route.split(" ", 1)[-1].split("?", 1)[0]
    return {part.lower() for part in path.split("/") if part and not part.startswith("{")}


def _ids_are(graph: ArchitectureGraph, binding: Binding, condition: Condition) -> bool:
    """The endpoint's resource declares one of the id schemes (a route whose path carries a secret
    token counts as random); for a role, every one of its component's routes does, or is a link named
    by its token alone (a component with no routes has none)."""
    if condition.endpoint is not None:
        return _endpoint_ids(graph, binding.endpoints[condition.name]) in condition.ids
    # a host every route of which is a token link naming nothing else (/s/{token}, /tracking/{token})
    # serves only what each link names: judges rejected second-path findings on such hosts six times
    # (survey and share links, tracking pages) and accepted them twice (for link lifecycles). A link
    # that also takes a caller-chosen id (/{board_token}/jobs/{id}) is judged by its records' ids
    return _every_route(graph, binding, condition, lambda ref: _resource_ids(graph, ref) in condition.ids or _token_only(graph, ref, condition.ids))


def _token_only(graph: ArchitectureGraph, ref: EndpointRef, ids: list[str]) -> bool:
    """A token link that names no other id counts as random ids."""
    endpoint = endpoint_at(graph, ref)
    return "random" in ids and endpoint.token_link and endpoint.id_params == 0


def _endpoint_ids(graph: ArchitectureGraph, ref: EndpointRef) -> str | None:
    """The id scheme the endpoint's resource declares (None when not declared); a route whose path
    carries a secret token beside the id (a share link /t/{task_id}/{token}) is reached only with
    that token, so it counts as random whatever the id is."""
    if endpoint_at(graph, ref).token_link:
        return "random"
    return _resource_ids(graph, ref)


def _resource_ids(graph: ArchitectureGraph, ref: EndpointRef) -> str | None:
    """The id scheme the endpoint's resource declares (None when not declared)."""
    resource = graph.architecture.model.resources.get(endpoint_at(graph, ref).resource or "")
    return None if resource is None else resource.ids


def _route_workflow(graph: ArchitectureGraph, ref: EndpointRef) -> str | None:
    """The workflow the route's state change follows, its own or its resource's (None when neither says)."""
    endpoint = endpoint_at(graph, ref)
    return route_workflow(endpoint, graph.architecture.model.resources.get(endpoint.resource or ""))


def _endpoint_owner(graph: ArchitectureGraph, ref: EndpointRef) -> str | None:
    """The owner of the endpoint's resource as its operation meets it (None when not declared)."""
    model = graph.architecture.model
    endpoint = endpoint_at(graph, ref)
    resource = model.resources.get(endpoint.resource or "")
    return None if resource is None else effective_owner(resource, endpoint.operation, model.tenancy)
