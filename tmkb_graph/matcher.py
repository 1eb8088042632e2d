"""Binds a pattern's template onto the architecture graph: one engine, every template is data.

Matching is a join along edges, never a search over all subgraphs: the anchor role starts from the
components of its types (an index lookup), and every further role is reached through the anchor's
flows of the right kind. With a bounded number of flows per component, the cost grows with the
number of flows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tmkb_graph.bindings import Binding, MatchResult, NotAssessable
from tmkb_graph.boundaries import ArchitectureGraph, Crossing, same_topic
from tmkb_graph.conditions import compares, holds
from tmkb_graph.endpoint_binding import EndpointSets, endpoints_once
from tmkb_graph.pattern import FlowSpec, RoleSpec, Template
from tmkb_graph.place_controls import fact_of, role_controls
from tmkb_graph.vocabulary import load_vocabulary


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
    if template.records and model.resources and not {r.owner for r in model.resources.values()} & set(template.records):
        return result  # every declared record belongs to a single person or to everyone
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
        for flows in _topic_splits(roles, all_flows, graph):
            crossings = _crossings(roles, flows, of_kind)
            if not crossings:
                continue
            endpoint_sets, missing_reasons = endpoints_once(template, graph, roles, endpoint_memo)
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
                    key = (tuple(roles.values()), tuple(v for k, v in endpoints.items() if k not in witnesses), tuple(flows.values()))
                    if key in kept:
                        continue
                    kept.add(key)
                result.bindings.append(binding)
    return result


def _verdict(
    template: Template, binding: Binding, graph: ArchitectureGraph, unknown: dict[str, str]
) -> bool | list[NotAssessable]:
    """True when the threat's condition holds, False when it does not, or why it cannot be judged."""
    if template.compare and not all(compares(c, binding, graph) for c in template.compare):
        return False
    if template.unless and all(holds(c, binding, graph) for c in template.unless):
        return False
    if template.unless_any and any(holds(c, binding, graph) for c in template.unless_any):
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
            verdict = _facts_fit(spec, graph, cid) if spec.facts else True
            if verdict is False:
                continue
            if isinstance(verdict, str):
                unknown[cid] = verdict
            out.add(cid)
    return out, unknown


def unknown_fact_reason(graph: ArchitectureGraph, cid: str, fact: str) -> str:
    """Why a component cannot be judged: it leaves a fact the pattern needs undeclared."""
    component = graph.architecture.model.components[cid]
    vocab = load_vocabulary()
    label = vocab.terms("component_facts")[fact].label.lower()
    asked = f"{component.type} '{cid}' does not say '{label}' true or false"
    if fact not in vocab.framework_facts:
        # no framework or product sets this fact: only the design can say it
        return f"{asked}; declare facts: {{{fact}: true|false}}"
    named = [f"{what} '{name}'" for what, name in (("framework", component.framework), ("technology", component.technology)) if name]
    framework = f"its {' and '.join(named)} is not one whose default is known" if named else "it names no framework"
    return f"{asked} ({framework}); declare facts: {{{fact}: true|false}}"


def _facts_fit(spec: RoleSpec, graph: ArchitectureGraph, cid: str) -> bool | str:
    """True when every fact the role needs holds, False when one does not, a reason when one is unknown
    (facts known as ``fact_of`` knows them)."""
    component = graph.architecture.model.components[cid]
    for fact, wanted in sorted(spec.facts.items()):
        value = fact_of(graph, cid, fact)
        if value is None:
            return unknown_fact_reason(graph, cid, fact)
        if value != wanted:
            return False
    return True


def _topic_splits(roles: dict[str, str], flows: dict[str, tuple[int, ...]], graph: ArchitectureGraph) -> list[dict[str, tuple[int, ...]]]:
    """The bound flows, one set per topic they carry (a flow naming no topic is in every set): what
    a consumer knows is what reached it on that topic, so a job told who asked on one topic and
    only an id on another is judged on each. One set when the flows name one topic or none."""
    passing = _topic_paths(roles, flows, graph)
    if passing is None:
        return []
    topics = sorted({t for indices in passing.values() for i in indices if (t := graph.flow(i).topic) is not None})
    if len(topics) < 2:
        return [passing]
    splits = []
    for topic in topics:
        split = {name: tuple(i for i in indices if graph.flow(i).topic in (None, topic)) for name, indices in passing.items()}
        if all(split.values()):
            splits.append(split)
    return splits


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
