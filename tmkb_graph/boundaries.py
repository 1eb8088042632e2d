"""The architecture graph, and the trust boundaries each flow and component crosses, with the rule why.

The graph builder knows nothing of patterns: it turns components into nodes, flows into typed edges,
and annotates them from the vocabulary's facts (a flow kind's async, a zone kind's trust, a
component type's family), the tenancy and the declared boundaries. The rules for one flow are in
``tmkb_graph.crossings``; this module adds what a component is exposed to and who starts its work.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tmkb_graph.architecture import Flow, LoadedArchitecture
from tmkb_graph.crossings import (  # Crossing and SYNC_CALL_KINDS are imported from here too
    CLIENT_RULE,
    EXPOSED_ZONE_KINDS,
    OUTSIDE_ZONE_KINDS,
    SYNC_CALL_KINDS,
    ArchitectureFacts,
    Crossing,
)
from tmkb_graph.forwarding import routed_components
from tmkb_graph.gcpause import gc_paused


class FlowGraph:
    """Components as nodes and flows as edges keyed by their index: a directed multigraph.

    It answers the few questions of networkx's ``MultiDiGraph`` the inference asks, in the same
    order (a node's edges grouped by neighbour, neighbours in the order their first edge was
    added), without importing networkx (a tenth of a second of every ``analyze``) or building its
    edge views on each call.
    """

    def __init__(self, nodes: Iterable[str]) -> None:
        self._succ: dict[str, dict[str, list[int]]] = {node: {} for node in nodes}
        self._pred: dict[str, dict[str, list[int]]] = {node: {} for node in self._succ}
        self._kind: dict[int, str] = {}

    @property
    def nodes(self) -> list[str]:
        """Every node, in the order it was added."""
        return list(self._succ)

    def add_edge(self, source: str, target: str, key: int, kind: str) -> None:
        """Add the flow ``key`` from ``source`` to ``target`` (adding either node when new)."""
        for node in (source, target):
            if node not in self._succ:
                self._succ[node], self._pred[node] = {}, {}
        self._succ[source].setdefault(target, []).append(key)
        self._pred[target].setdefault(source, []).append(key)
        self._kind[key] = kind

    def out_edges(self, node: str, keys: bool = True) -> Iterator[tuple[str, str, int]]:
        """(node, target, flow index) of each flow leaving ``node`` (``keys`` is networkx's flag: always on)."""
        for target, indices in self._succ[node].items():
            for index in indices:
                yield node, target, index

    def in_edges(self, node: str, keys: bool = True) -> Iterator[tuple[str, str, int]]:
        """(source, node, flow index) of each flow entering ``node``."""
        for source, indices in self._pred[node].items():
            for index in indices:
                yield source, node, index

    def in_kinds(self, node: str) -> set[str]:
        """The kinds of the flows entering ``node``."""
        return {self._kind[index] for indices in self._pred[node].values() for index in indices}

    def in_degree(self, node: str) -> int:
        """How many flows enter ``node``."""
        return sum(len(indices) for indices in self._pred[node].values())


@dataclass
class ArchitectureGraph:
    """Components as nodes, flows as edges keyed by their index, each annotated with its crossings.

    ``origins`` says what starts the work of each component: ``request`` when a user's request
    reaches it (through any number of queues, buses and jobs), ``third_party`` when a provider's
    webhook or callback does, ``system`` when a scheduler that nothing feeds starts it (directly or
    through queues).
    """

    architecture: LoadedArchitecture
    graph: FlowGraph
    flow_crossings: dict[int, list[Crossing]]
    component_crossings: dict[str, list[Crossing]]
    by_type: dict[str, list[str]] = field(default_factory=dict)
    family: dict[str, str] = field(default_factory=dict)
    origins: dict[str, frozenset[str]] = field(default_factory=dict)
    from_outside: frozenset[str] = frozenset()
    person_facing: frozenset[str] = frozenset()
    _known: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    cache: dict[str, object] = field(default_factory=dict, repr=False)
    _tables: defaultdict[str, dict[Any, Any]] = field(default_factory=lambda: defaultdict(dict), repr=False)
    _into: dict[str, list[Crossing]] = field(default_factory=dict, repr=False)
    _out_flows: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict, repr=False)
    _in_flows: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict, repr=False)
    _reachable: dict[str, bool] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> dict[Any, Any]:
        """A memo table named ``name``, kept with the graph for the length of one analysis (the
        architecture is frozen, so what is computed from it never goes stale)."""
        return self._tables[name]

    def flow(self, index: int) -> Flow:
        """The flow with this index in the architecture's flows list."""
        return self.architecture.model.flows[index]

    def out_flows(self, component: str) -> list[tuple[str, str, int]]:
        """(source, target, flow index) of the flows leaving ``component``, in the graph's order (shared: do not change)."""
        found = self._out_flows.get(component)
        if found is None:
            found = self._out_flows[component] = list(self.graph.out_edges(component, keys=True))
        return found

    def in_flows(self, component: str) -> list[tuple[str, str, int]]:
        """(source, target, flow index) of the flows entering ``component``, in the graph's order (shared: do not change)."""
        found = self._in_flows.get(component)
        if found is None:
            found = self._in_flows[component] = list(self.graph.in_edges(component, keys=True))
        return found

    def crossings_into(self, component: str) -> list[Crossing]:
        """Crossings of the flows entering ``component`` and of its own exposure (a shared list: do not change it)."""
        found = self._into.get(component)
        if found is None:
            found = list(self.component_crossings.get(component, ()))
            for _, _, index in self.in_flows(component):
                found.extend(self.flow_crossings[index])
            self._into[component] = found
        return found

    def internet_facing(self, component: str) -> bool:
        """True when callers from the internet or another party reach ``component``, directly or by synchronous calls."""
        return component in self.from_outside

    def reached_by_people(self, component: str) -> bool:
        """True when a person's request reaches ``component`` as sent: from outside or a client, directly or through gateways."""
        return component in self.person_facing

    def reachable(self, component: str) -> bool:
        """True when someone outside can call ``component``: it is exposed or an ingress flow enters it."""
        found = self._reachable.get(component)
        if found is None:
            found = self._reachable[component] = any(c.kind == "ingress" for c in self.crossings_into(component))
        return found

    def effective_carries(self, index: int) -> frozenset[str]:
        """What a flow can really carry: a job can only pass on context that reached it.

        A flow out of an entry point carries what it says. A flow out of a job or function that a
        request started carries only the items that some flow into that job brought it (directly
        or through the queue or bus in front of it): context lost on an earlier hop stays lost.
        A credential, signature or signed send time is the sender's own (a job's service-account
        token, the signature and timestamp it puts on an outbound webhook), so it is carried as
        declared.
        """
        flow = self.flow(index)
        source = flow.source
        if self.family.get(source) != "compute" or "request" not in self.origins.get(source, frozenset()):
            return frozenset(flow.carries)
        return frozenset(flow.carries) & (self._known_at(source) | SENDERS_OWN)

    def started_through(self, index: int) -> list[str]:
        """The components a channel starts with the work flow ``index`` puts into it: the targets of
        the channel's starting flows (``STARTING_KINDS``) on that flow's topic, in the graph's order."""
        flow = self.flow(index)
        return [
            job for _, job, k in self.out_flows(flow.target) if self.flow(k).kind in STARTING_KINDS and same_topic(flow, self.flow(k))
        ]

    def reaching_carries(self, index: int) -> frozenset[str]:
        """What a flow hands its target: what it carries and, for a flow out of a queue or bus, what
        the flows into that channel on its topic put there (an enqueue's payload reaches the job
        even when the delivery declares nothing)."""
        flow = self.flow(index)
        found = set(self.effective_carries(index))
        if self.family.get(flow.source) == "channel":
            for _, _, upstream in self.in_flows(flow.source):
                if same_topic(self.flow(upstream), flow):
                    found.update(self.effective_carries(upstream))
        return frozenset(found)

    def _known_at(self, component: str) -> frozenset[str]:
        if component in self._known:
            return self._known[component]
        self._known[component] = frozenset()  # a cycle contributes nothing it has not yet proved
        known: set[str] = set()
        for _, _, index in self.in_flows(component):
            known.update(self.reaching_carries(index))
        self._known[component] = frozenset(known)
        return self._known[component]


