"""Judging a binding's mitigations: is each control claimed at the place the pattern puts it?

Only what the architecture writes down counts; nothing is inferred.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tmkb_graph.architecture import LoadedArchitecture
from tmkb_graph.boundaries import ArchitectureGraph
from tmkb_graph.findings import Gap
from tmkb_graph.bindings import Binding, EndpointRef
from tmkb_graph.place_controls import (
    effective_controls,
    endpoint_at,
    endpoint_controls,
    facts_known,
    forwarding,
    own_endpoint_controls,
    routes_reached,
)
from tmkb_graph.vocabulary import load_vocabulary
from tmkb_graph.pattern import Mitigation, Pattern, Place


def judge_mitigations(pattern: Pattern, binding: Binding, graph: ArchitectureGraph) -> list[Gap]:
    """One Gap per mitigation that counts for this architecture's tenancy."""
    tenancy = graph.architecture.model.tenancy
    return [
        _judge(m, binding, graph)
        for m in pattern.mitigations
        if m.tenancy in (None, tenancy) and _operation_counts(m, binding, graph) and _facts_allow(m, binding, graph)
    ]


def misses_required(gaps: list[Gap]) -> bool:
    """True when one of a binding's judged mitigations is required and not claimed."""
    return any(gap.required and not gap.present for gap in gaps)


def _facts_allow(mitigation: Mitigation, binding: Binding, graph: ArchitectureGraph) -> bool:
    """True only when every fact the mitigation needs is known to hold of its role's component. An
    unknown fact leaves the mitigation out: a control nobody knows to be possible is not asked for."""
    condition = mitigation.only_when
    return condition is None or facts_known(graph, binding.roles[condition.role], condition.facts)


def _operation_counts(mitigation: Mitigation, binding: Binding, graph: ArchitectureGraph) -> bool:
    """A mitigation limited to some operations counts only when a bound endpoint at its places has one."""
    if not mitigation.operations:
        return True
    components = graph.architecture.model.components
    for place in mitigation.where:
        ref = binding.endpoints[place.name]
        endpoint = components[ref.component].endpoints[ref.index]  # type: ignore[index]
        if endpoint.operation in mitigation.operations:
            return True
    return False


def place_line(arch: LoadedArchitecture, scope: str, ref: object) -> int | None:
    """The source line of a component (id), an endpoint (EndpointRef) or a flow (index)."""
    if scope == "endpoint" and isinstance(ref, EndpointRef):
        return arch.line_of(("components", ref.component, "endpoints", ref.index))
    if scope == "flow" and isinstance(ref, int):
        return arch.line_of(("flows", ref))
    return arch.line_of(("components", str(ref)))


_SPECIFICITY = {"flow": 0, "endpoint": 1, "role": 2}
# the carried items of every gap that lacks none: one list for all, never changed (gaps are frozen)
_NO_CARRIES: list[str] = []


def _judge(mitigation: Mitigation, binding: Binding, graph: ArchitectureGraph) -> Gap:
    """Present at any of its places, or missing at the most specific one (a flow, then an endpoint, then a component)."""
    first: tuple[str, int | None] | None = None
    missing_carries: list[str] = []
    for scope, name, wider in _by_specificity(mitigation, graph):
        for at, line, present, evidence, lacking in _places(mitigation, scope, name, binding, graph, wider):
            if present:
                return _gap(mitigation, at, line, True, evidence, _NO_CARRIES)
            if first is None:
                first = (at, line)
                missing_carries = lacking
    at, line = first if first is not None else ("(not bound)", None)
    return _gap(mitigation, at, line, False, None, missing_carries or _NO_CARRIES)


def _by_specificity(mitigation: Mitigation, graph: ArchitectureGraph) -> tuple[tuple[str, str, Place], ...]:
    """The (scope, name, place) of the mitigation's places, most specific first, sorted once per analysis
    (keyed by identity: the library outlives the analysis, so an id is never reused while the table lives)."""
    table = graph.table("places_by_specificity")
    found = table.get(id(mitigation))
    if found is None:
        ordered = sorted(mitigation.where, key=lambda p: _SPECIFICITY[p.scope])
        found = table[id(mitigation)] = tuple((place.scope, place.name, place) for place in ordered)
    return found


