"""validate's notes: what an architecture leaves unsaid that its findings depend on.

A finding made on a guess (a job taken to act for the requester, a body taken to be bound fields)
is only as good as the guess, and a pattern that needs a fact nobody declared is not assessable at
all. validate names each guess once, at the first finding resting on it, and each place a pattern
cannot judge, so the author can declare what is true before anyone reads the findings.
"""

from __future__ import annotations

from tmkb_graph.architecture import LoadedArchitecture
from tmkb_graph.errors import Problem
from tmkb_graph.findings import AnalysisResult


def assumption_notes(arch: LoadedArchitecture, result: AnalysisResult) -> list[Problem]:
    """One note per undeclared fact or body that the open findings of ``result`` (the analysis of
    ``arch``) take for granted, and one per place and reason a pattern is not assessable, sorted by line."""
    resting: dict[str, list[tuple[int, str]]] = {}
    for finding in result.findings:
        if finding.status != "open":
            continue
        for assumption in finding.assumes:
            resting.setdefault(assumption, []).append((finding.location_line or 0, finding.pattern))
    notes = []
    for assumption, places in resting.items():
        patterns = sorted({pattern for _, pattern in places})
        count = len(places)
        notes.append(
            Problem(
                file=arch.file,
                line=min(line for line, _ in places) or None,
                path="",
                message=f"{count} open finding{'s' if count != 1 else ''} ({', '.join(patterns)}) assume{'' if count != 1 else 's'} "
                f"what the file does not say: {assumption}",
                level="note",
            )
        )
    unjudged: dict[tuple[str, str], list[str]] = {}
    for item in result.not_assessable:
        unjudged.setdefault((item.component, item.reason), []).append(item.pattern)
    for (component, reason), patterns in unjudged.items():
        notes.append(
            Problem(
                file=arch.file,
                line=arch.line_of(("components", component)),
                path="",
                message=f"{', '.join(sorted(patterns))} cannot judge {component}: {reason}",
                level="note",
            )
        )
    return sorted(notes, key=lambda p: (p.line or 0, p.message))