# flows that start a job's or function's work (a channel hands it on, or something invokes it)
STARTING_KINDS = frozenset({"deliver", "subscribe", "invoke"})

# items a sender holds itself rather than passes on from what reached it
SENDERS_OWN = frozenset({"auth_token", "signature", "timestamp"})


def same_topic(into_channel: Flow, out_of_channel: Flow) -> bool:
    """Whether a message put on a channel by one flow can leave it by the other: a flow that names no
    topic sends or hears every topic of its channel."""
    return into_channel.topic is None or out_of_channel.topic is None or into_channel.topic == out_of_channel.topic


def infer_boundaries(arch: LoadedArchitecture) -> ArchitectureGraph:
    """Build the architecture graph and annotate every flow and entry point with its crossings."""
    with gc_paused():
        return _infer(arch)


def _infer(arch: LoadedArchitecture) -> ArchitectureGraph:
    model = arch.model
    graph = FlowGraph(sorted(model.components))
    by_type: dict[str, list[str]] = defaultdict(list)
    for cid in sorted(model.components):
        by_type[model.components[cid].type].append(cid)
    flow_crossings: dict[int, list[Crossing]] = {}
    context = ArchitectureFacts(arch)
    for index, flow in enumerate(model.flows):
        graph.add_edge(flow.source, flow.target, key=index, kind=flow.kind)
        flow_crossings[index] = sorted(set(context.flow_crossings(index, flow)))
    component_crossings = _exposure(arch, graph, flow_crossings, context)
    origins = _origins(graph, context)
    outside = _from_outside(arch, graph, context)
    people = _person_facing(arch, graph, context)
    return ArchitectureGraph(arch, graph, flow_crossings, component_crossings, dict(by_type), context.family, origins, outside, people)