def _own_controls(graph: ArchitectureGraph, cid: str) -> frozenset[str]:
    """The controls a component claims on itself, with implied ones; computed once per component."""
    table = graph.table("own_controls")
    found = table.get(cid)
    if found is None:
        found = table[cid] = load_vocabulary().implied_shared(graph.architecture.model.components[cid].controls)
    return found


def _claimed_on_an_endpoint(graph: ArchitectureGraph, binding: Binding, cid: str, control: str) -> str | None:
    """Evidence that an endpoint of the component the binding's flows reach claims the control (or
    one implying it), else None."""
    component = graph.architecture.model.components[cid]
    for index in routes_reached(graph, binding, cid):
        endpoint = component.endpoints[index]  # type: ignore[index]
        ref = EndpointRef(cid, index)
        if control in own_endpoint_controls(graph, ref):
            what = control if control in effective_controls(component, endpoint) else f"a control that implies {control}"
            return f"{place_label(graph, 'endpoint', ref)} claims {what}"
    return None


def _claimed_on_every_endpoint(graph: ArchitectureGraph, binding: Binding, cid: str, control: str) -> str | None:
    """Evidence that every endpoint of the component the binding's flows reach claims the control (or
    one implying it), else None (also when they reach none)."""
    routes = routes_reached(graph, binding, cid)
    if routes and all(control in own_endpoint_controls(graph, EndpointRef(cid, index)) for index in routes):
        return f"every route of {cid} the request reaches claims {control}"
    return None


_HANDOFF_KINDS = frozenset({"enqueue", "publish"})


def _claimed_by_every_job_fed(graph: ArchitectureGraph, cid: str, control: str) -> str | None:
    """Evidence that every component the component hands its deliveries to claims the control, else
    None (also when it hands them to none): the jobs its enqueue and publish flows feed (through
    their queue or bus, on the topics they send), or, for a gateway, the webhook receivers or the
    services it forwards requests to (a tenant a caller names, checked where each service resolves it)."""
    jobs = sorted(
        {
            job
            for _, _, i in graph.out_flows(cid)
            if graph.flow(i).kind in _HANDOFF_KINDS
            for job in graph.started_through(i)
            if graph.family.get(job) == "compute"
        }
    )
    if jobs and all(control in _own_controls(graph, job) for job in jobs):
        return f"every job {cid} hands its deliveries to ({', '.join(jobs)}) claims {control}"
    services = _behind_gateway(graph, cid)
    components = graph.architecture.model.components
    receivers = [s for s in services if components[s].type == "webhook_receiver"]
    if receivers and all(control in _own_controls(graph, r) for r in receivers):
        return f"every webhook receiver {cid} forwards to ({', '.join(receivers)}) claims {control}"
    if services and all(control in _own_controls(graph, r) for r in services):
        return f"every service {cid} forwards requests to ({', '.join(services)}) claims {control}"
    return None


_FORWARDED_TO = frozenset({"api", "function", "webhook_receiver"})


def _behind_gateway(graph: ArchitectureGraph, cid: str) -> list[str]:
    """The services and webhook receivers a gateway forwards requests to (none for any other component)."""
    components = graph.architecture.model.components
    if components[cid].type != "gateway":
        return []
    return sorted({t for _, t, i in graph.out_flows(cid) if graph.flow(i).kind == "request" and components[t].type in _FORWARDED_TO})


def place_label(graph: ArchitectureGraph, scope: str, ref: Any) -> str:
    """A gap's place in words ("component api", "endpoint api GET /x", "flow a -> b (kind)"), made
    once per place: the gaps at one place share the string."""
    table = graph.table("place_labels")
    key = (scope, ref)
    found = table.get(key)
    if found is None:
        model = graph.architecture.model
        if scope == "component":
            found = f"component {ref}"
        elif scope == "endpoint":
            found = f"endpoint {ref.component} {model.components[ref.component].endpoints[ref.index].route}"
        else:
            flow = model.flows[ref]
            topic = f", topic {flow.topic}" if flow.topic is not None else ""
            found = f"flow {flow.source} -> {flow.target} ({flow.kind}{topic})"
        table[key] = found
    return found  # type: ignore[no-any-return]


