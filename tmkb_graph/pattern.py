"""The threat pattern format: pydantic models for one pattern file, including its template."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tmkb_graph.model_base import InputModel
from tmkb_graph.vocabulary import load_vocabulary
from tmkb_graph.words import (
    Body,
    BoundaryKind,
    ComponentFact,
    ComponentType,
    ContextItem,
    Control,
    FlowKind,
    IdScheme,
    Likelihood,
    Operation,
    ResourceOwner,
    Severity,
    Tenancy,
    Tier,
    Workflow,
    ZoneKind,
)

PATTERN_ID = re.compile(r"^TMKB-[A-Z]+-\d{3}$")
CATEGORIES = ("authorization", "webhook")
AGENT_SUMMARY_TOKEN_LIMIT = 100
_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def estimate_tokens(text: str) -> int:
    """A tokenizer-free token estimate: about four characters per token, as common tokenizers average."""
    return math.ceil(len(text) / 4)


def agent_summary_tokens(summary: AgentSummary) -> int:
    """The real token count (cl100k_base) of an agent summary's threat, check and fix together."""
    from tmkb_graph.tokens import count_tokens

    return count_tokens(" ".join((summary.threat, summary.check, summary.fix)))


class _Strict(InputModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, (str, dict)) else value


class AgentSummary(_Strict):
    """What an agent reads before writing code: the threat, what to check, how to fix it."""

    threat: str = Field(min_length=10)
    check: str = Field(min_length=10)
    fix: str = Field(min_length=10)

    @model_validator(mode="after")
    def _short(self) -> AgentSummary:
        tokens = estimate_tokens(" ".join((self.threat, self.check, self.fix)))
        if tokens >= AGENT_SUMMARY_TOKEN_LIMIT:
            raise ValueError(f"the agent summary is about {tokens} tokens; keep threat, check and fix under {AGENT_SUMMARY_TOKEN_LIMIT} together")
        return self


class Triggers(_Strict):
    """When a pattern is relevant to code or a task: words, actions, files, languages, frameworks."""

    keywords: list[str] = Field(min_length=1)
    actions: list[str] = Field(default_factory=list)
    file_globs: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    frameworks: list[str] = Field(default_factory=list)


class Source(_Strict):
    """A public source the pattern's facts come from."""

    title: str
    url: str = Field(pattern=r"^https://\S+$")


class References(_Strict):
    """Where the weakness is catalogued, and the sources the pattern's facts come from."""

    cwe: list[str] = Field(min_length=1)
    owasp_api: list[str] = Field(default_factory=list)
    owasp_top10: list[str] = Field(default_factory=list)
    capec: list[str] = Field(default_factory=list)
    compliance: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)

    @field_validator("cwe")
    @classmethod
    def _cwe(cls, value: list[str]) -> list[str]:
        return _ids(value, r"^CWE-\d+$", "CWE-862")

    @field_validator("owasp_api")
    @classmethod
    def _owasp_api(cls, value: list[str]) -> list[str]:
        return _ids(value, r"^API([1-9]|10):2023$", "API1:2023")

    @field_validator("owasp_top10")
    @classmethod
    def _owasp_top10(cls, value: list[str]) -> list[str]:
        return _ids(value, r"^A(0[1-9]|10):2021$", "A01:2021")

    @field_validator("capec")
    @classmethod
    def _capec(cls, value: list[str]) -> list[str]:
        return _ids(value, r"^CAPEC-\d+$", "CAPEC-639")

    @field_validator("compliance")
    @classmethod
    def _compliance(cls, value: list[str]) -> list[str]:
        return _ids(value, r"^[A-Za-z0-9-]+:\S+$", "SOC2:CC6.1")


def _ids(values: list[str], shape: str, example: str) -> list[str]:
    for value in values:
        if not re.match(shape, value):
            raise ValueError(f"'{value}' is not written like '{example}'")
    return values