def _exposed_entries(arch: LoadedArchitecture, context: ArchitectureFacts) -> set[str]:
    """Entry points placed in an internet or dmz zone: anyone can call them."""
    return {cid for cid in arch.model.components if context.family[cid] == "entry" and context.zone_kind[cid] in EXPOSED_ZONE_KINDS}


def _from_outside(arch: LoadedArchitecture, graph: FlowGraph, context: ArchitectureFacts) -> frozenset[str]:
    """Components that callers outside the organisation reach: exposed entry points, targets of flows
    from an internet, dmz or third-party zone (a redirect excepted), and what they call synchronously."""
    model = arch.model
    seeds = _exposed_entries(arch, context)
    for flow in model.flows:
        if flow.kind != "redirect" and context.zone_kind[flow.source] in OUTSIDE_ZONE_KINDS:
            if context.family[flow.target] in ("entry", "compute"):
                seeds.add(flow.target)
    ordered = sorted(seeds)
    return frozenset(ordered + [nxt for _, nxt, _ in _sync_reach(arch, graph, context, ordered)])


_PERSON_SENT = frozenset({"auth_token", "payload"})


def _person_facing(arch: LoadedArchitecture, graph: FlowGraph, context: ArchitectureFacts) -> frozenset[str]:
    """Components a person's request reaches as sent: exposed entry points, what a flow from outside
    or from a client calls, and what a gateway among those forwards to. A service that only another
    service calls gets that service's request, not the person's."""
    model = arch.model
    facing = _exposed_entries(arch, context)
    for flow in model.flows:
        # a party: a person's client anywhere, or another organisation's system outside; the system's
        # own entry points placed in the internet zone are callers like any service
        source_is_party = context.family[flow.source] == "party"
        from_person = source_is_party and (model.components[flow.source].type == "client" or context.zone_kind[flow.source] in OUTSIDE_ZONE_KINDS)
        if from_person and flow.kind in SYNC_CALL_KINDS and context.family[flow.target] in ("entry", "compute"):
            facing.add(flow.target)
    gateways = deque(sorted(cid for cid in facing if model.components[cid].type == "gateway"))
    while gateways:
        gateway = gateways.popleft()
        called = [
            (nxt, index)
            for _, nxt, index in graph.out_edges(gateway, keys=True)
            if model.flows[index].kind in SYNC_CALL_KINDS and context.family[nxt] in ("entry", "compute")
        ]
        # a gateway with routes forwards a person's request where a route goes, or with what the person
        # sent (their token or their input); a call carrying neither, to a service none of its routes
        # reaches (an access-control service it asks), is the gateway's own request
        routed = routed_components(model, gateway, sorted({nxt for nxt, _ in called}))
        for nxt, index in called:
            forwarded = routed is None or nxt in routed or bool(_PERSON_SENT & set(model.flows[index].carries))
            if nxt not in facing and forwarded:
                facing.add(nxt)
                if model.components[nxt].type == "gateway":
                    gateways.append(nxt)
    return frozenset(facing)


def _sync_reach(arch: LoadedArchitecture, graph: FlowGraph, context: ArchitectureFacts, seeds: list[str]) -> list[tuple[str, str, int]]:
    """Each entry or compute component that ``seeds`` reach by synchronous calls, breadth first, as
    (caller, component, flow index) for the flow that first reached it; seeds are not repeated."""
    reached = set(seeds)
    queue = deque(seeds)
    found: list[tuple[str, str, int]] = []
    while queue:
        current = queue.popleft()
        for _, nxt, index in graph.out_edges(current, keys=True):
            if arch.model.flows[index].kind not in SYNC_CALL_KINDS or nxt in reached or context.family[nxt] not in ("entry", "compute"):
                continue
            reached.add(nxt)
            queue.append(nxt)
            found.append((current, nxt, index))
    return found


