"""Analysis: match every pattern, judge each binding's mitigations, apply acceptances, summarise.

The result is data (pydantic models); rendering to table, JSON or Markdown reads it and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from tmkb_graph.acceptance_check import check_acceptances as _check_acceptances
from tmkb_graph.acceptances import apply_acceptances
from tmkb_graph.assumptions import finding_assumptions, split_unassessable
from tmkb_graph.fact_placement import misplaced_facts
from tmkb_graph.units import at_a_gap, endpoint_label, id_entry, location_of, owner_rule_groups, resource_label, shared_labels, unit_labels, unit_role
from tmkb_graph.unreached_routes import unnamed_delivery_routes, unreached_redirects, unreached_routes
from tmkb_graph.architecture import LoadedArchitecture
from tmkb_graph.errors import Problem
from tmkb_graph.boundaries import ArchitectureGraph, Crossing, infer_boundaries
from tmkb_graph.gcpause import gc_paused
from tmkb_graph.findings import (
    AnalysisResult,
    ArchitectureSummary,
    CrossingOut,
    Finding,
    Gap,
    NotAssessableOut,
    Summary,
)
from tmkb_graph.library import PatternLibrary, load_library
from tmkb_graph.bindings import Binding
from tmkb_graph.matcher import match_template
from tmkb_graph.place_controls import forwarding
from tmkb_graph.related import follow_up_fixes, group_open_findings, mark_related, severity_ranks
from tmkb_graph.mitigations import judge_mitigations
from tmkb_graph.pattern import Pattern
from tmkb_graph.vocabulary import load_vocabulary


def analyze(
    arch: LoadedArchitecture, library: PatternLibrary | None = None, today: dt.date | None = None
) -> AnalysisResult:
    """Every threat that applies to ``arch``, with its status, crossings and missing mitigations."""
    return analyze_with_file_warnings(arch, library, today)[0]


def analyze_with_file_warnings(
    arch: LoadedArchitecture, library: PatternLibrary | None = None, today: dt.date | None = None
) -> tuple[AnalysisResult, list[Problem]]:
    """``analyze``, and the warnings about the file itself that its result gives as text (what the
    loader found, facts no pattern reads, routes nobody reaches) as located problems: what
    `validate` reports, without a second look at the file."""
    with gc_paused():
        return _analyze(arch, library or load_library(), today or dt.date.today())


def _analyze(arch: LoadedArchitecture, library: PatternLibrary, today: dt.date) -> tuple[AnalysisResult, list[Problem]]:
    _check_acceptances(arch, library)
    graph = infer_boundaries(arch)
    findings: list[Finding] = []
    not_assessable: list[NotAssessableOut] = []
    crossing_cache: CrossingCache = {}
    for pattern in library.sorted():
        matched = match_template(pattern.template, graph)
        bindings, unsure = split_unassessable(pattern, matched.bindings, graph)
        for unit_key, labelled in _by_unit(pattern, bindings, graph).items():
            findings.append(_finding(pattern, unit_key, labelled, graph, crossing_cache))
        not_assessable.extend(
            NotAssessableOut.from_checked(pattern=pattern.id, component=item.component, reason=item.reason)
            for item in [*matched.not_assessable, *unsure]
        )
    file_warnings = sorted(
        [
            *arch.warnings,
            *misplaced_facts(arch, library),
            *unreached_routes(arch, graph),
            *unreached_redirects(arch, graph),
            *unnamed_delivery_routes(arch),
        ]
    )
    warnings = [str(w) for w in file_warnings]
    findings = apply_acceptances(findings, arch, today, warnings)
    findings = mark_related(findings, library)
    rank = severity_ranks()
    findings.sort(key=lambda f: (-rank[f.severity], f.pattern, f.location_line or 0, f.id))
    not_assessable.sort(key=lambda n: (n.pattern, n.component, n.reason))
    result = AnalysisResult.from_checked(
        architecture=ArchitectureSummary(
            name=arch.model.name,
            file=arch.file,
            tenancy=arch.model.tenancy,
            components=len(arch.model.components),
            flows=len(arch.model.flows),
        ),
        findings=findings,
        groups=group_open_findings(findings),
        follow_ups=follow_up_fixes(findings),
        not_assessable=not_assessable,
        warnings=warnings,
        summary=_summary(findings, not_assessable, library),
    )
    return result, file_warnings


UnitKey = tuple[tuple[str, str], ...]
CrossingCache = dict[int, tuple[Crossing, CrossingOut]]


Labelled = tuple[Binding, dict[str, str]]


def _by_unit(pattern: Pattern, bindings: list[Binding], graph: ArchitectureGraph) -> dict[UnitKey, list[Labelled]]:
    """Bindings (with their labels) grouped by what the pattern's unit binds: one group, one root
    cause, one finding."""
    groups: dict[UnitKey, list[Labelled]] = {}
    names = pattern.template.unit_names
    shared = shared_labels(pattern, bindings)
    owner_groups = owner_rule_groups(pattern, bindings, graph)
    for binding in bindings:
        labels = unit_labels(binding, graph)
        key = tuple((name, _unit_value(pattern, binding, name, labels, shared, owner_groups, graph)) for name in names)
        groups.setdefault(key, []).append((binding, labels))
    return groups


def _unit_value(
    pattern: Pattern,
    binding: Binding,
    name: str,
    labels: dict[str, str],
    shared: dict[str, dict[str, str]],
    owner_groups: dict[tuple[str, str], list[str]],
    graph: ArchitectureGraph,
) -> str:
    """What one unit entry binds: a role's component or a route, the components a ``.shared`` role is
    bound with, or a route's resource (or owner rule)."""
    if name in labels:
        return labels[name]
    if name in shared:
        return shared[name][binding.roles[unit_role(name)]]
    return resource_label(pattern, binding, name, graph, owner_groups)