def _gap(m: Mitigation, at: str, line: int | None, present: bool, evidence: str | None, carries: list[str]) -> Gap:
    return Gap.from_checked(
        mitigation=m.id,
        name=m.name,
        control=m.control,
        at=at,
        required=m.required,
        present=present,
        line=line,
        carries=carries,
        evidence=evidence,
    )


def _places(
    mitigation: Mitigation, scope: str, name: str, binding: Binding, graph: ArchitectureGraph, place: Place
) -> Iterator[tuple[str, int | None, bool, str | None, list[str]]]:
    """(label, line, present, evidence, missing carried items) for each concrete place of the
    template's ``name`` in ``scope`` (role, endpoint or flow)."""
    arch = graph.architecture
    model = arch.model
    control = mitigation.control
    if scope == "role":
        cid = binding.roles[name]
        claimed = model.components[cid].controls
        present = control in _own_controls(graph, cid)
        evidence = None
        if present:
            evidence = f"{cid} claims {control}" if control in claimed else f"{cid} claims a control that implies {control}"
        elif load_vocabulary().fact("controls", control, "edge"):
            # an edge control a gateway claims on every route in front of the bound endpoints
            refs = [ref for ref in binding.endpoints.values() if ref.component == cid]
            fronted = [ref for ref in refs if forwarding(graph).fronts.get(ref)]
            if refs and len(fronted) == len(refs) and all(control in endpoint_controls(graph, ref) for ref in refs):
                present, evidence = True, f"the gateway routes in front of {cid} claim {control}"
        if not present and place.or_endpoints:
            evidence = _claimed_on_an_endpoint(graph, binding, cid, control)
            present = evidence is not None
        if not present and place.or_every_endpoint:
            evidence = _claimed_on_every_endpoint(graph, binding, cid, control)
            present = evidence is not None
        if not present and place.or_downstream:
            evidence = _claimed_by_every_job_fed(graph, cid, control)
            present = evidence is not None
        yield place_label(graph, "component", cid), place_line(arch, "role", cid), present, evidence, _NO_CARRIES
    elif scope == "endpoint":
        ref = binding.endpoints[name]
        present = control in endpoint_controls(graph, ref)
        label = place_label(graph, "endpoint", ref)
        evidence = None
        if present:
            if control in effective_controls(graph.architecture.model.components[ref.component], endpoint_at(graph, ref)):
                evidence = f"{label} claims {control}"
            elif control in own_endpoint_controls(graph, ref):
                evidence = f"{label} claims a control that implies {control}"
            else:
                evidence = f"the gateway route in front of {label} claims {control}"
        yield label, place_line(arch, "endpoint", ref), present, evidence, _NO_CARRIES
    else:
        for index in binding.flows.get(name, ()):
            flow = model.flows[index]
            label = place_label(graph, "flow", index)
            carried = graph.effective_carries(index)
            lacking = [item for item in mitigation.carries if item not in carried]
            if control in flow.controls:
                yield label, place_line(arch, "flow", index), True, f"{label} claims {control}", _NO_CARRIES
            elif control in load_vocabulary().implied_shared(flow.controls):
                # a flow's claim implies what it stands for (a stored job context is the context's propagation)
                yield label, place_line(arch, "flow", index), True, f"{label} claims a control that implies {control}", _NO_CARRIES
            elif mitigation.carries and not lacking:
                yield label, place_line(arch, "flow", index), True, f"{label} carries {', '.join(mitigation.carries)}", _NO_CARRIES
            else:
                lost = [item for item in lacking if item in flow.carries]
                if lost:  # written on the flow, but the job never received it
                    lacking = [item if item not in lost else f"{item} (never reached {flow.source})" for item in lacking]
                yield label, place_line(arch, "flow", index), False, None, lacking