def _origins(graph: FlowGraph, context: ArchitectureFacts) -> dict[str, frozenset[str]]:
    """What starts each channel's and compute component's work: a request, the system's clock, or both."""
    family, types = context.family, context.type
    origins: dict[str, set[str]] = {}
    for cid in graph.nodes:
        if family[cid] == "entry":
            origins[cid] = _entry_origins(graph, cid, types[cid])
        elif types[cid] == "scheduler" and graph.in_degree(cid) == 0:
            origins[cid] = {"system"}
        else:
            origins[cid] = set()
    pending = deque(cid for cid in sorted(graph.nodes) if origins[cid])
    while pending:  # propagate along flows into channels and compute; each set only grows, so this ends
        current = pending.popleft()
        # a request's context travels through every hop; the clock starts only the jobs the
        # scheduler reaches through channels: what those jobs emit is per-item work, not a sweep
        passed = origins[current] if family[current] != "compute" else origins[current] & {"request"}
        for _, nxt, index in graph.out_edges(current, keys=True):
            carried = passed if family[current] != "channel" else _through_channel(graph, context, origins, current, index)
            if family[nxt] == "channel" and passed:
                # a channel hands each topic on separately: look again whenever a producer's origins grow
                origins[nxt] |= carried
                pending.append(nxt)
                continue
            if family[nxt] not in ("channel", "compute") or carried <= origins[nxt]:
                continue
            origins[nxt] |= carried
            pending.append(nxt)
    return {cid: frozenset(found) for cid, found in origins.items()}


def _through_channel(graph: FlowGraph, context: ArchitectureFacts, origins: dict[str, set[str]], channel: str, out_index: int) -> set[str]:
    """What starts the work a channel hands on by one flow: the origins of the producers of that flow's topic."""
    if graph.in_degree(channel) == 0:
        return set(origins[channel])  # a scheduler nothing feeds: the clock starts everything it hands on
    flows = context.flows
    carried: set[str] = set()
    for source, _, index in graph.in_edges(channel, keys=True):
        if same_topic(flows[index], flows[out_index]):
            found = origins.get(source, set())
            carried |= found if context.family[source] != "compute" else found & {"request"}
    return carried


def _exposure(
    arch: LoadedArchitecture, graph: FlowGraph, flow_crossings: dict[int, list[Crossing]], context: ArchitectureFacts
) -> dict[str, list[Crossing]]:
    """Entry points anyone can reach, and components reached from them by synchronous calls."""
    result: dict[str, list[Crossing]] = defaultdict(list)
    seeds: list[str] = []
    for cid in sorted(arch.model.components):
        if context.family[cid] == "entry" and context.zone_kind[cid] in EXPOSED_ZONE_KINDS:
            text = f"{context.type[cid]} '{cid}' is in {context.zone_text(cid)}: callers from the internet reach it"
            result[cid].append(Crossing("ingress", "ingress.exposed", text, component=cid))
            seeds.append(cid)
    seeded = set(seeds)
    for index, crossings in sorted(flow_crossings.items()):
        if any(c.kind == "ingress" and c.rule != CLIENT_RULE for c in crossings):
            target = arch.model.flows[index].target
            if target not in seeded:
                seeded.add(target)
                seeds.append(target)
    for current, nxt, index in _sync_reach(arch, graph, context, seeds):
        kind = arch.model.flows[index].kind
        text = f"{context.type[nxt]} '{nxt}' is reached from the internet through '{current}' ({kind} flow)"
        result[nxt].append(Crossing("ingress", "ingress.reached", text, flow=index, component=nxt))
    return dict(result)


PUSHED_KINDS = frozenset({"webhook", "callback"})


def _entry_origins(graph: FlowGraph, cid: str, component_type: str) -> set[str]:
    """An entry point serves users' requests, a provider's pushed events, or both."""
    kinds = graph.in_kinds(cid)
    pushed = bool(kinds & PUSHED_KINDS) or component_type == "webhook_receiver"
    requested = bool(kinds - PUSHED_KINDS) or (not kinds and component_type != "webhook_receiver")
    return ({"third_party"} if pushed else set()) | ({"request"} if requested else set())
