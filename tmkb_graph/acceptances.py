"""Acceptances: a finding accepted until a date, with a reason, and warnings for expired or unused ones."""

from __future__ import annotations

import datetime as dt

from tmkb_graph.architecture import Acceptance, LoadedArchitecture
from tmkb_graph.findings import AcceptanceNote, Finding

def _accepts(acceptance: Acceptance, finding: Finding) -> bool:
    if acceptance.pattern != finding.pattern:
        return False
    if acceptance.finding is not None:
        return acceptance.finding == finding.id
    components = {value.split(" ", 1)[0] for path in finding.paths for value in path.values()}
    return acceptance.component in components


def apply_acceptances(
    findings: list[Finding], arch: LoadedArchitecture, today: dt.date, warnings: list[str]
) -> list[Finding]:
    """The findings with the architecture's acceptances applied: an unexpired acceptance makes an open
    finding accepted; an expired one, or one that matches no finding, adds a located warning."""
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
