"""The rules of a pattern beyond its fields' types, without pydantic.

Each rule reads a checked part of a pattern by its field names and raises ValueError with the message
a pattern author sees. pattern.py's models run them as their validators, and plain_patterns.py runs
the same functions on the plain objects it builds for `list` and `get`, so both judge alike.
"""

from __future__ import annotations

import math
import re
from typing import Any

from tmkb_graph.vocabulary import load_vocabulary, unknown_word_message

PATTERN_ID = re.compile(r"^TMKB-[A-Z]+-\d{3}$")
CATEGORIES = ("authorization", "webhook")
AGENT_SUMMARY_TOKEN_LIMIT = 100
_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACES = ("role", "endpoint", "flow")
# each reference list's id shape, and an id written that way
REFERENCE_SHAPES = {
    "cwe": (r"^CWE-\d+$", "CWE-862"),
    "owasp_api": (r"^API([1-9]|10):2023$", "API1:2023"),
    "owasp_top10": (r"^A(0[1-9]|10):2021$", "A01:2021"),
    "capec": (r"^CAPEC-\d+$", "CAPEC-639"),
    "compliance": (r"^[A-Za-z0-9-]+:\S+$", "SOC2:CC6.1"),
}


def estimate_tokens(text: str) -> int:
    """A tokenizer-free token estimate: about four characters per token, as common tokenizers average."""
    return math.ceil(len(text) / 4)


def as_list(value: Any) -> Any:
    """A single place (a mapping, or text the check then refuses) as a list of one."""
    return [value] if isinstance(value, (str, dict)) else value


def check_agent_summary(summary: Any) -> None:
    """Threat, check and fix together stay under the token limit."""
    tokens = estimate_tokens(" ".join((summary.threat, summary.check, summary.fix)))
    if tokens >= AGENT_SUMMARY_TOKEN_LIMIT:
        raise ValueError(f"the agent summary is about {tokens} tokens; keep threat, check and fix under {AGENT_SUMMARY_TOKEN_LIMIT} together")


def check_ids(values: list[str], shape: str, example: str) -> list[str]:
    """Each reference id is written like ``example``."""
    for value in values:
        if not re.match(shape, value):
            raise ValueError(f"'{value}' is not written like '{example}'")
    return values


def place_scope(place: Any) -> str:
    """role, endpoint or flow: what a place or a single condition names."""
    return "role" if place.role is not None else "endpoint" if place.endpoint is not None else "flow"


def place_name(place: Any) -> str:
    """The template name a place or a condition refers to ("" for a group)."""
    return place.role or place.endpoint or place.flow or ""


def check_place(place: Any) -> None:
    """A place names exactly one of role, endpoint or flow; only a role place widens itself."""
    given = [k for k in _PLACES if getattr(place, k) is not None]
    if len(given) != 1:
        raise ValueError("a place names exactly one of role, endpoint or flow")
    if (place.or_endpoints or place.or_every_endpoint or place.or_downstream) and place.role is None:
        raise ValueError("only a role place can say or_endpoints, or_every_endpoint or or_downstream")


def condition_says_something(c: Any) -> bool:
    """True when a condition lists anything to judge."""
    listed = (c.controls, c.carries, c.carries_none, c.kinds, c.lacks, c.owners, c.ids, c.bodies, c.workflows, c.operations, c.not_route_words, c.route_words, c.reached_by, c.types, c.flows_out, c.no_flows_out, c.written_only_by, c.sends_only_to, c.started_with, c.sends_carrying, c.sends_without)
    return any(listed) or bool(c.as_strong_as_siblings or c.facts or c.not_facts) or c.reachable is not None or c.resources_apart_from is not None or c.token_link is not None or c.token_in_path is not None


def condition_members(condition: Any) -> list[Any]:
    """The single conditions a condition stands for: the group's, or itself."""
    return list(condition.all_of) or [condition]


