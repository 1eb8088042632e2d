"""Pointing findings at code: every place label an analysis prints is mapped to the file and line
of the task, handler or enqueue call it was inferred from, in every output format."""

from __future__ import annotations

from tmkb_graph.findings import AnalysisResult, ArchitectureSummary, Finding, FindingGroup, Gap
from tmkb_graph.scan.claims import Claims
from tmkb_graph.scan.model import Site


def _at(label: str, sites: dict[str, Site]) -> tuple[str, int | None]:
    """The label with the code site appended; no separate line, since it would not say which file."""
    site = sites.get(label)
    if site is None:
        return label, None
    return f"{label} ({site})", None


def _gap(gap: Gap, sites: dict[str, Site], claims: dict[str, Claims]) -> Gap:
    at, line = _at(gap.at, sites)
    update: dict[str, object] = {"at": at, "line": line}
    found = claims.get(gap.at, {}).get(gap.control)
    if gap.present and found:
        update["evidence"] = "; ".join(f"{e.site} {e.note}" for e in found[:3])
    return gap.model_copy(update=update)


def _finding(finding: Finding, sites: dict[str, Site], claims: dict[str, Claims]) -> Finding:
    site = sites.get(finding.location)
    update: dict[str, object] = {
        "present": [_gap(g, sites, claims) for g in finding.present],
        "missing": [_gap(g, sites, claims) for g in finding.missing],
        "recommended": [_gap(g, sites, claims) for g in finding.recommended],
    }
    if site is not None:
        update.update(file=site.file, location_line=site.line, location=f"{site} {finding.location}")
    return finding.model_copy(update=update)


def _group(group: FindingGroup, sites: dict[str, Site]) -> FindingGroup:
    place, line = _at(group.place, sites)
    return group.model_copy(update={"place": place, "line": line})


def point_at_code(result: AnalysisResult, sites: dict[str, Site], claims: dict[str, Claims], scanned: str) -> AnalysisResult:
    """The same result with each finding's, gap's and group's location rewritten to code."""
    findings = [_finding(f, sites, claims) for f in result.findings]
    groups = [_group(g, sites) for g in result.groups]
    arch = result.architecture
    summary = ArchitectureSummary.model_construct(
        name=arch.name, file=scanned, tenancy=arch.tenancy, components=arch.components, flows=arch.flows
    )
    return result.model_copy(update={"findings": findings, "groups": groups, "architecture": summary})


def location_of(finding: Finding) -> str:
    """``file:line`` of a finding that points at code, or its place label when it does not."""
    if finding.location_line is None:
        return finding.location
    return f"{finding.file}:{finding.location_line}"