def finding_id(pattern: Pattern, unit_key: UnitKey) -> str:
    """A stable id from the pattern and what its unit binds, never from positions or line numbers.

    Producers, hops, accessors and witnesses are evidence, not identity: adding a second producer
    to a queue leaves the consumer's finding with the same id.
    """
    parts = [pattern.id] + [f"{id_entry(name)}={value}" for name, value in sorted(unit_key)]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    return f"{pattern.id}:{digest[:12]}"


def _finding(
    pattern: Pattern,
    unit_key: UnitKey,
    labelled: list[Labelled],
    graph: ArchitectureGraph,
    crossing_cache: CrossingCache,
) -> Finding:
    bindings = [binding for binding, _ in labelled]
    judged = [judge_mitigations(pattern, b, graph) for b in bindings]
    present, missing, recommended = _merged_gaps(judged)
    paths = sorted({tuple(sorted(labels.items())) for _, labels in labelled})
    common = {
        name: values.pop()
        for name, values in _values_by_role(paths).items()
        if len(values) == 1
    }
    crossings = _crossings_of(bindings)
    line, where = location_of(pattern, at_a_gap(pattern, bindings, judged, missing, graph), graph)
    path_dicts = [dict(p) for p in paths]
    severity, because = pattern.severity_for({gap.control for gap in missing})
    return Finding.from_checked(
        id=finding_id(pattern, unit_key),
        pattern=pattern.id,
        name=pattern.name,
        severity=severity,
        likelihood=pattern.likelihood,
        status="open" if missing else "mitigated",
        unit=_unit(pattern, graph),
        # one path: every role has one value, so the bindings are that path (the same sorted dict)
        bindings=path_dicts[0] if len(path_dicts) == 1 else dict(sorted(common.items())),
        paths=path_dicts,
        via=_via(bindings, graph) or _EMPTY,
        crossings=_shared(graph, [_crossing_out(c, graph, crossing_cache) for c in crossings]),
        present=present or _EMPTY,
        missing=missing or _EMPTY,
        recommended=recommended or _EMPTY,
        file=graph.architecture.file,
        location_line=line,
        location=where,
        exposure=_shared(graph, _exposure(bindings, graph)),
        fix=pattern.agent_summary.fix,
        acceptance=None,
        related_to=_EMPTY,
        severity_because=because,
        assumes=(finding_assumptions(pattern, bindings, graph) or _EMPTY) if missing else _EMPTY,
    )


# Findings are frozen and nothing changes their lists after they are made, so they share what they can:
# one empty list, one unit list per pattern, one dict for a single path's bindings and the path.
_EMPTY: list[Any] = []


def _shared(graph: ArchitectureGraph, items: list[Any]) -> list[Any]:
    """One list object for every finding whose list holds the same objects (crossings, exposure labels)."""
    table = graph.table("shared_lists")
    return table.setdefault(tuple(map(id, items)), items)  # type: ignore[no-any-return]


def _unit(pattern: Pattern, graph: ArchitectureGraph) -> list[str]:
    """The pattern's unit names as one list shared by its findings."""
    table = graph.table("units")
    found = table.get(pattern.id)
    if found is None:
        found = table[pattern.id] = list(pattern.template.unit_names)
    return found  # type: ignore[no-any-return]


def _crossings_of(bindings: list[Binding]) -> list[Crossing]:
    """Every crossing of the bindings, sorted once. Each binding's own are already sorted and
    distinct, and the bindings of one root cause usually share one tuple: hashing is then skipped."""
    first = bindings[0].crossings
    if all(b.crossings is first for b in bindings):
        return list(first)
    return sorted({c for b in bindings for c in b.crossings})


def _values_by_role(paths: list[tuple[tuple[str, str], ...]]) -> dict[str, set[str]]:
    values: dict[str, set[str]] = {}
    for path in paths:
        for name, value in path:
            values.setdefault(name, set()).add(value)
    return values


