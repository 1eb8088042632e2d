"""Analysis: match every pattern, judge each binding's mitigations, apply acceptances, summarise.

The result is data (pydantic models); rendering to table, JSON or Markdown reads it and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from tmkb_graph.acceptance_check import check_acceptances as _check_acceptances
from tmkb_graph.architecture import Acceptance, LoadedArchitecture
from tmkb_graph.boundaries import ArchitectureGraph, Crossing, infer_boundaries
from tmkb_graph.errors import InputError
from tmkb_graph.gcpause import gc_paused
from tmkb_graph.findings import (
    AcceptanceNote,
    AnalysisResult,
    ArchitectureSummary,
    CrossingOut,
    Finding,
    Gap,
    NotAssessableOut,
    Summary,
)
from tmkb_graph.library import PatternLibrary, load_library
from tmkb_graph.matcher import Binding, match_template
from tmkb_graph.mitigations import judge_mitigations, place_line
from tmkb_graph.pattern import Pattern
from tmkb_graph.vocabulary import load_vocabulary, unknown_word_message


def analyze(
    arch: LoadedArchitecture, library: PatternLibrary | None = None, today: dt.date | None = None
) -> AnalysisResult:
    """Every threat that applies to ``arch``, with its status, crossings and missing mitigations."""
    with gc_paused():
        return _analyze(arch, library or load_library(), today or dt.date.today())


def _analyze(arch: LoadedArchitecture, library: PatternLibrary, today: dt.date) -> AnalysisResult:
    _check_acceptances(arch, library)
    graph = infer_boundaries(arch)
    findings: list[Finding] = []
    not_assessable: list[NotAssessableOut] = []
    crossing_cache: dict[Crossing, CrossingOut] = {}
    for pattern in library.sorted():
        matched = match_template(pattern.template, graph)
        findings.extend(_finding(pattern, binding, graph, crossing_cache) for binding in matched.bindings)
        not_assessable.extend(
            NotAssessableOut.model_construct(pattern=pattern.id, component=item.component, reason=item.reason)
            for item in matched.not_assessable
        )
    warnings = [str(w) for w in arch.warnings]
    findings = _apply_acceptances(findings, arch, today, warnings)
    vocab = load_vocabulary()
    findings.sort(key=lambda f: (-vocab.rank("severities", f.severity), f.pattern, f.location_line or 0, f.id))
    not_assessable.sort(key=lambda n: (n.pattern, n.component, n.reason))
    return AnalysisResult(
        architecture=ArchitectureSummary(
            name=arch.model.name,
            file=arch.file,
            tenancy=arch.model.tenancy,
            components=len(arch.model.components),
            flows=len(arch.model.flows),
        ),
        findings=findings,
        not_assessable=not_assessable,
        warnings=warnings,
        summary=_summary(findings, not_assessable, library),
    )


def finding_id(pattern: Pattern, binding: Binding, graph: ArchitectureGraph) -> str:
    """A stable id from the pattern and what is bound, never from positions or line numbers.

    Witness endpoints are left out: which of several equivalent witnesses was kept is not the finding.
    """
    witnesses = {name for name, spec in pattern.template.endpoints.items() if spec.witness}
    parts = [pattern.id]
    parts += [f"{role}={cid}" for role, cid in sorted(binding.roles.items())]
    parts += [
        f"{role}={_endpoint_label(graph, ref.component, ref.index)}"
        for role, ref in sorted(binding.endpoints.items())
        if role not in witnesses
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    return f"{pattern.id}:{digest[:12]}"


def _endpoint_label(graph: ArchitectureGraph, component: str, index: int) -> str:
    endpoint = graph.architecture.model.components[component].endpoints[index]  # type: ignore[index]
    return f"{component} {endpoint.route}"


def _finding(
    pattern: Pattern, binding: Binding, graph: ArchitectureGraph, crossing_cache: dict[Crossing, CrossingOut]
) -> Finding:
    judged = judge_mitigations(pattern, binding, graph)
    bindings = dict(binding.roles)
    bindings.update({role: _endpoint_label(graph, ref.component, ref.index) for role, ref in binding.endpoints.items()})
    missing = [g for g in judged if not g.present and g.required]
    line, where = _location(pattern, binding, graph)
    return Finding.model_construct(
        id=finding_id(pattern, binding, graph),
        pattern=pattern.id,
        name=pattern.name,
        severity=pattern.severity,
        likelihood=pattern.likelihood,
        status="open" if missing else "mitigated",
        bindings=dict(sorted(bindings.items())),
        crossings=[_crossing_out(c, graph, crossing_cache) for c in binding.crossings],
        present=[g for g in judged if g.present],
        missing=missing,
        recommended=[g for g in judged if not g.present and not g.required],
        file=graph.architecture.file,
        location_line=line,
        location=where,
        fix=pattern.agent_summary.fix,
        acceptance=None,
    )


def _crossing_out(crossing: Crossing, graph: ArchitectureGraph, cache: dict[Crossing, CrossingOut]) -> CrossingOut:
    """The output form of a crossing; one shared frozen object per crossing, however many findings cite it."""
    out = cache.get(crossing)
    if out is None:
        out = cache[crossing] = CrossingOut.model_construct(
            kind=crossing.kind,
            rule=crossing.rule,
            explanation=crossing.explanation,
            flow=_flow_label(graph, crossing.flow),
            component=crossing.component,
        )
    return out


def _flow_label(graph: ArchitectureGraph, index: int | None) -> str | None:
    if index is None:
        return None
    flow = graph.flow(index)
    return f"{flow.source} -> {flow.target} ({flow.kind})"


def _location(pattern: Pattern, binding: Binding, graph: ArchitectureGraph) -> tuple[int | None, str]:
    """The line a reader should look at: the first endpoint, else the first flow, else the first role."""
    arch = graph.architecture
    judged = [name for name, spec in pattern.template.endpoints.items() if not spec.witness]
    if judged:
        ref = binding.endpoints[judged[0]]
        return place_line(arch, "endpoint", ref), _endpoint_label(graph, ref.component, ref.index)
    for spec in pattern.template.flows:
        indices = binding.flows.get(spec.name)
        if indices:
            return place_line(arch, "flow", indices[0]), _flow_label(graph, indices[0]) or ""
    cid = binding.roles[next(iter(pattern.template.roles))]
    return place_line(arch, "role", cid), cid


def _accepts(acceptance: Acceptance, finding: Finding) -> bool:
    if acceptance.pattern != finding.pattern:
        return False
    if acceptance.finding is not None:
        return acceptance.finding == finding.id
    components = {value.split(" ", 1)[0] for value in finding.bindings.values()}
    return acceptance.component in components


def _apply_acceptances(
    findings: list[Finding], arch: LoadedArchitecture, today: dt.date, warnings: list[str]
) -> list[Finding]:
    used: set[int] = set()
    out = []
    for finding in findings:
        for i, acceptance in enumerate(arch.model.accepted):
            if not _accepts(acceptance, finding):
                continue
            used.add(i)
            expired = acceptance.expires is not None and acceptance.expires < today
            note = AcceptanceNote(
                reason=acceptance.reason,
                expires=acceptance.expires.isoformat() if acceptance.expires else None,
                expired=expired,
                line=arch.line_of(("accepted", i)),
            )
            if expired:
                warnings.append(
                    str(
                        arch.document.problem(
                            ("accepted", i),
                            f"the acceptance of {acceptance.pattern} expired on {acceptance.expires}; "
                            f"finding {finding.id} is reported as {finding.status} again",
                            "warning",
                        )
                    )
                )
                finding = finding.model_copy(update={"acceptance": note})
            elif finding.status == "open":
                finding = finding.model_copy(update={"status": "accepted", "acceptance": note})
            break
        out.append(finding)
    for i, acceptance in enumerate(arch.model.accepted):
        if i not in used:
            target = acceptance.finding or acceptance.component
            warnings.append(
                str(
                    arch.document.problem(
                        ("accepted", i),
                        f"this acceptance of {acceptance.pattern} on '{target}' matches no finding; remove it or fix it",
                        "warning",
                    )
                )
            )
    return out


def _summary(findings: list[Finding], not_assessable: list[NotAssessableOut], library: PatternLibrary) -> Summary:
    vocab = load_vocabulary()
    by_status = {status: 0 for status in ("open", "mitigated", "accepted")}
    open_by_severity = {severity: 0 for severity in vocab.names("severities")}
    for finding in findings:
        by_status[finding.status] += 1
        if finding.status == "open":
            open_by_severity[finding.severity] += 1
    na: dict[str, list[str]] = {}
    for item in not_assessable:
        na.setdefault(item.pattern, []).append(f"{item.component}: {item.reason}")
    return Summary(
        patterns_checked=len(library.patterns),
        findings=len(findings),
        by_status=by_status,
        open_by_severity=open_by_severity,
        patterns_with_findings=sorted({f.pattern for f in findings}),
        not_assessable=na,
    )
