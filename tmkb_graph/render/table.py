"""Plain-text output for the terminal: findings grouped by status, then what could not be assessed."""

from __future__ import annotations

from tmkb_graph.findings import AnalysisResult, Finding, FindingGroup, FollowUp, Gap
from tmkb_graph.pattern_output import pattern_text, patterns_table  # noqa: F401  (their home before pattern_output)
from tmkb_graph.render.places import separate_line
from tmkb_graph.text import escaped_lines

LONG_TABLE_LINES = 40  # past this, the summary is repeated at the bottom, where the reader ends up


def analysis_table(result: AnalysisResult) -> str:
    """A reader's view of the analysis: a one-line summary, the fixes to make, then each finding."""
    arch = result.architecture
    lines = [
        f"{arch.name} ({arch.file}): {arch.components} components, {arch.flows} flows, tenancy {arch.tenancy}",
        _summary_line(result),
        "",
    ]
    if result.groups:
        lines.append(f"== TO FIX ({len(result.groups)} place{'s' if len(result.groups) != 1 else ''}, most urgent first) ==")
        lines.extend(_group_line(g) for g in result.groups)
        if result.follow_ups:
            lines.append("  then, each once the fix it follows is in (asked by related findings):")
            lines.extend(_follow_up_line(g) for g in result.follow_ups)
        lines.append("")
    open_findings = sorted(
        (f for f in result.findings if f.status == "open"),
        key=lambda f: (-_SEVERITY_RANK.get(f.severity, 0), -len(f.exposure), f.location_line or 0, f.id),
    )
    if open_findings:
        lines.append(f"== OPEN ({len(open_findings)}) ==")
        for finding in open_findings:
            lines.extend(_finding_block(finding))
            lines.append("")
    related = [f for f in result.findings if f.status == "related"]
    if related:
        lines.append(f"== RELATED ({len(related)}): the same missing control at the same place as a finding above ==")
        lines.extend(f"  {f.pattern} {f.name} at {f.location}: see {', '.join(f.related_to)}" for f in related)
        lines.append("")
    for status in ("accepted", "mitigated"):
        group = [f for f in result.findings if f.status == status]
        if group:
            lines.append(f"== {status.upper()} ({len(group)}) ==")
            for finding in group:
                lines.extend(_finding_block(finding))
                lines.append("")
    if not result.findings:
        lines += ["No pattern applies to this architecture.", ""]
    if result.not_assessable:
        lines.append("== NOT ASSESSABLE (the architecture does not declare enough) ==")
        lines.extend(f"  {n.pattern}  {n.component}: {n.reason}" for n in result.not_assessable)
        lines.append("")
    if result.warnings:
        lines.append("== WARNINGS ==")
        lines.extend(f"  {w}" for w in result.warnings)
        lines.append("")
    if len(lines) > LONG_TABLE_LINES:  # a long report: repeat the verdict where the reader's eye ends
        lines += [_summary_line(result), ""]
    return escaped_lines(lines)


_SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}


def _summary_line(result: AnalysisResult) -> str:
    summary = result.summary
    open_count = summary.by_status.get("open", 0)
    worst = [f"{n} {sev}" for sev, n in sorted(summary.open_by_severity.items(), key=lambda kv: -_SEVERITY_RANK.get(kv[0], 0)) if n]
    head = f"{open_count} open" + (f" ({', '.join(worst)})" if worst else "")
    rest = ", ".join(f"{n} {status}" for status, n in summary.by_status.items() if status != "open")
    places = f" at {len(result.groups)} place{'s' if len(result.groups) != 1 else ''} to fix" if result.groups else ""
    na = sum(summary.not_assessable.values())
    tail = f"; {na} not assessable" if na else ""
    return f"{head}{places}; {rest}; {summary.patterns_checked} patterns checked{tail}"


def _follow_up_line(step: FollowUp) -> str:
    return f"{_group_line(step)}, after {', '.join(step.after)}"


def _group_line(group: FindingGroup) -> str:
    line = f" (line {group.line})" if group.line else ""
    exposure = f" [{', '.join(e.replace('_', ' ') for e in group.exposure)}]" if group.exposure else ""
    return f"  [{group.severity.upper()}]{exposure} add {group.control} at {group.place}{line}: closes {', '.join(group.findings)}"


def _finding_block(f: Finding) -> list[str]:
    shown = separate_line(f.location, f.location_line)
    line = f" (line {shown})" if shown else ""
    exposure = f"    exposure: {', '.join(e.replace('_', ' ') for e in f.exposure)}" if f.exposure else ""
    out = [
        f"[{f.severity.upper()}] {f.pattern} {f.name}",
        f"  at {f.location}{line}    id {f.id}{exposure}",
        "  bindings: " + ", ".join(f"{role}={value}" for role, value in f.bindings.items()),
    ]
    if len(f.paths) > 1:
        for path in f.paths:
            varying = [f"{role}={value}" for role, value in path.items() if role not in f.bindings]
            out.append("  path: " + ", ".join(varying))
    out.extend(f"  reached through {route}" for route in f.via)
    for crossing in f.crossings:
        via = f" on {crossing.flow}" if crossing.flow else ""
        out.append(f"  crosses {crossing.kind}{via}: {crossing.explanation} [{crossing.rule}]")
    for gap in f.missing:
        out.append("  MISSING " + _gap_text(gap))
    for gap in f.recommended:
        out.append("  recommended " + _gap_text(gap))
    for gap in f.present:
        out.append(f"  present {gap.control} ({gap.evidence})")
    if f.acceptance is not None:
        state = "EXPIRED" if f.acceptance.expired else "accepted"
        out.append(f"  {state} until {f.acceptance.expires or 'no expiry'}: {f.acceptance.reason}")
    if f.status == "open":
        if f.severity_because:
            out.append(f"  severity {f.severity}: {f.severity_because}")
        out.extend(f"  assumes {assumption}" for assumption in f.assumes)
        out.append(f"  fix: {f.fix}")
    return out


def _gap_text(gap: Gap) -> str:
    where = f"{gap.at} (line {gap.line})" if gap.line else gap.at
    carry = f": carry {', '.join(gap.carries)}" if gap.carries else ""
    return f"{gap.control} at {where}{carry} [{gap.mitigation}]"