def _merged_gaps(judged: list[list[Gap]]) -> tuple[list[Gap], list[Gap], list[Gap]]:
    """Present, missing (required) and recommended gaps over every path of one root cause.

    A mitigation missing on any path is missing (each place it is missing at is listed once); one
    present on every path is present.
    """
    if len(judged) == 1 and len({gap.mitigation for gap in judged[0]}) == len(judged[0]):
        return _split_gaps(judged[0])
    by_mitigation: dict[str, list[Gap]] = {}
    for gaps in judged:
        for gap in gaps:
            by_mitigation.setdefault(gap.mitigation, []).append(gap)
    present: list[Gap] = []
    missing: list[Gap] = []
    recommended: list[Gap] = []
    for mitigation in sorted(by_mitigation):
        gaps = by_mitigation[mitigation]
        lacking = _distinct([g for g in gaps if not g.present])
        if not lacking:
            present.extend(_distinct(gaps)[:1])
        elif lacking[0].required:
            missing.extend(lacking)
        else:
            recommended.extend(lacking)
    return present, missing, recommended


def _split_gaps(gaps: list[Gap]) -> tuple[list[Gap], list[Gap], list[Gap]]:
    """_merged_gaps of one path whose mitigations are distinct: each gap goes to one list as it is."""
    present: list[Gap] = []
    missing: list[Gap] = []
    recommended: list[Gap] = []
    for gap in sorted(gaps, key=lambda g: g.mitigation):
        (present if gap.present else missing if gap.required else recommended).append(gap)
    return present, missing, recommended


def _distinct(gaps: list[Gap]) -> list[Gap]:
    seen: dict[str, Gap] = {}
    for gap in gaps:
        seen.setdefault(gap.at, gap)
    return [seen[at] for at in sorted(seen)]


def _via(bindings: list[Binding], graph: ArchitectureGraph) -> list[str]:
    """The gateway routes in front of the judged service routes."""
    fronts = forwarding(graph).fronts
    out = {
        endpoint_label(graph, front.component, front.index)
        for b in bindings
        for ref in b.endpoints.values()
        for front in fronts.get(ref, ())
    }
    return sorted(out)


def _exposure(bindings: list[Binding], graph: ArchitectureGraph) -> list[str]:
    """Why the finding is urgent: a bound component the internet reaches, tenant data behind it."""
    out = set()
    for binding in bindings:
        components = set(binding.roles.values()) | {ref.component for ref in binding.endpoints.values()}
        if any(graph.internet_facing(cid) for cid in components):
            out.add("internet")
        if graph.architecture.model.tenancy == "multi" and _touches_tenant_data(binding, components, graph):
            out.add("tenant_data")
    return sorted(out)


def _touches_tenant_data(binding: Binding, components: set[str], graph: ArchitectureGraph) -> bool:
    model = graph.architecture.model
    for ref in binding.endpoints.values():
        endpoint = model.components[ref.component].endpoints[ref.index]  # type: ignore[index]
        resource = model.resources.get(endpoint.resource or "")
        if resource is not None and resource.owner in ("tenant", "user"):
            return True
    if any(c.kind == "tenant" for c in binding.crossings):
        return True
    return any(_sends_to_shared_store(cid, graph) for cid in components)


def _sends_to_shared_store(cid: str, graph: ArchitectureGraph) -> bool:
    """Whether a flow out of ``cid`` crosses a tenant boundary; computed once per component."""
    table = graph.table("sends_to_shared_store")
    found = table.get(cid)
    if found is None:
        found = table[cid] = any(
            c.kind == "tenant" for _, _, index in graph.out_flows(cid) for c in graph.flow_crossings[index]
        )
    return found


def _crossing_out(crossing: Crossing, graph: ArchitectureGraph, cache: CrossingCache) -> CrossingOut:
    """The output form of a crossing; one shared frozen object per crossing, however many findings cite it.

    Keyed by identity (hashing a crossing hashes all its fields): the graph makes each crossing once,
    and the cache holds the crossing too, so its id cannot be reused while the cache lives.
    """
    found = cache.get(id(crossing))
    if found is not None:
        return found[1]
    out = CrossingOut.from_checked(
        kind=crossing.kind,
        rule=crossing.rule,
        explanation=crossing.explanation,
        flow=_flow_label(graph, crossing.flow),
        component=crossing.component,
    )
    cache[id(crossing)] = (crossing, out)
    return out


def _flow_label(graph: ArchitectureGraph, index: int | None) -> str | None:
    if index is None:
        return None
    flow = graph.flow(index)
    return f"{flow.source} -> {flow.target} ({flow.kind})"


def _summary(findings: list[Finding], not_assessable: list[NotAssessableOut], library: PatternLibrary) -> Summary:
    vocab = load_vocabulary()
    by_status = {status: 0 for status in ("open", "mitigated", "accepted", "related")}
    open_by_severity = {severity: 0 for severity in vocab.names("severities")}
    for finding in findings:
        by_status[finding.status] += 1
        if finding.status == "open":
            open_by_severity[finding.severity] += 1
    na: dict[str, int] = {}
    for item in not_assessable:
        na[item.pattern] = na.get(item.pattern, 0) + 1
    return Summary(
        patterns_checked=len(library.patterns),
        findings=len(findings),
        by_status=by_status,
        open_by_severity=open_by_severity,
        patterns_with_findings=sorted({f.pattern for f in findings}),
        not_assessable=na,
    )