def check_condition(c: Any) -> None:
    """A group lists two or more single conditions; a single condition names one place and says what
    holds there, with only what that kind of place can have."""
    if c.all_of:
        if len(c.all_of) < 2 or any(member.all_of for member in c.all_of):
            raise ValueError("a group lists two or more conditions under all, none of them a group")
        if c.role or c.endpoint or c.flow or condition_says_something(c):
            raise ValueError("a group lists its conditions under all and nothing else")
        return
    given = [k for k in _PLACES if getattr(c, k) is not None]
    if len(given) != 1:
        raise ValueError("a condition names exactly one of role, endpoint or flow")
    if not condition_says_something(c):
        raise ValueError("a condition lists controls, carries, lacks, owners, operations, types or several of them")
    if (c.carries or c.carries_none or c.kinds or c.token_link is not None) and c.flow is None:
        raise ValueError("only a flow condition can list carries, carries_none, kinds or token_link")
    if (c.owners or c.workflows or c.not_route_words or c.route_words or c.as_strong_as_siblings) and c.endpoint is None:
        raise ValueError("only an endpoint condition can list owners, workflows, route_words, not_route_words or as_strong_as_siblings")
    if c.token_in_path is not None and c.endpoint is None:
        raise ValueError("only an endpoint condition can say token_in_path")
    if (c.ids or c.bodies or c.operations or c.reached_by) and c.flow is not None:
        raise ValueError("only an endpoint or role condition can list ids, bodies, operations or reached_by (a role's: every one of its routes)")
    if (c.types or c.facts or c.not_facts or c.flows_out or c.no_flows_out or c.written_only_by or c.sends_only_to or c.started_with or c.sends_carrying or c.sends_without or c.reachable is not None or c.resources_apart_from is not None) and c.role is None:
        raise ValueError(
            "only a role condition can list types, facts, not_facts, flows_out, no_flows_out, written_only_by, sends_only_to, started_with, "
            "sends_carrying, sends_without, reachable or resources_apart_from"
        )
    if c.or_endpoints and (c.role is None or not c.controls):
        raise ValueError("only a role condition that lists controls can say or_endpoints")
    if c.presumption_noted and not c.facts:
        raise ValueError("only a condition that lists facts can say presumption_noted")


def check_template(template: Any) -> None:
    """Every name a template uses is defined once, and its roles form one connected subgraph."""
    if any(c.all_of for c in template.unless):
        raise ValueError("unless lists single conditions that must all hold; a group (all) belongs in unless_any")
    names = list(template.roles) + list(template.endpoints)
    for name in names:
        if not _ROLE_NAME.match(name):
            raise ValueError(f"role name '{name}' must be lower_snake_case")
    if len(set(names)) != len(names):
        raise ValueError("a role and an endpoint role share a name")
    for spec in template.flows:
        for end in (spec.source, spec.target):
            if end not in template.roles:
                raise ValueError(f"flow '{spec.name}' names role '{end}', which the template does not define")
    if len({f.name for f in template.flows}) != len(template.flows):
        raise ValueError("template flow names must be unique")
    for name, endpoint in template.endpoints.items():
        if endpoint.of not in template.roles:
            raise ValueError(f"endpoint role '{name}' is of role '{endpoint.of}', which the template does not define")
        for field in ("same_resource_as", "same_path_as"):
            other = getattr(endpoint, field)
            if other is not None and other not in template.endpoints:
                raise ValueError(f"endpoint role '{name}': {field} names no endpoint role '{other}'")
    _check_unit_and_conditions(template)
    unreached = _unconnected_roles(template)
    witnesses = {n for n, e in template.endpoints.items() if e.witness}
    if witnesses and witnesses == set(template.endpoints):
        raise ValueError("at least one endpoint role must not be a witness: findings are made per non-witness endpoint")
    if unreached:
        raise ValueError(
            f"roles {', '.join(unreached)} are not connected to the others by a template flow; "
            "a template is one connected subgraph so the matcher can walk it from one anchor"
        )


def _check_unit_and_conditions(template: Any) -> None:
    names = {"role": set(template.roles), "endpoint": set(template.endpoints), "flow": {f.name for f in template.flows}}
    witnesses = {n for n, e in template.endpoints.items() if e.witness}
    for entry in template.unit:
        name, _, part = entry.partition(".")
        if name not in names["role"] | names["endpoint"]:
            raise ValueError(f"unit names '{name}', which is neither a role nor an endpoint role of the template")
        if name in witnesses:
            raise ValueError(f"unit names the witness endpoint role '{name}'; a witness only has to exist")
        if part == "shared":
            if name not in names["role"]:
                raise ValueError(f"unit entry '{entry}': only a role can be followed by .shared (one finding per set of components it is bound with)")
        elif part and (part not in ("resource", "owner_rule") or name not in names["endpoint"]):
            raise ValueError(
                f"unit entry '{entry}': only an endpoint role can be followed by .resource (one finding per resource of its "
                "component) or .owner_rule (the same, with every tenant-owned resource of the component in one finding)"
            )
    if len(set(template.unit)) != len(template.unit):
        raise ValueError("unit lists a name twice")
    for comparison in template.compare:
        for name in (comparison.weaker, comparison.than):
            if name not in names["role"] | names["endpoint"]:
                raise ValueError(f"compare names '{name}', which is neither a role nor an endpoint role of the template")
            if comparison.in_front and name not in names["endpoint"]:
                raise ValueError(f"compare in_front names '{name}', which is not an endpoint role: only routes have gateways in front")
    for key, conditions in (("unless", template.unless), ("unless_any", template.unless_any)):
        for condition in (member for c in conditions for member in condition_members(c)):
            scope = place_scope(condition)
            if place_name(condition) not in names[scope]:
                raise ValueError(f"{key} names {scope} '{place_name(condition)}', which the template does not define")
            apart = condition.resources_apart_from
            if apart is not None and (apart not in names["role"] or apart == place_name(condition)):
                raise ValueError(f"{key}: resources_apart_from names '{apart}', which is not another role of the template")