class CodeExample(_Strict):
    """A short piece of code showing the flaw or the fix."""

    language: str = "python"
    code: str = Field(min_length=20)


class Examples(_Strict):
    """The vulnerable and the secure way, side by side."""

    vulnerable: CodeExample
    secure: CodeExample


class Place(_Strict):
    """Where a mitigation's control belongs: a role's component, an endpoint role, or a template flow."""

    role: str | None = None
    endpoint: str | None = None
    flow: str | None = None
    # a role place also counts a claim on one of the component's endpoints (the route that enqueues)
    or_endpoints: bool = False
    # a role place also counts when every job its enqueue and publish flows feed claims the control
    # (where the effect of a webhook happens), or, for a gateway in front of webhook receivers, when
    # every receiver it forwards to claims it
    or_downstream: bool = False

    @model_validator(mode="after")
    def _exactly_one(self) -> Place:
        given = [k for k in ("role", "endpoint", "flow") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a place names exactly one of role, endpoint or flow")
        if (self.or_endpoints or self.or_downstream) and self.role is None:
            raise ValueError("only a role place can say or_endpoints or or_downstream")
        return self

    @property
    def scope(self) -> str:
        """role, endpoint or flow."""
        return "role" if self.role is not None else "endpoint" if self.endpoint is not None else "flow"

    @property
    def name(self) -> str:
        """The template name the place refers to."""
        return self.role or self.endpoint or self.flow or ""


class FactCondition(_Strict):
    """Facts about the component bound to a role: ``{role: provider, facts: {signs_timestamp: true}}``."""

    role: str
    facts: dict[ComponentFact, bool] = Field(min_length=1)


class Mitigation(_Strict):
    """One thing the architecture should have, the control that claims it, and where it belongs."""

    id: str
    name: str
    control: Control
    where: list[Place] = Field(min_length=1)
    carries: list[ContextItem] = Field(default_factory=list)
    required: bool = True
    tenancy: Tenancy | None = None
    operations: list[Operation] = Field(default_factory=list)
    # counts only where these facts hold or are not known (a replay window needs a signed timestamp)
    only_when: FactCondition | None = None
    description: str = Field(min_length=20)
    tradeoffs: str = Field(min_length=10)
    examples: Examples | None = None

    _where_list = field_validator("where", mode="before")(lambda cls, v: _as_list(v))


StartedBy = Literal["request", "system", "third_party"]


class RoleSpec(_Strict):
    """What a component must be to play a role in the template."""

    types: list[ComponentType] = Field(min_length=1)
    zones: list[ZoneKind] = Field(default_factory=list)
    frameworks: list[str] = Field(default_factory=list)
    controls: list[Control] = Field(default_factory=list)
    lacks: list[Control] = Field(default_factory=list)
    facts: dict[ComponentFact, bool] = Field(default_factory=dict)
    reachable: bool | None = None
    # a person's request reaches it (from outside or from a client), not only other services
    person_facing: bool | None = None
    started_by: list[StartedBy] = Field(default_factory=list)
    no_inbound: list[FlowKind] = Field(default_factory=list)


class FlowSpec(_Strict):
    """A flow the template needs between two roles."""

    name: str
    source: str = Field(alias="from")
    target: str = Field(alias="to")
    kinds: list[FlowKind] = Field(min_length=1)
    crosses: list[BoundaryKind] = Field(default_factory=list)
    carries_any: list[ContextItem] = Field(default_factory=list)


class ResourceSpec(_Strict):
    """What an endpoint's resource must be for the template to apply."""

    owners: list[ResourceOwner] = Field(default_factory=list)
    soft_delete: bool | None = None
    ids: list[IdScheme] = Field(default_factory=list)
    # the resource declares one of these workflows (undeclared: not assessable)
    workflows: list[Workflow] = Field(default_factory=list)


class EndpointSpec(_Strict):
    """An endpoint a template needs on the component bound to a role."""

    of: str
    operations: list[Operation] = Field(default_factory=list)
    methods: list[str] = Field(default_factory=list)
    min_path_params: int = Field(default=0, ge=0)
    resource: ResourceSpec | None = None
    same_resource_as: str | None = None
    same_path_as: str | None = None
    controls: list[Control] = Field(default_factory=list)
    lacks: list[Control] = Field(default_factory=list)
    nested: bool | None = None
    witness: bool = False


class Condition(_Strict):
    """A fact about one bound role, endpoint or flow: the controls it claims and the items it carries;
    or, with ``all``, a group of such facts that must all hold (one entry of ``unless_any``)."""

    role: str | None = None
    endpoint: str | None = None
    flow: str | None = None
    all_of: list[Condition] = Field(default_factory=list, alias="all")
    controls: list[Control] = Field(default_factory=list)
    carries: list[ContextItem] = Field(default_factory=list)
    # none of these reached the flow (what it carries after earlier hops lost what they lost)
    carries_none: list[ContextItem] = Field(default_factory=list)
    lacks: list[Control] = Field(default_factory=list)
    # the owner of the bound endpoint's resource, as the endpoint's operation meets it
    owners: list[ResourceOwner] = Field(default_factory=list)
    # the id scheme the bound endpoint's resource declares (an undeclared scheme does not hold)
    ids: list[IdScheme] = Field(default_factory=list)
    # the body the bound endpoint declares (an undeclared body does not hold)
    bodies: list[Body] = Field(default_factory=list)
    # the condition holds only for a bound endpoint with one of these operations
    operations: list[Operation] = Field(default_factory=list)
    # the bound endpoint's route has none of these words as a path segment (case-insensitive,
    # parameters ignored): a transition that is not a restore (POST /x/{id}/publish)
    not_route_words: list[str] = Field(default_factory=list)
    # the condition holds only for a bound role's component of one of these types
    types: list[ComponentType] = Field(default_factory=list)
    # whether someone outside can call the bound role's component (an ingress crossing enters it)
    reachable: bool | None = None
    # facts the bound role's component is known to have (declared, or known for its framework or
    # technology); an unknown fact does not hold
    facts: dict[ComponentFact, bool] = Field(default_factory=dict)
    # facts the bound role's component is not known to have: what the architecture declares
    # overrides what the condition infers (a job declared to act for the requester)
    not_facts: dict[ComponentFact, bool] = Field(default_factory=dict)
    # everything the bound role's component sends, apart from its reads, goes to components of
    # these types, and it sends something (a job that only reports outward to clients and third
    # parties, or only keeps a derived copy in a search index or cache)
    sends_only_to: list[ComponentType] = Field(default_factory=list)
    # the bound role's component has a flow of one of these kinds going out (it reads a store, say)
    flows_out: list[FlowKind] = Field(default_factory=list)
    # a role condition's controls also hold when one of the component's routes claims them (a
    # service that authenticates users on its routes, with anonymous public routes beside them)
    or_endpoints: bool = False
    # every flow that starts the bound role's component's work (deliver, subscribe, invoke) carries
    # these items, and at least one does (a job told its tenant with each message)
    started_with: list[ContextItem] = Field(default_factory=list)
    # the bound endpoint claims each of these that another route of its component on the same
    # resource claims: nothing the single-object routes check is skipped here
    as_strong_as_siblings: list[Control] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_place(self) -> Condition:
        if self.all_of:
            if len(self.all_of) < 2 or any(c.all_of for c in self.all_of):
                raise ValueError("a group lists two or more conditions under all, none of them a group")
            if self.role or self.endpoint or self.flow or self._says_something():
                raise ValueError("a group lists its conditions under all and nothing else")
            return self
        given = [k for k in ("role", "endpoint", "flow") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a condition names exactly one of role, endpoint or flow")
        if not self._says_something():
            raise ValueError("a condition lists controls, carries, lacks, owners, operations, types or several of them")
        if (self.carries or self.carries_none) and self.flow is None:
            raise ValueError("only a flow condition can list carries or carries_none")
        if (self.owners or self.ids or self.bodies or self.operations or self.not_route_words or self.as_strong_as_siblings) and self.endpoint is None:
            raise ValueError("only an endpoint condition can list owners, ids, bodies, operations, not_route_words or as_strong_as_siblings")
        if (self.types or self.facts or self.not_facts or self.flows_out or self.sends_only_to or self.started_with or self.reachable is not None) and self.role is None:
            raise ValueError("only a role condition can list types, facts, not_facts, flows_out, sends_only_to, started_with or reachable")
        if self.or_endpoints and (self.role is None or not self.controls):
            raise ValueError("only a role condition that lists controls can say or_endpoints")
        return self

    def _says_something(self) -> bool:
        listed = (self.controls, self.carries, self.carries_none, self.lacks, self.owners, self.ids, self.bodies, self.operations, self.not_route_words, self.types, self.flows_out, self.sends_only_to, self.started_with)
        return any(listed) or bool(self.as_strong_as_siblings or self.facts or self.not_facts) or self.reachable is not None

    @property
    def name(self) -> str:
        """The template name the condition refers to ("" for a group)."""
        return self.role or self.endpoint or self.flow or ""

    def members(self) -> list[Condition]:
        """The single conditions this one stands for: the group's, or itself."""
        return list(self.all_of) or [self]


class Comparison(_Strict):
    """The threat's defining comparison: ``weaker`` lacks authorization that ``than`` has.

    ``each`` (default): some listed control is claimed by ``than`` and not by ``weaker`` (implied
    controls count: an object ownership check implies tenant scoping). ``any``: ``than`` claims at
    least one of them and ``weaker`` claims none. ``in_front``: only the controls of the gateway
    routes in front of each endpoint count.
    """

    weaker: str
    than: str
    controls: list[Control] = Field(min_length=1)
    mode: Literal["each", "any"] = "each"
    # compare only what the gateway routes in front of the two endpoints decide, before the
    # service's own handler runs (endpoint roles only)
    in_front: bool = False


class Template(_Strict):
    """The subgraph a pattern applies to: roles, flows between them, endpoints, and its boundary."""

    boundary: BoundaryKind
    tenancy: Tenancy | None = None
    roles: dict[str, RoleSpec] = Field(min_length=1)
    flows: list[FlowSpec] = Field(default_factory=list)
    endpoints: dict[str, EndpointSpec] = Field(default_factory=dict)
    unit: list[str] = Field(default_factory=list)
    compare: list[Comparison] = Field(default_factory=list)
    unless: list[Condition] = Field(default_factory=list)
    unless_any: list[Condition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Template:
        if any(c.all_of for c in self.unless):
            raise ValueError("unless lists single conditions that must all hold; a group (all) belongs in unless_any")
        names = list(self.roles) + list(self.endpoints)
        for name in names:
            if not _ROLE_NAME.match(name):
                raise ValueError(f"role name '{name}' must be lower_snake_case")
        if len(set(names)) != len(names):
            raise ValueError("a role and an endpoint role share a name")
        for spec in self.flows:
            for end in (spec.source, spec.target):
                if end not in self.roles:
                    raise ValueError(f"flow '{spec.name}' names role '{end}', which the template does not define")
        if len({f.name for f in self.flows}) != len(self.flows):
            raise ValueError("template flow names must be unique")
        for name, endpoint in self.endpoints.items():
            if endpoint.of not in self.roles:
                raise ValueError(f"endpoint role '{name}' is of role '{endpoint.of}', which the template does not define")
            for field in ("same_resource_as", "same_path_as"):
                other = getattr(endpoint, field)
                if other is not None and other not in self.endpoints:
                    raise ValueError(f"endpoint role '{name}': {field} names no endpoint role '{other}'")
        _check_unit_and_conditions(self)
        unreached = _unconnected_roles(self)
        witnesses = {n for n, e in self.endpoints.items() if e.witness}
        if witnesses and witnesses == set(self.endpoints):
            raise ValueError("at least one endpoint role must not be a witness: findings are made per non-witness endpoint")
        if unreached:
            raise ValueError(
                f"roles {', '.join(unreached)} are not connected to the others by a template flow; "
                "a template is one connected subgraph so the matcher can walk it from one anchor"
            )
        return self

    @property
    def endpoint_level(self) -> bool:
        """True when the template judges endpoints, so it needs declared endpoints to be assessed."""
        return bool(self.endpoints)

    @property
    def unit_names(self) -> list[str]:
        """The roles and endpoint roles that identify one finding (its root cause's place)."""
        if self.unit:
            return list(self.unit)
        return list(self.roles) + [n for n, e in self.endpoints.items() if not e.witness]


def _check_unit_and_conditions(template: Template) -> None:
    names = {"role": set(template.roles), "endpoint": set(template.endpoints), "flow": {f.name for f in template.flows}}
    witnesses = {n for n, e in template.endpoints.items() if e.witness}
    for name in template.unit:
        if name not in names["role"] | names["endpoint"]:
            raise ValueError(f"unit names '{name}', which is neither a role nor an endpoint role of the template")
        if name in witnesses:
            raise ValueError(f"unit names the witness endpoint role '{name}'; a witness only has to exist")
    if len(set(template.unit)) != len(template.unit):
        raise ValueError("unit lists a name twice")
    for comparison in template.compare:
        for name in (comparison.weaker, comparison.than):
            if name not in names["role"] | names["endpoint"]:
                raise ValueError(f"compare names '{name}', which is neither a role nor an endpoint role of the template")
            if comparison.in_front and name not in names["endpoint"]:
                raise ValueError(f"compare in_front names '{name}', which is not an endpoint role: only routes have gateways in front")
    for key, conditions in (("unless", template.unless), ("unless_any", template.unless_any)):
        for condition in (member for c in conditions for member in c.members()):
            scope = "role" if condition.role is not None else "endpoint" if condition.endpoint is not None else "flow"
            if condition.name not in names[scope]:
                raise ValueError(f"{key} names {scope} '{condition.name}', which the template does not define")


def _unconnected_roles(template: Template) -> list[str]:
    roles = list(template.roles)
    reached = {roles[0]}
    changed = True
    while changed:
        changed = False
        for spec in template.flows:
            if (spec.source in reached) != (spec.target in reached):
                reached |= {spec.source, spec.target}
                changed = True
    return [r for r in roles if r not in reached]


class SeverityRule(_Strict):
    """A lower severity for an open finding when every required control it misses is among ``only_missing``."""

    only_missing: list[Control] = Field(min_length=1)
    severity: Severity
    because: str = Field(min_length=20)


class Pattern(_Strict):
    """A threat pattern: identity, agent summary, knowledge, mitigations and its template."""

    id: str
    name: str = Field(min_length=5)
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    tier: Tier
    severity: Severity
    # the first rule whose only_missing holds sets an open finding's severity (lower than the pattern's)
    severity_when: list[SeverityRule] = Field(default_factory=list)
    # patterns whose open findings come first: a finding of this pattern whose every path passes one
    # (at its place, or a component or endpoint the path binds) is related to it (a transition rule
    # on a route that checks no owner at all; a webhook queue behind a receiver that verifies nothing)
    secondary_to: list[str] = Field(default_factory=list)
    likelihood: Likelihood
    category: str
    agent_summary: AgentSummary
    description: str = Field(min_length=40)
    triggers: Triggers
    references: References
    attack_scenario: list[str] = Field(default_factory=list)
    llm_blind_spots: list[str] = Field(default_factory=list)
    mitigations: list[Mitigation] = Field(min_length=1)
    template: Template

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not PATTERN_ID.match(value):
            raise ValueError(f"pattern id '{value}' should look like TMKB-AUTHZ-001")
        return value

    @field_validator("secondary_to")
    @classmethod
    def _secondary_ids(cls, value: list[str]) -> list[str]:
        for pattern_id in value:
            if not PATTERN_ID.match(pattern_id):
                raise ValueError(f"secondary_to names '{pattern_id}', which should look like TMKB-AUTHZ-001")
        return value

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in CATEGORIES:
            from tmkb_graph.vocabulary import unknown_word_message

            raise ValueError(unknown_word_message("category", value, list(CATEGORIES)))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Pattern:
        ids = [m.id for m in self.mitigations]
        if len(set(ids)) != len(ids):
            raise ValueError("mitigation ids must be unique")
        for mitigation in self.mitigations:
            if not mitigation.id.startswith(self.id + "-M"):
                raise ValueError(f"mitigation id '{mitigation.id}' should start with '{self.id}-M'")
            _check_places(self.template, mitigation)
        if not any(m.required for m in self.mitigations):
            raise ValueError("at least one mitigation must be required, or no finding could ever be open")
        if self.tier == "A":
            _check_full_depth(self)
        _check_severity_rules(self)
        if self.id in self.secondary_to:
            raise ValueError("secondary_to names the pattern itself")
        return self

    def severity_for(self, missing_controls: set[str]) -> tuple[str, str | None]:
        """The severity of a finding missing these required controls, and why it is lower (or None)."""
        for rule in self.severity_when:
            if missing_controls and missing_controls <= set(rule.only_missing):
                return rule.severity, rule.because
        return self.severity, None

    @property
    def mitigation_by_id(self) -> dict[str, Mitigation]:
        """The pattern's mitigations, by id."""
        return {m.id: m for m in self.mitigations}


def _check_places(template: Template, mitigation: Mitigation) -> None:
    flows = {f.name for f in template.flows}
    for place in mitigation.where:
        known = {"role": set(template.roles), "endpoint": set(template.endpoints), "flow": flows}[place.scope]
        if place.name not in known:
            raise ValueError(
                f"mitigation {mitigation.id} is placed at {place.scope} '{place.name}', which the template does not define"
            )
    # carries are judged on flows; a role or endpoint place beside them counts by its claimed control
    if mitigation.carries and not any(p.scope == "flow" for p in mitigation.where):
        raise ValueError(f"mitigation {mitigation.id} lists carries, so at least one place it names must be a flow")
    if mitigation.operations and not all(p.scope == "endpoint" for p in mitigation.where):
        raise ValueError(f"mitigation {mitigation.id} lists operations, so every place it names must be an endpoint")
    if mitigation.only_when is not None and mitigation.only_when.role not in template.roles:
        raise ValueError(f"mitigation {mitigation.id} is only_when role '{mitigation.only_when.role}', which the template does not define")


def _check_severity_rules(pattern: Pattern) -> None:
    required = {m.control for m in pattern.mitigations if m.required}
    rank = load_vocabulary().fact
    for rule in pattern.severity_when:
        for control in rule.only_missing:
            if control not in required:
                raise ValueError(f"severity_when lists '{control}', which no required mitigation of the pattern asks for")
        if rank("severities", rule.severity, "rank") >= rank("severities", pattern.severity, "rank"):
            raise ValueError(f"severity_when gives '{rule.severity}', which is not lower than the pattern's severity '{pattern.severity}'")


def _check_full_depth(pattern: Pattern) -> None:
    if len(pattern.attack_scenario) < 2:
        raise ValueError("a tier A pattern needs an attack scenario of at least two steps")
    if not pattern.llm_blind_spots:
        raise ValueError("a tier A pattern needs at least one LLM blind spot")
    for mitigation in pattern.mitigations:
        if mitigation.required and mitigation.examples is None:
            raise ValueError(f"tier A: required mitigation {mitigation.id} needs vulnerable and secure examples")
