"""Where a finding stands: the labels of what a pattern's unit binds (a route, a component, or a
component's resource) and the place a finding is located at, where its fix belongs."""

from __future__ import annotations

from tmkb_graph.architecture import Component, Endpoint
from tmkb_graph.bindings import Binding, EndpointRef
from tmkb_graph.boundaries import ArchitectureGraph
from tmkb_graph.endpoint_binding import parent_lookup
from tmkb_graph.findings import Gap
from tmkb_graph.mitigations import misses_required, place_label, place_line
from tmkb_graph.pattern import Pattern
from tmkb_graph.place_controls import effective_controls, fact_of
from tmkb_graph.route_paths import path_segments

# a unit entry ``target.resource`` makes one finding per resource of the bound route's component
_PER_RESOURCE = ".resource"
# a unit entry ``target.owner_rule`` does the same, except that the component's tenant-owned resources
# (all of them, on an API only customers' accounts call) share one finding: the rule each of their
# routes misses is one (the record is in the caller's tenant)
_OWNER_RULE = ".owner_rule"
_PER_OBJECT = (_PER_RESOURCE, _OWNER_RULE)
# a unit entry ``sender.shared`` makes one finding of every component of the role bound with the same
# components in the template's other roles
_SHARED = ".shared"


def unit_role(entry: str) -> str:
    """The role or endpoint role a unit entry names (``target`` for ``target.resource``)."""
    return entry.partition(".")[0]


def id_entry(entry: str) -> str:
    """A unit entry as finding ids spell it: ``.owner_rule`` as ``.resource``, so a finding of one
    resource has the same id under either (only the merged tenant-owned finding is new)."""
    return entry[: -len(_OWNER_RULE)] + _PER_RESOURCE if entry.endswith(_OWNER_RULE) else entry


def per_resource_roles(unit: list[str]) -> list[str]:
    """The endpoint roles a unit groups by their component's resource (or owner rule)."""
    return [unit_role(entry) for entry in unit if entry.endswith(_PER_OBJECT)]


def shared_labels(pattern: Pattern, bindings: list[Binding]) -> dict[str, dict[str, str]]:
    """For each ``role.shared`` unit entry, each component of that role's label: the components it is
    bound with in the other roles, over every binding (two jobs that call the same customer-chosen
    address share one label, so one finding; a job bound with other components has its own)."""
    labels: dict[str, dict[str, str]] = {}
    for entry in pattern.template.unit_names:
        if not entry.endswith(_SHARED):
            continue
        role = unit_role(entry)
        peers: dict[str, set[str]] = {}
        for binding in bindings:
            others = peers.setdefault(binding.roles[role], set())
            others.update(f"{name}={cid}" for name, cid in binding.roles.items() if name != role)
        labels[entry] = {cid: "+".join(sorted(others)) for cid, others in peers.items()}
    return labels


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


def resource_label(
    pattern: Pattern, binding: Binding, entry: str, graph: ArchitectureGraph, owner_groups: dict[tuple[str, str], list[str]] | None = None
) -> str:
    """The unit label of ``route.resource``: the component and the object its bound route looks up
    (every route of that component on that object is one finding), or the route when it names no
    resource. A component none of whose routes makes the pattern's check has one root cause, the
    missing check, whatever objects its routes name: all of them are one finding. For
    ``route.owner_rule``, the objects of ``owner_groups`` (owner_rule_groups) are one finding."""
    role = unit_role(entry)
    ref = binding.endpoints[role]
    named = _named_objects(graph, ref.component)
    name = _object_name(pattern, role, ref, graph)
    if not name:
        return ref_label(graph, ref)
    if not _checks_somewhere(pattern, role, graph, ref.component):
        return f"{ref.component} " + "+".join(sorted(set(named.values())))
    shared = (owner_groups or {}).get((role, ref.component), [])
    if name in shared:
        return f"{ref.component} " + "+".join(shared)
    return f"{ref.component} {name}"


