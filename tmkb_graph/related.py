"""One missing control at one place is one thing to fix, however many patterns ask for it.

When open findings of different patterns name the same missing control at the same place, the
pattern whose first required mitigation is that control (the threat it is about) is primary; the
others are marked ``related`` when every control they miss is asked for by a primary finding.
Then open findings are grouped by place and missing control, the way a person fixes them, and what
related findings ask for beyond those fixes follows as later steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tmkb_graph.findings import Finding, FindingGroup, FollowUp, Gap
from tmkb_graph.library import PatternLibrary
from tmkb_graph.units import per_resource_roles, stand_ins
from tmkb_graph.vocabulary import Vocabulary, load_vocabulary

GapKey = tuple[str, str]  # (control, place)


def mark_related(findings: list[Finding], library: PatternLibrary) -> list[Finding]:
    """Open findings whose every missing control a primary finding elsewhere asks for become ``related``.

    A gap is covered by another pattern's gap at the same place that asks for the same control or
    for one that implies it (state-transition authorization covers restore authorization).
    """
    vocab = load_vocabulary()
    keys = {f.id: _keys(f) for f in findings if f.status == "open"}
    holders: dict[GapKey, list[Finding]] = {}
    for finding in findings:
        for key in keys.get(finding.id, ()):
            holders.setdefault(key, []).append(finding)
    primary = {key: min(found, key=lambda f: _primacy(f, key[0], library)) for key, found in holders.items()}
    by_place: dict[str, list[GapKey]] = {}
    for key in primary:
        by_place.setdefault(key[1], []).append(key)
    advisers = _advisers(findings, keys)
    stands = {f.id: stands_at(f, library) for f in findings if f.id in keys}
    ranks = severity_ranks()
    out = []
    for finding in findings:
        own = keys.get(finding.id)
        covers = [_cover(key, finding, primary, by_place, vocab) or _advised(key, finding, advisers, stands, ranks) for key in sorted(own or ())]
        if own and all(covers):
            related_to = sorted({c for c in covers if c})
            finding = finding.model_copy(update={"status": "related", "related_to": related_to})
        out.append(finding)
    return _to_open_findings(_secondary(_stood_in(out, keys, library), library, stands))


def _secondary(findings: list[Finding], library: PatternLibrary, stands: dict[str, set[str]]) -> list[Finding]:
    """Open findings of a pattern ``secondary_to`` another become related to that pattern's open
    findings on their way: on every path, at the finding's own place or at a component or endpoint
    the path binds (a transition rule on a route that checks no owner at all; a replayed or
    queued webhook whose receiver verifies nothing). Those fixes come first."""
    open_at: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        if finding.status == "open":
            for place in sorted(stands[finding.id]):
                open_at.setdefault((finding.pattern, place), []).append(finding.id)
            if " " in finding.location:  # at a route: it is also open on that route's component, for findings located there
                open_at.setdefault((finding.pattern, _ON_COMPONENT + finding.location.split(" ", 1)[0]), []).append(finding.id)
    out = []
    for finding in findings:
        firsts = _firsts(finding, library.patterns[finding.pattern].secondary_to, open_at) if finding.status == "open" else None
        if firsts:
            finding = finding.model_copy(update={"status": "related", "related_to": firsts})
        out.append(finding)
    return out


def stands_at(finding: Finding, library: PatternLibrary) -> set[str]:
    """The places a finding stands at: its location and, for one finding per resource of a component
    (a unit entry ``target.resource``), every route of that resource it lists as a path and misses a
    control at (a route of the resource that makes the check is not the finding's to fix there)."""
    places = {finding.location}
    gaps = {gap.at for gap in finding.missing}
    for name in per_resource_roles(library.patterns[finding.pattern].template.unit_names):
        places.update(path[name] for path in finding.paths if name in path and f"endpoint {path[name]}" in gaps)
    return places


_ON_COMPONENT = "\0on "  # keys open findings by the component of their route (never a label of its own)


def _firsts(finding: Finding, listed: list[str], open_at: dict[tuple[str, str], list[str]]) -> list[str] | None:
    """The open findings of the listed patterns that every path of the finding passes (None when a
    path passes none)."""
    if not listed:
        return None
    found: set[str] = set()
    # a finding located at a component (a second path around the rules) comes after the listed
    # patterns' findings open on any of that component's routes (its routes check no owner at all)
    own = {_ON_COMPONENT + finding.location} if " " not in finding.location else set()
    for path in finding.paths or [{}]:
        places = {finding.location, *own, *finding.bindings.values(), *path.values()}
        here = {i for pattern in listed for place in places for i in open_at.get((pattern, place), ())}
        if not here:
            return None
        found |= here
    return sorted(found)


def _to_open_findings(findings: list[Finding]) -> list[Finding]:
    """``related_to`` names open findings: a finding that named one now related itself names the open
    findings that one leads to; one that leads to none (findings covering each other) stays open."""
    related = {f.id: f.related_to for f in findings if f.status == "related"}
    out = []
    for finding in findings:
        if finding.status == "related" and any(i in related for i in finding.related_to):
            ids = sorted(_open_ends(finding.id, related))
            update = {"related_to": ids} if ids else {"status": "open", "related_to": []}
            finding = finding.model_copy(update=update)
        out.append(finding)
    return out


def _open_ends(start: str, related: dict[str, list[str]]) -> set[str]:
    """The ids not themselves related that following ``related_to`` from ``start`` reaches."""
    seen = {start}
    pending = list(related[start])
    ends: set[str] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in related:
            pending.extend(related[current])
        else:
            ends.add(current)
    return ends


def _cover(
    key: GapKey, finding: Finding, primary: dict[GapKey, Finding], by_place: dict[str, list[GapKey]], vocab: Vocabulary
) -> str | None:
    """The id of another pattern's primary finding that asks for this control (or one implying it) here."""
    control, place = key
    for other in sorted(by_place[place]):
        holder = primary[other]
        if holder.pattern == finding.pattern or primary[other].id == finding.id:
            continue
        if other[0] == control or control in vocab.implied([other[0]]):
            return holder.id
    return None


def _stood_in(findings: list[Finding], keys: dict[str, set[GapKey]], library: PatternLibrary) -> list[Finding]:
    """Open findings whose every gap another open finding's gap at the same place stands in for:
    the control it asks for, once claimed, silences this finding's pattern there (TMKB-AUTHZ-003's
    restore rule on a restore route, which TMKB-AUTHZ-015 takes in place of its owner check). Only
    findings still open after the ordinary cover count, so two findings never absorb each other."""
    asked: dict[str, list[tuple[str, Finding]]] = {}
    for finding in sorted(findings, key=lambda f: f.id):
        if finding.status == "open":
            for control, place in sorted(keys.get(finding.id, ())):
                asked.setdefault(place, []).append((control, finding))
    out = []
    for finding in findings:
        own = keys.get(finding.id) if finding.status == "open" else None
        if own:
            silencers = stand_ins(library.patterns[finding.pattern])
            covers = [next((f.id for c, f in asked[place] if c in silencers and f.pattern != finding.pattern), None) for _, place in sorted(own)]
            if all(covers):
                finding = finding.model_copy(update={"status": "related", "related_to": sorted({c for c in covers if c})})
        out.append(finding)
    return out


def _advisers(findings: list[Finding], keys: dict[str, set[GapKey]]) -> dict[GapKey, list[Finding]]:
    """Open findings by each control they recommend at a place (sorted by id)."""
    found: dict[GapKey, list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: f.id):
        if finding.id in keys:
            for gap in finding.recommended:
                found.setdefault((gap.control, gap.at), []).append(finding)
    return found


def _advised(
    key: GapKey, finding: Finding, advisers: dict[GapKey, list[Finding]], stands: dict[str, set[str]], ranks: dict[str, int]
) -> str | None:
    """The id of a more severe open finding of another pattern that already recommends this control
    here: it is open for a more basic gap at the same place (enumerable ids where nothing checks the
    object's owner), and its fix list carries this one. Only a finding located where this one is
    absorbs it: a job's finding that recommends isolating a store leaves the store's own finding open.
    A finding that stands at several routes (one per resource) is absorbed route by route: each of
    its gaps by a finding that stands at that route too (its routes split between two owner-check
    findings)."""
    place = key[1].removeprefix("endpoint ")  # stands_at names routes by their labels alone
    for other in advisers.get(key, ()):
        here = finding.location in stands[other.id] or (place in stands[other.id] and place in stands[finding.id])
        if other.pattern != finding.pattern and here and ranks[other.severity] > ranks[finding.severity]:
            return other.id
    return None


def _keys(finding: Finding) -> set[GapKey]:
    return {(gap.control, gap.at) for gap in finding.missing}


def _primacy(finding: Finding, control: str, library: PatternLibrary) -> tuple[int, int, str, str]:
    """Lower is more primary: the pattern about this control, then the more severe, then the lower id."""
    return (
        0 if _first_required(library, finding.pattern) == control else 1,
        -load_vocabulary().rank("severities", finding.severity),
        finding.pattern,
        finding.id,
    )


def _first_required(library: PatternLibrary, pattern_id: str) -> str | None:
    """The control of the pattern's first required mitigation: the one its threat is about."""
    return next((m.control for m in library.patterns[pattern_id].mitigations if m.required), None)


def group_open_findings(findings: list[Finding]) -> list[FindingGroup]:
    """Open findings grouped by the place and the control a fix adds, most urgent first."""
    rank = severity_ranks()
    members, lines = _by_gap(findings, "open")
    groups = [FindingGroup.from_checked(**_group_fields(key, found, lines[key], rank)) for key, found in members.items()]
    return _most_urgent_first(groups, rank)


def follow_up_fixes(findings: list[Finding]) -> list[FollowUp]:
    """The fixes related findings ask for that no open finding asks for at the same place, grouped
    by place and control, most urgent first: related is one root cause reported once, not a fix
    hidden (a rule for each transition stays to add once the route checks the owner)."""
    rank = severity_ranks()
    vocab = load_vocabulary()
    asked: dict[str, set[str]] = {}  # place -> the controls open findings ask for there, and what they imply
    for finding in findings:
        if finding.status == "open":
            for gap in finding.missing:
                asked.setdefault(gap.at, set()).update([gap.control, *vocab.implied([gap.control])])
    members, lines = _by_gap(findings, "related", lambda gap: gap.control not in asked.get(gap.at, ()))
    steps = [
        FollowUp.from_checked(
            **_group_fields(key, found, lines[key], rank),
            after=sorted({i for f in found.values() for i in f.related_to}),
        )
        for key, found in members.items()
    ]
    return _most_urgent_first(steps, rank)


def _by_gap(
    findings: list[Finding], status: str, keep: Callable[[Gap], bool] = lambda gap: True
) -> tuple[dict[GapKey, dict[str, Finding]], dict[GapKey, int | None]]:
    """The findings of ``status`` by each (place, control) they miss (each finding once per gap, by
    id), and each gap's line, for the missing gaps ``keep`` accepts."""
    members: dict[GapKey, dict[str, Finding]] = {}
    lines: dict[GapKey, int | None] = {}
    for finding in findings:
        if finding.status != status:
            continue
        for gap in finding.missing:
            if keep(gap):
                key = (gap.at, gap.control)
                members.setdefault(key, {})[finding.id] = finding
                lines.setdefault(key, gap.line)
    return members, lines


def _group_fields(key: GapKey, found: dict[str, Finding], line: int | None, rank: dict[str, int]) -> dict[str, Any]:
    """What a fix group says: its place and control, the worst severity and every exposure of its findings."""
    place, control = key
    members = list(found.values())
    return {
        "place": place,
        "control": control,
        "line": line,
        "severity": max(members, key=lambda f: rank[f.severity]).severity,
        "exposure": sorted({e for f in members for e in f.exposure}),
        "findings": sorted(found),
    }


Group = TypeVar("Group", bound=FindingGroup)


def _most_urgent_first(groups: list[Group], rank: dict[str, int]) -> list[Group]:
    groups.sort(key=lambda g: (-rank[g.severity], -len(g.exposure), g.line or 0, g.place, g.control))
    return groups


def severity_ranks() -> dict[str, int]:
    """Each severity's rank (higher is worse), read from the vocabulary once per call."""
    vocab = load_vocabulary()
    return {name: vocab.rank("severities", name) for name in vocab.names("severities")}
