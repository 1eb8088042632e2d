"""The threat pattern format: pydantic models for one pattern file, including its template.

Rules beyond a field's type live in pattern_rules.py; each model has a plain twin in plain_patterns.py
(a cold `list` or `get` checks the library without pydantic): a new field needs its spec there too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from tmkb_graph import pattern_rules as rules
from tmkb_graph.model_base import InputModel
from tmkb_graph.pattern_rules import AGENT_SUMMARY_TOKEN_LIMIT  # noqa: F401  (validation and tests import it from here)
from tmkb_graph.words import (
    Body, BoundaryKind, ComponentFact, ComponentType, ContextItem, Control, FlowKind, Grant, IdScheme, Likelihood,
    Operation, ResourceOwner, Severity, Tenancy, Tier, Workflow, ZoneKind,
)


def agent_summary_tokens(summary: AgentSummary) -> int:
    """The real token count (cl100k_base) of an agent summary's threat, check and fix together."""
    from tmkb_graph.tokens import count_tokens

    return count_tokens(" ".join((summary.threat, summary.check, summary.fix)))


class _Strict(InputModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AgentSummary(_Strict):
    """What an agent reads before writing code: the threat, what to check, how to fix it."""

    threat: str = Field(min_length=10)
    check: str = Field(min_length=10)
    fix: str = Field(min_length=10)

    @model_validator(mode="after")
    def _short(self) -> AgentSummary:
        rules.check_agent_summary(self)
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

    @field_validator(*rules.REFERENCE_SHAPES)
    @classmethod
    def _reference_ids(cls, value: list[str], info: ValidationInfo) -> list[str]:
        return rules.check_ids(value, *rules.REFERENCE_SHAPES[info.field_name])


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
    # a role place also counts a claim made on every one of the component's endpoints the binding
    # reaches (a check each route makes, where one route's claim would say nothing of the others)
    or_every_endpoint: bool = False
    # a role place also counts when every job its enqueue and publish flows feed claims the control
    # (where the effect of a webhook happens), or, for a gateway, when every webhook receiver or
    # service it forwards requests to claims it
    or_downstream: bool = False

    @model_validator(mode="after")
    def _exactly_one(self) -> Place:
        rules.check_place(self)
        return self

    scope = property(rules.place_scope, doc="role, endpoint or flow.")
    name = property(rules.place_name, doc="The template name the place refers to.")


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

    _where_list = field_validator("where", mode="before")(lambda cls, v: rules.as_list(v))


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
    # what its records give (declared, or known from its name: tmkb_graph.grants)
    grants: list[Grant] = Field(default_factory=list)


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
    # the route is a token link, its path a secret token that no id follows (true), or not (false)
    token_link: bool | None = None
    # a list or create under a declared parent the path names fits too, as a read of that parent
    parent_lookups: bool = False
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
    # every bound flow of this name is of one of these kinds (an accessor that only writes a store)
    kinds: list[FlowKind] = Field(default_factory=list)
    # every bound flow of this name reaches a token link (true: /hooks/{webhook_token}), or none does
    token_link: bool | None = None
    lacks: list[Control] = Field(default_factory=list)
    # the owner of the bound endpoint's resource, as the endpoint's operation meets it
    owners: list[ResourceOwner] = Field(default_factory=list)
    # the id scheme the bound endpoint's resource declares (an undeclared scheme does not hold)
    ids: list[IdScheme] = Field(default_factory=list)
    # the body the bound endpoint declares (an undeclared body does not hold); on a role, every route's
    bodies: list[Body] = Field(default_factory=list)
    # the workflow of the bound endpoint's state change, its own or else its resource's (undeclared does not hold)
    workflows: list[Workflow] = Field(default_factory=list)
    # the bound endpoint's operation is one of these; on a role, every route's
    operations: list[Operation] = Field(default_factory=list)
    # the bound endpoint's path carries a secret token somewhere (true: /s/{share_token}/files/{id}) or none
    token_in_path: bool | None = None
    # a flow of one of these kinds names the bound endpoint by its route (redirect: an OAuth return);
    # on a role, every route of its component (it has some)
    reached_by: list[FlowKind] = Field(default_factory=list)
    # the bound endpoint's route has none of these words as a path segment (case-insensitive,
    # parameters ignored): a transition that is not a restore (POST /x/{id}/publish)
    not_route_words: list[str] = Field(default_factory=list)
    # the bound endpoint's route has one of these words as a path segment (same reading):
    # POST /oauth/token, an exchange that signs a client in rather than a setting
    route_words: list[str] = Field(default_factory=list)
    # the condition holds only for a bound role's component of one of these types
    types: list[ComponentType] = Field(default_factory=list)
    # whether someone outside can call the bound role's component (an ingress crossing enters it)
    reachable: bool | None = None
    # facts the bound role's component is known to have (declared, or known for its framework or
    # technology); an unknown fact does not hold
    facts: dict[ComponentFact, bool] = Field(default_factory=dict)
    # facts the bound role's component is not known to have (a job declared to act for the requester)
    not_facts: dict[ComponentFact, bool] = Field(default_factory=dict)
    # where a fact in ``facts`` is undeclared and presumed, the finding still names the presumption
    presumption_noted: bool = False
    # everything the bound role's component sends, apart from its reads, goes to components of
    # these types, and it sends something (a job that only reports outward to clients and third
    # parties, or only keeps a derived copy in a search index or cache)
    sends_only_to: list[ComponentType] = Field(default_factory=list)
    # the bound role's component has a flow of one of these kinds going out (it reads a store, say)
    flows_out: list[FlowKind] = Field(default_factory=list)
    # the bound role's component has no flow of these kinds going out (it reads no store)
    no_flows_out: list[FlowKind] = Field(default_factory=list)
    # every component that writes to the bound role's component is of these types, and something
    # does (a store only an identity provider fills holds the credentials it issues)
    written_only_by: list[ComponentType] = Field(default_factory=list)
    # a role condition's controls also hold when one of the component's routes claims them (a
    # service that authenticates users on its routes, with anonymous public routes beside them)
    or_endpoints: bool = False
    # every flow that starts the bound role's component's work (deliver, subscribe, invoke) carries
    # these items, and at least one does (a job told its tenant with each message)
    started_with: list[ContextItem] = Field(default_factory=list)
    # everything the bound role's component sends apart from its reads carries these items, and it
    # sends something (a scheduler that hands out one tenant's unit of work per message)
    sends_carrying: list[ContextItem] = Field(default_factory=list)
    # nothing the bound role's component sends apart from its reads carries these items (it hands
    # out references, not results it computed)
    sends_without: list[ContextItem] = Field(default_factory=list)
    # the bound endpoint claims each of these that another route of its component on the same
    # resource claims: nothing the single-object routes check is skipped here
    as_strong_as_siblings: list[Control] = Field(default_factory=list)
    # the bound role's component declares routes, each on a declared resource, and none of those
    # resources is one the routes of the named role's component act on (it serves other records)
    resources_apart_from: str | None = None

    @model_validator(mode="after")
    def _one_place(self) -> Condition:
        rules.check_condition(self)
        return self

    name = property(rules.place_name, doc='The template name the condition refers to ("" for a group).')

    def members(self) -> list[Condition]:
        """The single conditions this one stands for: the group's, or itself."""
        return rules.condition_members(self)


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
    records: list[ResourceOwner] = Field(default_factory=list)  # some declared record has such an owner (or none is declared)
    roles: dict[str, RoleSpec] = Field(min_length=1)
    flows: list[FlowSpec] = Field(default_factory=list)
    endpoints: dict[str, EndpointSpec] = Field(default_factory=dict)
    unit: list[str] = Field(default_factory=list)
    compare: list[Comparison] = Field(default_factory=list)
    unless: list[Condition] = Field(default_factory=list)
    unless_any: list[Condition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Template:
        rules.check_template(self)
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
        return rules.check_pattern_id(value)

    @field_validator("secondary_to")
    @classmethod
    def _secondary_ids(cls, value: list[str]) -> list[str]:
        return rules.check_secondary_ids(value)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        return rules.check_category(value)

    @model_validator(mode="after")
    def _consistent(self) -> Pattern:
        rules.check_pattern(self)
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
