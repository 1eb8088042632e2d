"""Binds a template's endpoint roles to the routes of the components its roles are bound to."""

from __future__ import annotations

import re

from tmkb_graph.architecture import Architecture, Endpoint, effective_owner, route_workflow
from tmkb_graph.bindings import EndpointRef, NotAssessable
from tmkb_graph.boundaries import SYNC_CALL_KINDS, ArchitectureGraph
from tmkb_graph.grants import resource_grants
from tmkb_graph.pattern import EndpointSpec, Template
from tmkb_graph.place_controls import endpoint_controls, forwarding
from tmkb_graph.route_paths import is_path_param, path_segments


EndpointSets = tuple[list[dict[str, EndpointRef]], list[NotAssessable]]


def endpoints_once(
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
    looked_up = parent_lookup(endpoint, model) if spec.parent_lookups else None
    if spec.operations and endpoint.operation not in spec.operations and looked_up is None:
        return False
    if spec.methods and method not in {m.upper() for m in spec.methods}:
        return False
    if id_params < spec.min_path_params:
        return False
    if not set(spec.controls) <= claimed or claimed & set(spec.lacks):
        return False
    if spec.same_resource_as is not None:
        other = _bound_endpoint(bound, spec.same_resource_as, model)
        if other is None or endpoint.resource is None or endpoint.resource != other.resource:
            return False
    if spec.same_path_as is not None:
        other = _bound_endpoint(bound, spec.same_path_as, model)
        if other is None or endpoint.path_shape != other.path_shape:
            return False
    if spec.token_link is not None and endpoint.token_link != spec.token_link:
        return False
    if spec.nested is not None:
        nested = _nested(endpoint, model, looked_up)
        if isinstance(nested, str):
            # two pairs with no declared parent, on a tenant-owned record the route looks up within
            # the caller's tenant: whether the first pair is the tenant or a parent, the tenant scope
            # covers the lookup, so there is nothing to declare (authors named these notes as noise)
            return nested if spec.nested and not _scoped_in_tenant(endpoint, claimed, model) else False
        if nested != spec.nested:
            return False
    if spec.resource is not None:
        return _resource_fits(spec, endpoint, model, looked_up)
    return True


def parent_lookup(endpoint: Endpoint, model: Architecture) -> str | None:
    """The parent a route looks up when it names no object of its own resource (None when it names
    none): its resource declares a ``parent`` and its path's last id is the parent's, by the
    collection before it or the parameter's own name (/environments/{environment_id}/webhooks lists
    one environment's webhooks, /orders/{receipt_id}/labels adds to one receipt, PATCH
    /projects/{project_id}/pledge changes the caller's own pledge on one project); a list or create
    may also name the parent's id in the query or the body (``id_in``). Whoever names another
    tenant's parent there reaches its children."""
    resource = model.resources.get(endpoint.resource or "")
    if resource is None or resource.parent is None:
        return None
    listing = endpoint.operation in ("list", "create")
    if endpoint.id_in is not None:
        return resource.parent if listing else None
    if endpoint.operation == "bulk":
        return None
    segments = path_segments(endpoint.path)
    ids = endpoint.id_positions()
    if not ids:
        return None
    last = ids[-1]
    before = segments[last - 1] if last > 0 else ""
    named = _names_resource(_param_name(segments[last]), resource.parent) or _names_resource(before, resource.parent)
    return resource.parent if named else None


def _names_resource(word: str, resource: str) -> bool:
    """Whether a path segment or parameter names the resource: its whole name or its last words
    (installations and installationId name IntegrationInstallation; review-cycles names ReviewCycle)."""
    wanted = _singular(word)
    words = [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", resource)]
    return bool(wanted) and any(_singular("".join(words[i:])) == wanted for i in range(len(words)))


def _scoped_in_tenant(endpoint: Endpoint, claimed: frozenset[str], model: Architecture) -> bool:
    """The route claims tenant scoping and its resource is owned by the tenant."""
    resource = model.resources.get(endpoint.resource or "")
    return "tenant_scoped_queries" in claimed and resource is not None and resource.owner == "tenant"


def _bound_endpoint(bound: dict[str, EndpointRef], name: str, model: Architecture) -> Endpoint | None:
    """The endpoint already bound to the endpoint role ``name``, or None when none is."""
    ref = bound.get(name)
    return None if ref is None else model.components[ref.component].endpoints[ref.index]  # type: ignore[index]


def _nested(endpoint: Endpoint, model: Architecture, looked_up: str | None = None) -> bool | str:
    """A route reaches a child through its parent: its resource declares a ``parent`` and the path
    names both. Two 'collection/{id}' pairs without a declared parent are not assessable (a reason):
    the path's shape does not say the first is the second's parent, and it is often the tenant
    itself (/accounts/{id}/folders/{id}), which tenant scoping already covers."""
    # a token in the path is the object's own credential (/webhooks/{id}/{token}), not a child's id
    # (a review rejected the nesting asked there twice): fewer than two ids besides it nest nothing
    if endpoint.path_params - (endpoint.credential_params if endpoint.token_link else 0) < 2:
        return False
    if looked_up is not None and endpoint.operation in ("list", "create"):  # the parent is the child reached
        grandparent = model.resources[looked_up].parent
        return grandparent is not None and _names_earlier(endpoint, grandparent)
    resource = model.resources.get(endpoint.resource or "")
    if resource is not None and resource.parent is not None:
        return _names_child(endpoint, resource.parent)
    # a token pair is a capability (/public/dashboards/{access_token}/panels/{id}), not a parent the
    # shape could mean: only a declared parent says the object must belong to it
    if endpoint.nested_pairs >= 2 and not endpoint.credential_params:
        named = f"its resource '{endpoint.resource}'" if endpoint.resource else "it names no resource, so it"
        return (
            f"two collection/{{id}} pairs, but {named} declares no parent: declare parent: when the first pair is the "
            "resource it belongs to (when it is the tenant itself, tenant scoping covers it)"
        )
    return False


def _names_child(endpoint: Endpoint, parent: str) -> bool:
    """Whether the route names its child by an id of its own: not when its last path parameter is the
    parent's (/envelopes/{id}/recipients lists an envelope's recipients, /envelopes/{id}/views/recipient
    acts on one named by the envelope), unless the child's id comes in the query or the body (a bulk
    route names its children in its body). A create or a list names none either. A route that names
    no child cannot reach one of another parent; whether the caller may open the parent is the
    parent's own check (reviews rejected nesting asked of such routes six times in one design)."""
    if endpoint.operation in ("create", "list"):
        return False  # a new child, or a parent's children: none of another parent is looked up
    if endpoint.id_in in ("query", "body") or endpoint.operation == "bulk":
        return True
    return _singular(_last_collection(endpoint)) != _singular(parent)


def _names_earlier(endpoint: Endpoint, resource: str) -> bool:
    """Whether a parameter before the path's last id names the resource, by its collection or its
    own name (/shops/{shop_id}/receipts/{receipt_id}/transactions names the shop before the receipt;
    /s/{share_token}/files/{file_id} names the share by its token)."""
    segments = path_segments(endpoint.path)
    params = [i for i, seg in enumerate(segments) if is_path_param(seg)]
    ids = endpoint.id_positions()
    earlier = [i for i in params if ids and i < ids[-1]]
    return any(_names_resource(_param_name(segments[i]), resource) or (i > 0 and _names_resource(segments[i - 1], resource)) for i in earlier)


def _param_name(segment: str) -> str:
    """A path parameter's name without its braces and a trailing id or token ({installationId}:
    installation, {share_token}: share)."""
    name = segment.strip("{}<>:")
    for suffix in ("id", "token"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)].rstrip("_-")
    return name


def _last_collection(endpoint: Endpoint) -> str:
    """The path segment before its last parameter ('' when the path starts with it)."""
    shape = endpoint.path_shape
    last = max(i for i, segment in enumerate(shape) if segment == "{}")
    return shape[last - 1] if last > 0 else ""


def _singular(word: str) -> str:
    """A collection segment or resource name reduced for comparison: audit_events and AuditEvent agree."""
    plain = "".join(ch for ch in word.lower() if ch.isalnum())
    if plain.endswith("ies"):
        return plain[:-3] + "y"
    if plain.endswith(("sses", "xes", "ches", "shes")):
        return plain[:-2]
    return plain[:-1] if plain.endswith("s") and not plain.endswith("ss") else plain


def _resource_fits(spec: EndpointSpec, endpoint: Endpoint, model: Architecture, looked_up: str | None = None) -> bool | str:
    """Whether the route's resource (or the parent a list or create under it looks up, met as a read)
    is what the spec wants; a reason when the facts are not declared."""
    wanted = spec.resource
    assert wanted is not None
    if looked_up is not None:
        endpoint = endpoint.model_copy(update={"resource": looked_up, "operation": "read"})
    if endpoint.resource is None:
        return False
    resource = model.resources.get(endpoint.resource)
    if wanted.grants and resource_grants(endpoint.resource, resource) not in wanted.grants:
        return False
    if resource is None:
        if wanted.owners or wanted.ids or (wanted.workflows and endpoint.workflow is None) or wanted.soft_delete is not None:
            return f"resource '{endpoint.resource}' is not declared under resources"
        return not wanted.workflows or endpoint.workflow in wanted.workflows
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
        workflow = route_workflow(endpoint, resource)
        if workflow is None:
            return (
                f"resource '{endpoint.resource}' does not say whether its state changes are guarded "
                "(workflow: guarded or free, on the resource or on this route)"
            )
        if workflow not in wanted.workflows:
            return False
    return True
