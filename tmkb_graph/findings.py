"""The analysis result as data: findings, their gaps, and the summary. Renderers only read these."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["open", "mitigated", "accepted", "related"]

_ALL_FIELDS: dict[type, set[str]] = {}
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


class _Out(BaseModel):
    """Output models. Analysis builds them with ``from_checked`` from already-checked data,
    because validating tens of thousands of findings again would double the analysis time."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_checked(cls, **values: Any) -> Self:
        """An instance from values the analysis built and checked, given for every field.

        What ``model_construct`` does, without its per-field work (defaults, aliases, extras): about
        ten times cheaper, which counts for the tens of thousands of findings and gaps of a large
        architecture. A missing or unknown field is a programming error, caught by an assert.
        """
        names = _FIELD_NAMES.get(cls) or _FIELD_NAMES.setdefault(cls, tuple(cls.__pydantic_fields__))
        if tuple(values) == names:  # given in field order, as pydantic keeps it
            ordered = values
        else:
            ordered = {name: values[name] for name in names}
            assert len(ordered) == len(values), sorted(values.keys() - ordered.keys())
        out = cls.__new__(cls)
        _set = object.__setattr__
        # one attribute at a time, always in field order: the instance dict then shares its class's
        # keys and holds only the values (half the memory of a whole dict put in place)
        for name, value in ordered.items():
            _set(out, name, value)
        # every field is set, so every instance of a class shares one set (pydantic copies it before a change)
        _set(out, "__pydantic_fields_set__", _ALL_FIELDS.get(cls) or _ALL_FIELDS.setdefault(cls, set(ordered)))
        _set(out, "__pydantic_extra__", None)
        _set(out, "__pydantic_private__", None)
        return out


class Gap(_Out):
    """A mitigation judged at its place: the control asked for, where, and whether it is claimed."""

    mitigation: str
    name: str
    control: str
    at: str
    required: bool
    present: bool
    line: int | None = None
    carries: list[str] = Field(default_factory=list)
    evidence: str | None = None


class CrossingOut(_Out):
    """A boundary crossing that made the finding apply, and the rule that inferred it."""

    kind: str
    rule: str
    explanation: str
    flow: str | None = None
    component: str | None = None


class AcceptanceNote(_Out):
    """The architecture's acceptance of this finding."""

    reason: str
    expires: str | None
    expired: bool
    line: int | None


class Finding(_Out):
    """One root cause of one pattern at the place its fix belongs, with every path that leads to it.

    ``bindings`` holds the roles bound to one value across all paths (always the pattern's unit);
    ``paths`` holds every full binding (each producer, hop or accessor), ``via`` the gateway routes
    a judged service route is reached through. A ``related`` finding names only controls that a
    primary finding of another pattern already asks for at the same place (``related_to``).
    """

    id: str
    pattern: str
    name: str
    severity: str
    likelihood: str
    status: Status
    unit: list[str]
    bindings: dict[str, str]
    paths: list[dict[str, str]]
    via: list[str] = Field(default_factory=list)
    crossings: list[CrossingOut]
    present: list[Gap]
    missing: list[Gap]
    recommended: list[Gap]
    file: str
    location_line: int | None
    location: str
    exposure: list[str] = Field(default_factory=list)
    fix: str
    acceptance: AcceptanceNote | None = None
    related_to: list[str] = Field(default_factory=list)
    # why an open finding's severity is lower than its pattern's (the pattern's severity_when)
    severity_because: str | None = None
    # undeclared facts or route bodies that, declared as the pattern asks, would have kept this
    # finding from being made: what it takes for granted (open findings only)
    assumes: list[str] = Field(default_factory=list)


class NotAssessableOut(_Out):
    """A pattern that could apply to a component, but the architecture does not declare enough."""

    pattern: str
    component: str
    reason: str


class ArchitectureSummary(_Out):
    """Which architecture was analysed."""

    name: str
    file: str
    tenancy: str
    components: int
    flows: int


class Summary(_Out):
    """Counts for a reader and for CI."""

    patterns_checked: int
    findings: int
    by_status: dict[str, int]
    open_by_severity: dict[str, int]
    patterns_with_findings: list[str]
    not_assessable: dict[str, int]


class FindingGroup(_Out):
    """Open findings that share a place and a missing control: one fix closes them all."""

    place: str
    control: str
    line: int | None
    severity: str
    exposure: list[str]
    findings: list[str]


class FollowUp(FindingGroup):
    """A fix related findings ask for that no open finding does (``findings`` are the related ones):
    made once the fixes of the open findings they are related to (``after``) are in (a transition
    rule on a route that first needs its owner check)."""

    after: list[str]


class AnalysisResult(_Out):
    """Everything `analyze` found in one architecture."""

    architecture: ArchitectureSummary
    findings: list[Finding]
    groups: list[FindingGroup] = Field(default_factory=list)
    follow_ups: list[FollowUp] = Field(default_factory=list)
    not_assessable: list[NotAssessableOut]
    warnings: list[str]
    summary: Summary

    def open_at_or_above(self, rank: int, ranks: dict[str, int]) -> list[Finding]:
        """Open findings whose severity rank is at least ``rank``."""
        return [f for f in self.findings if f.status == "open" and ranks[f.severity] >= rank]
