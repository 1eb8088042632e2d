"""The analysis result as data: findings, their gaps, and the summary. Renderers only read these."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["open", "mitigated", "accepted", "related"]


class _Out(BaseModel):
    """Output models. Analysis builds them with ``from_checked`` from already-checked data,
    because validating tens of thousands of findings again would double the analysis time."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_checked(cls, **values: Any) -> Self:
        """An instance from values the analysis built and checked, given for every field by name.

        What ``model_construct`` does, without its per-field work (defaults, aliases, extras): about
        twenty times cheaper, which counts for the tens of thousands of findings and gaps of a large
        architecture. Each output model gets a constructor made for its fields in place of this
        method (``_constructor``); a missing or unknown field is refused.
        """
        return _constructor(cls)(cls, **values)  # type: ignore[no-any-return]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.from_checked = classmethod(_constructor(cls))  # type: ignore[method-assign, assignment]


def _constructor(cls: type[BaseModel]) -> Any:
    """A function ``(cls, *, field, ...)`` that builds an instance of ``cls`` from every field's value.

    Generated (as dataclasses generate ``__init__``) so each call is a plain sequence of stores: the
    fields are set one at a time, always in field order, so the instance dict shares its class's keys
    and holds only the values (half the memory of a whole dict put in place); every instance shares one
    fields-set (pydantic copies it before a change). A missing field is a KeyError, an unknown one an
    AssertionError: both are programming errors of the analysis.
    """
    names = tuple(cls.__pydantic_fields__)
    assert all(name.isidentifier() and not name.startswith("_") for name in names), names
    missing = " or ".join(f"{name} is _missing" for name in names) or "False"
    lines = [
        f"def make(cls, *, {''.join(f'{name}=_missing, ' for name in names)}**_unknown):",
        f"    if _unknown or {missing}:",
        "        _refuse(locals())",
        "    out = _new(cls)",
        *(f"    _set(out, {name!r}, {name})" for name in names),
        "    _set(out, '__pydantic_fields_set__', _fields_set)",
        "    _set(out, '__pydantic_extra__', None)",
        "    _set(out, '__pydantic_private__', None)",
        "    return out",
    ]
    namespace: dict[str, Any] = {
        "_new": cls.__new__, "_set": object.__setattr__, "_fields_set": set(names), "_missing": _MISSING, "_refuse": _refuse,
    }
    exec("\n".join(lines), namespace)  # noqa: S102 - the source is made above from field names only
    return namespace["make"]


_MISSING = object()


def _refuse(given: dict[str, Any]) -> None:
    unknown = given.pop("_unknown")
    assert not unknown, sorted(unknown)
    raise KeyError(sorted(name for name, value in given.items() if value is _MISSING))


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


class AnalysisResult(_Out):
    """Everything `analyze` found in one architecture."""

    architecture: ArchitectureSummary
    findings: list[Finding]
    groups: list[FindingGroup] = Field(default_factory=list)
    not_assessable: list[NotAssessableOut]
    warnings: list[str]
    summary: Summary

    def open_at_or_above(self, rank: int, ranks: dict[str, int]) -> list[Finding]:
        """Open findings whose severity rank is at least ``rank``."""
        return [f for f in self.findings if f.status == "open" and ranks[f.severity] >= rank]
