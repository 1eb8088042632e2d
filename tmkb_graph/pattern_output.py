"""How `list` and `get` show patterns: a table, a page of text, JSON.

No pydantic here: a cold `list` or `get` renders the plain patterns of plain_patterns.py with the
same functions that render pattern.py's models.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tmkb_graph.text import escaped_lines

if TYPE_CHECKING:  # only annotations
    from tmkb_graph.pattern import Pattern


def stdlib_json(data: Any) -> str:
    """``data`` as JSON with sorted keys and a two-space indent, and a final newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def patterns_table(patterns: list[Pattern]) -> str:
    """One line per pattern: id, severity, boundary, name."""
    rows = [("ID", "SEVERITY", "BOUNDARY", "NAME")]
    rows += [(p.id, p.severity, p.template.boundary, p.name) for p in patterns]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return escaped_lines([f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}" for r in rows]) + "\n"


def pattern_text(p: Pattern, related: dict[str, list[str]] | None = None) -> str:
    """A human view of one pattern, with the patterns that share a control or weakness with it."""
    refs = p.references
    out = [
        f"{p.id}  {p.name}",
        f"severity {p.severity}, likelihood {p.likelihood}, tier {p.tier}, category {p.category}, version {p.version}",
        "",
        f"Threat: {p.agent_summary.threat}",
        f"Check:  {p.agent_summary.check}",
        f"Fix:    {p.agent_summary.fix}",
        "",
        *p.description.strip().splitlines(),
        "",
        "References: " + ", ".join(refs.cwe + refs.owasp_api + refs.owasp_top10 + refs.capec + refs.compliance),
    ]
    if p.attack_scenario:
        out += ["", "Attack scenario:"] + [f"  {i}. {step}" for i, step in enumerate(p.attack_scenario, 1)]
    if p.llm_blind_spots:
        out += ["", "LLM blind spots:"] + [f"  - {s}" for s in p.llm_blind_spots]
    out += ["", "Mitigations:"]
    for m in p.mitigations:
        where = " or ".join(f"{pl.scope} {pl.name}" for pl in m.where)
        need = "required" if m.required else "recommended"
        tenancy = f", {m.tenancy}-tenant only" if m.tenancy else ""
        out.append(f"  {m.id} {m.name} [{need}{tenancy}]: control {m.control} at {where}")
    t = p.template
    out += ["", f"Template (boundary {t.boundary}{', ' + t.tenancy + '-tenant' if t.tenancy else ''}):"]
    out += [f"  role {name}: {', '.join(spec.types)}" for name, spec in t.roles.items()]
    out += [f"  flow {f.name}: {f.source} -> {f.target} ({', '.join(f.kinds)})" for f in t.flows]
    out += [f"  endpoint {name} of {e.of}: {', '.join(e.operations) or 'any operation'}" for name, e in t.endpoints.items()]
    if related:
        out += ["", "Related patterns (shared required controls or CWEs):"]
        out += [f"  {pid}: {', '.join(things)}" for pid, things in related.items()]
    out += ["", "Sources:"] + [f"  {s.title} <{s.url}>" for s in refs.sources]
    return escaped_lines(out) + "\n"


def pattern_json(pattern: Pattern) -> str:
    """One pattern as JSON, with the field names its YAML file uses."""
    return stdlib_json(pattern.model_dump(mode="json", by_alias=True))


def patterns_json(patterns: list[Pattern]) -> str:
    """The pattern list as JSON: id, name, severity, boundary and category of each."""
    rows = [
        {"id": p.id, "name": p.name, "severity": p.severity, "boundary": p.template.boundary, "category": p.category}
        for p in patterns
    ]
    return json.dumps(rows, indent=2, sort_keys=True) + "\n"