def owner_rule_groups(pattern: Pattern, bindings: list[Binding], graph: ArchitectureGraph) -> dict[tuple[str, str], list[str]]:
    """For each ``route.owner_rule`` unit entry, by (endpoint role, component): the objects a tenant
    owns (or, on a component every caller of which is a customer's account, a tenant or a user) that
    a bound route of the component looks up without making the pattern's check, sorted. The rule
    each of their routes misses is the same (the record is in the caller's tenant) and one
    tenant-scoped lookup fixes them all, so they are one finding; an object whose every route makes
    the check, or one a person owns on a component people call, keeps its own, and one object alone
    keeps the label (and the finding id) it has under ``route.resource``."""
    found: dict[tuple[str, str], set[str]] = {}
    for entry in pattern.template.unit_names:
        if not entry.endswith(_OWNER_RULE):
            continue
        role = unit_role(entry)
        wanted = _check_controls(pattern, role)
        for binding in bindings:
            ref = binding.endpoints[role]
            name = _object_name(pattern, role, ref, graph)
            comp = graph.architecture.model.components[ref.component]
            endpoint = (comp.endpoints or [])[ref.index]
            if name and not _makes_check(comp, endpoint, wanted) and _account_rule(graph, ref.component, name):
                found.setdefault((role, ref.component), set()).add(name)
    return {key: sorted(names) for key, names in found.items()}


def _named_objects(graph: ArchitectureGraph, component: str) -> dict[int, str]:
    """_object_groups, made once per component."""
    groups = graph.table("object_groups")
    if component not in groups:
        groups[component] = _object_groups(graph, component)
    return groups[component]  # type: ignore[no-any-return]


def _object_name(pattern: Pattern, role: str, ref: EndpointRef, graph: ArchitectureGraph) -> str | None:
    """The object a bound route looks up: its group among the component's routes, or, for a list or
    create under a parent the path names, the parent's (None when it names no resource)."""
    named = _named_objects(graph, ref.component)
    name = named.get(ref.index)
    if name and pattern.template.endpoints[role].parent_lookups:
        name = _parent_group(graph, ref, named) or name
    return name


def _account_rule(graph: ArchitectureGraph, component: str, name: str) -> bool:
    """Whether the owner rule of the object ``name`` of a component's routes is "the record is in the
    caller's tenant": a tenant owns every resource of it, or every caller of the component is a
    customer's account (facts: {account_callers: true}), for which a person's record is its
    account's too (a parent no route of the component acts on is an object of its own)."""
    endpoints = graph.architecture.model.components[component].endpoints or []
    named = _named_objects(graph, component)
    resources = {str(endpoints[i].resource) for i, group in named.items() if group == name} or {name}
    declared = graph.architecture.model.resources
    owners = {declared[r].owner if r in declared else None for r in resources}
    if fact_of(graph, component, "account_callers"):
        return owners <= {"tenant", "user"}
    return owners == {"tenant"}


def _parent_group(graph: ArchitectureGraph, ref: EndpointRef, named: dict[int, str]) -> str | None:
    """For a list or create under a parent the path names, the object it looks up: the group of the
    component's routes on that parent, or the parent itself when no route acts on it (None when the
    route looks up no parent)."""
    endpoints = graph.architecture.model.components[ref.component].endpoints or []
    parent = parent_lookup(endpoints[ref.index], graph.architecture.model)
    if parent is None:
        return None
    return next((named[i] for i, endpoint in enumerate(endpoints) if endpoint.resource == parent and i in named), parent)


def _checks_somewhere(pattern: Pattern, role: str, graph: ArchitectureGraph, component: str) -> bool:
    """Whether some route of the component claims a control that makes the pattern's check there
    (a required mitigation's, or one its ``unless`` takes for it)."""
    table = graph.table("checks_somewhere")
    key = (pattern.id, role, component)
    if key not in table:
        wanted = _check_controls(pattern, role)
        comp = graph.architecture.model.components[component]
        table[key] = any(_makes_check(comp, endpoint, wanted) for endpoint in comp.endpoints or ())
    return bool(table[key])


def _makes_check(component: Component, endpoint: Endpoint, wanted: set[str]) -> bool:
    """Whether the route claims one of the controls that make the pattern's check (_check_controls)."""
    return bool(wanted & set(effective_controls(component, endpoint)))


