"""validate's notes: the undeclared facts and bodies that open findings of an architecture rest on.

A finding made on a guess (a job taken to act for the requester, a body taken to be bound fields)
is only as good as the guess; validate names each guess once, at the first finding resting on it,
so the author can declare what is true before anyone reads the findings.
"""

from __future__ import annotations

from tmkb_graph.architecture import LoadedArchitecture
from tmkb_graph.errors import Problem
from tmkb_graph.library import PatternLibrary


def assumption_notes(arch: LoadedArchitecture, library: PatternLibrary) -> list[Problem]:
    """One note per undeclared fact or body that open findings take for granted, sorted by line."""
    from tmkb_graph.analysis import analyze  # the analysis is needed only for architectures

    resting: dict[str, list[tuple[int, str]]] = {}
    for finding in analyze(arch, library).findings:
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
    return sorted(notes, key=lambda p: (p.line or 0, p.message))
