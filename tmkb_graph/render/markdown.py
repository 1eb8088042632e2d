"""Markdown output, for pull-request comments and reports.

Text from the architecture (names, routes, reasons) is written as text, never as markup: Markdown
and HTML specials are escaped in prose and table cells, and code spans never hold a backtick, so a
file cannot inject links, images or HTML into the page a reviewer reads.
"""

from __future__ import annotations

from tmkb_graph.findings import AnalysisResult, Finding, FindingGroup
from tmkb_graph.render.places import separate_line
from tmkb_graph.text import escaped_lines


def analysis_markdown(result: AnalysisResult) -> str:
    """The analysis as a Markdown report."""
    arch, summary = result.architecture, result.summary
    lines = [
        f"# Threat analysis: {_md(arch.name)}",
        "",
        f"{_code(arch.file)}: {arch.components} components, {arch.flows} flows, tenancy {arch.tenancy}. "
        f"{summary.patterns_checked} patterns checked.",
        "",
        "| Status | Count |",
        "| --- | --- |",
    ]
    lines += [f"| {status} | {n} |" for status, n in summary.by_status.items()]
    lines.append("")
    if result.groups:
        lines += ["## To fix, most urgent first", "", "| Severity | Exposure | Add | At | Closes |", "| --- | --- | --- | --- | --- |"]
        lines += [_fix_row(g) for g in result.groups]
        lines.append("")
    if result.follow_ups:
        lines += ["Then, each once the fix it follows is in (asked by related findings):", "",
                  "| Severity | Exposure | Add | At | Closes | After |", "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"{_fix_row(g)} {_md(', '.join(g.after))} |" for g in result.follow_ups]
        lines.append("")
    if result.findings:
        lines += ["| Severity | Status | Pattern | Where | Missing |", "| --- | --- | --- | --- | --- |"]
        for f in result.findings:
            missing = ", ".join(f"`{g.control}` at {_md(g.at)}" for g in f.missing) or "none"
            lines.append(f"| {f.severity} | {f.status} | {f.pattern} {_md(f.name)} | {_md(f.location)} | {missing} |")
        lines.append("")
        for f in result.findings:
            lines += _section(f)
    if result.not_assessable:
        lines += ["## Not assessable", ""]
        lines += [f"- **{n.pattern}** on {_code(n.component)}: {_md(n.reason)}" for n in result.not_assessable]
        lines.append("")
    if result.warnings:
        lines += ["## Warnings", ""] + [f"- {_md(w)}" for w in result.warnings] + [""]
    return escaped_lines(lines)


def _fix_row(g: FindingGroup) -> str:
    """A fix group's table row: severity, exposure, control, place and the findings it closes."""
    exposure = ", ".join(e.replace("_", " ") for e in g.exposure) or "-"
    return f"| {g.severity} | {exposure} | `{g.control}` | {_md(g.place)} | {_md(', '.join(g.findings))} |"


def _section(f: Finding) -> list[str]:
    shown = separate_line(f.location, f.location_line)
    line = f", line {shown}" if shown else ""
    out = [
        f"## {f.pattern}: {_md(f.name)} ({f.status}, {f.severity})",
        "",
        f"At {_code(f.location)}{line}. Finding id `{f.id}`.",
        "",
        "Bindings: " + ", ".join(f"{role} = {_code(value)}" for role, value in f.bindings.items()),
        "",
    ]
    if len(f.paths) > 1:
        for path in f.paths:
            out.append("- path: " + ", ".join(f"{r} = {_code(v)}" for r, v in path.items() if r not in f.bindings))
    out += [f"- reached through {_code(route)}" for route in f.via]
    if f.related_to:
        out.append("- related to " + ", ".join(f"`{i}`" for i in f.related_to) + ": the same missing control at the same place")
    out += [f"- crosses **{c.kind}**: {_md(c.explanation)}" for c in f.crossings]
    out += [f"- missing `{g.control}` at {_md(g.at)}" + (f" (carry {_md(', '.join(g.carries))})" if g.carries else "") for g in f.missing]
    out += [f"- recommended `{g.control}` at {_md(g.at)}" for g in f.recommended]
    out += [f"- present `{g.control}`: {_md(g.evidence or '')}" for g in f.present]
    if f.acceptance is not None:
        state = "expired" if f.acceptance.expired else "accepted"
        out.append(f"- {state} until {f.acceptance.expires}: {_md(f.acceptance.reason)}")
    if f.status == "open":
        if f.severity_because:
            out += ["", f"Severity {f.severity}: {_md(f.severity_because)}"]
        if f.assumes:
            out += ["", "Assumes (not declared):", *(f"- {_md(a)}" for a in f.assumes)]
        out += ["", f"Fix: {f.fix}"]
    out.append("")
    return out


_MARKDOWN_SPECIALS = "\\`*_{}[]<>()#+!|~&"


def _md(text: str) -> str:
    """User text as literal Markdown text: every special character backslash-escaped."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in text)


def _code(text: str) -> str:
    """User text in a code span, which cannot be closed early: backticks become quotes."""
    return "`" + text.replace("`", "'") + "`"