def _check_controls(pattern: Pattern, role: str) -> set[str]:
    """The controls that make the pattern's check at an endpoint role: its required mitigations', and
    those its ``unless`` takes for the check (tenant scoping for an owner check). Not the exemptions
    of ``unless_any``: a route open only to administrators is exempt from the check, it makes none."""
    found = {m.control for m in pattern.mitigations if m.required and any(p.endpoint == role for p in m.where)}
    return found | stand_ins(pattern, role, exemptions=False)


def stand_ins(pattern: Pattern, role: str | None = None, exemptions: bool = True) -> set[str]:
    """Controls that, claimed alone at one of the pattern's places (``role`` when given), silence it
    there: a restore rule on a restore route stands in for TMKB-AUTHZ-015's owner check. A condition
    that needs more than its controls (no login too, an operation, a staff console) does not count."""
    found: set[str] = set()
    for condition in [*pattern.template.unless, *(pattern.template.unless_any if exemptions else [])]:
        fields = set(condition.model_dump(exclude_defaults=True))
        if fields <= {"endpoint", "role", "controls"} and (role is None or condition.endpoint == role):
            found.update(condition.controls)
    return found


# parameter names that say nothing of which object they name: /a/{id} and /b/{id} are two objects
_GENERIC_PARAMS = frozenset({"id", "ids", "uuid", "guid", "pk", "key", "sid", "slug", "name", "handle", "path"})


_OF_MANY = frozenset({"list", "create", "bulk"})


def _object_keys(endpoint: Endpoint) -> list[tuple[str, ...]]:
    """What names the object a route looks up: its path up to its last id parameter
    (/deliveries/{id} for /deliveries/{id}/refund), and that parameter's name when it says which
    object it is ({campaign_id} in /reports/{campaign_id} and /campaigns/{campaign_id})."""
    if endpoint.operation in _OF_MANY:
        return []  # the path's last id names a parent of the rows made or listed, not their object
    segments = path_segments(endpoint.path)
    last = max(endpoint.id_positions(), default=None)
    if last is None:
        return []
    shape = ("path",) + endpoint.path_shape[: last + 1]
    param = "".join(ch for ch in segments[last].lower() if ch.isalnum())
    return [shape] if param in _GENERIC_PARAMS else [shape, ("param", param)]


def _object_groups(graph: ArchitectureGraph, component: str) -> dict[int, str]:
    """Each route of a component that names a resource, mapped to the name of its object: routes on
    one resource are one object, and so are routes whose paths name the same object (a refund of
    /deliveries/{id} acts on the delivery), whatever resource their author gave them."""
    endpoints = graph.architecture.model.components[component].endpoints or []
    parent = {i: i for i, endpoint in enumerate(endpoints) if endpoint.resource}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[object, int] = {}
    for i in parent:
        endpoint = endpoints[i]
        for key in [("resource", endpoint.resource), *_object_keys(endpoint)]:
            j = first.setdefault(key, i)
            parent[root(i)] = root(j)
    names: dict[int, set[str]] = {}
    for i in parent:
        names.setdefault(root(i), set()).add(str(endpoints[i].resource))
    return {i: "+".join(sorted(names[root(i)])) for i in parent}


def at_a_gap(pattern: Pattern, bindings: list[Binding], judged: list[list[Gap]], missing: list[Gap], graph: ArchitectureGraph) -> Binding:
    """The binding a finding is located by: the first, or, for one finding per resource (or owner
    rule), the first whose route has a missing control (the restore that checks nobody, not the list
    that filters), and for one finding per shared set, the first that misses one (the sender that
    does not filter). ``judged`` holds each binding's gaps."""
    entry = pattern.template.unit_names[0]
    if missing and entry.endswith(_SHARED) and len(bindings) > 1:
        return next((b for b, gaps in zip(bindings, judged) if misses_required(gaps)), bindings[0])
    if not missing or not entry.endswith(_PER_OBJECT) or len(bindings) == 1:
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