def _unconnected_roles(template: Any) -> list[str]:
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


def check_pattern_id(value: str) -> str:
    """A pattern id looks like TMKB-AUTHZ-001."""
    if not PATTERN_ID.match(value):
        raise ValueError(f"pattern id '{value}' should look like TMKB-AUTHZ-001")
    return value


def check_secondary_ids(value: list[str]) -> list[str]:
    """Each secondary_to entry looks like a pattern id."""
    for pattern_id in value:
        if not PATTERN_ID.match(pattern_id):
            raise ValueError(f"secondary_to names '{pattern_id}', which should look like TMKB-AUTHZ-001")
    return value


def check_category(value: str) -> str:
    """The category is one of CATEGORIES."""
    if value not in CATEGORIES:
        raise ValueError(unknown_word_message("category", value, list(CATEGORIES)))
    return value


def check_pattern(pattern: Any) -> None:
    """Mitigations are unique, named after the pattern and placed where the template defines; a tier A
    pattern is written in full depth; severity rules lower the severity; no pattern is secondary to itself."""
    ids = [m.id for m in pattern.mitigations]
    if len(set(ids)) != len(ids):
        raise ValueError("mitigation ids must be unique")
    for mitigation in pattern.mitigations:
        if not mitigation.id.startswith(pattern.id + "-M"):
            raise ValueError(f"mitigation id '{mitigation.id}' should start with '{pattern.id}-M'")
        _check_places(pattern.template, mitigation)
    if not any(m.required for m in pattern.mitigations):
        raise ValueError("at least one mitigation must be required, or no finding could ever be open")
    if pattern.tier == "A":
        _check_full_depth(pattern)
    _check_severity_rules(pattern)
    if pattern.id in pattern.secondary_to:
        raise ValueError("secondary_to names the pattern itself")


def _check_places(template: Any, mitigation: Any) -> None:
    flows = {f.name for f in template.flows}
    for place in mitigation.where:
        known = {"role": set(template.roles), "endpoint": set(template.endpoints), "flow": flows}[place_scope(place)]
        if place_name(place) not in known:
            raise ValueError(
                f"mitigation {mitigation.id} is placed at {place_scope(place)} '{place_name(place)}', which the template does not define"
            )
    # carries are judged on flows; a role or endpoint place beside them counts by its claimed control
    if mitigation.carries and not any(place_scope(p) == "flow" for p in mitigation.where):
        raise ValueError(f"mitigation {mitigation.id} lists carries, so at least one place it names must be a flow")
    if mitigation.operations and not all(place_scope(p) == "endpoint" for p in mitigation.where):
        raise ValueError(f"mitigation {mitigation.id} lists operations, so every place it names must be an endpoint")
    if mitigation.only_when is not None and mitigation.only_when.role not in template.roles:
        raise ValueError(f"mitigation {mitigation.id} is only_when role '{mitigation.only_when.role}', which the template does not define")


def _check_severity_rules(pattern: Any) -> None:
    required = {m.control for m in pattern.mitigations if m.required}
    rank = load_vocabulary().fact
    for rule in pattern.severity_when:
        for control in rule.only_missing:
            if control not in required:
                raise ValueError(f"severity_when lists '{control}', which no required mitigation of the pattern asks for")
        if rank("severities", rule.severity, "rank") >= rank("severities", pattern.severity, "rank"):
            raise ValueError(f"severity_when gives '{rule.severity}', which is not lower than the pattern's severity '{pattern.severity}'")


def _check_full_depth(pattern: Any) -> None:
    if len(pattern.attack_scenario) < 2:
        raise ValueError("a tier A pattern needs an attack scenario of at least two steps")
    if not pattern.llm_blind_spots:
        raise ValueError("a tier A pattern needs at least one LLM blind spot")
    for mitigation in pattern.mitigations:
        if mitigation.required and mitigation.examples is None:
            raise ValueError(f"tier A: required mitigation {mitigation.id} needs vulnerable and secure examples")
