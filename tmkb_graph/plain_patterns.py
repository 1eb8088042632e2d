"""Pattern files checked without pydantic, for a cold `list` or `get` (no pydantic import, no models built).

The check only vouches: it accepts a pattern when every value is exactly of its field's type (no
coercion), every word is in the vocabulary and pattern_rules' rules hold, and then gives plain
objects with the models' field names and the models' JSON dump. Anything else (a missing or unknown
field, a value of another type, a rule broken, a key spelt both by its name and its alias) is not
judged here: the caller goes to pattern.py's models, which give the exact messages.
``tests/test_plain_patterns.py`` holds each spec below to its model's fields and defaults.
"""

from __future__ import annotations

from typing import Any

from tmkb_graph import pattern_rules as rules
from tmkb_graph.plain_readers import (
    ModelSpec,
    PlainModel,
    Spec,
    Unsure,
    count,
    dict_of,
    facts,
    flag,
    list_of,
    many,
    one_of,
    optional,
    text,
    word,
)


class PlainPlace(PlainModel):
    """A mitigation's place, with the model's scope and name."""

    scope = property(rules.place_scope)
    name = property(rules.place_name)


class PlainCondition(PlainModel):
    """A template condition, with the model's name and members."""

    name = property(rules.place_name)
    members = rules.condition_members


_control, _item, _operation, _owner, _id_scheme = (
    word(s) for s in ("controls", "context_items", "operations", "resource_owners", "id_schemes"))
_type, _flow_kind = word("component_types"), word("flow_kinds")

AGENT_SUMMARY = ModelSpec("AgentSummary", {k: Spec(text(10)) for k in ("threat", "check", "fix")}, rules.check_agent_summary)
TRIGGERS = ModelSpec("Triggers", {
    "keywords": Spec(list_of(text(), 1)),
    **{k: many(text()) for k in ("actions", "file_globs", "languages", "frameworks")},
})
SOURCE = ModelSpec("Source", {"title": Spec(text()), "url": Spec(text(shape=r"^https://\S+$"))})


def _reference_ids(name: str) -> Read:
    shape, example = rules.REFERENCE_SHAPES[name]
    return list_of(text(), 1 if name == "cwe" else 0, lambda values: rules.check_ids(values, shape, example))


REFERENCES = ModelSpec("References", {
    "cwe": Spec(_reference_ids("cwe")),
    **{k: Spec(_reference_ids(k), factory=list) for k in ("owasp_api", "owasp_top10", "capec", "compliance")},
    "sources": Spec(list_of(SOURCE, 1)),
})
CODE_EXAMPLE = ModelSpec("CodeExample", {"language": Spec(text(), default="python"), "code": Spec(text(20))})
EXAMPLES = ModelSpec("Examples", {"vulnerable": Spec(CODE_EXAMPLE), "secure": Spec(CODE_EXAMPLE)})
PLACE = ModelSpec("Place", {
    **{k: optional(text()) for k in ("role", "endpoint", "flow")},
    "or_endpoints": Spec(flag, default=False),
    "or_every_endpoint": Spec(flag, default=False),
    "or_downstream": Spec(flag, default=False),
}, rules.check_place, PlainPlace)
FACT_CONDITION = ModelSpec("FactCondition", {"role": Spec(text()), "facts": Spec(facts(1))})
MITIGATION = ModelSpec("Mitigation", {
    "id": Spec(text()),
    "name": Spec(text()),
    "control": Spec(_control),
    "where": Spec(list_of(PLACE, 1), before=rules.as_list),
    "carries": many(_item),
    "required": Spec(flag, default=True),
    "tenancy": optional(word("tenancy")),
    "operations": many(_operation),
    "only_when": optional(FACT_CONDITION),
    "description": Spec(text(20)),
    "tradeoffs": Spec(text(10)),
    "examples": optional(EXAMPLES),
})
ROLE_SPEC = ModelSpec("RoleSpec", {
    "types": Spec(list_of(_type, 1)),
    "zones": many(word("zone_kinds")),
    "frameworks": many(text()),
    "controls": many(_control),
    "lacks": many(_control),
    "facts": Spec(facts(), factory=dict),
    "reachable": optional(flag),
    "person_facing": optional(flag),
    "started_by": many(one_of("request", "system", "third_party")),
    "no_inbound": many(_flow_kind),
})
FLOW_SPEC = ModelSpec("FlowSpec", {
    "name": Spec(text()),
    "source": Spec(text(), alias="from"),
    "target": Spec(text(), alias="to"),
    "kinds": Spec(list_of(_flow_kind, 1)),
    "crosses": many(word("boundary_kinds")),
    "carries_any": many(_item),
})
RESOURCE_SPEC = ModelSpec("ResourceSpec", {
    "owners": many(_owner),
    "soft_delete": optional(flag),
    "ids": many(_id_scheme),
    "workflows": many(word("workflows")),
    "grants": many(word("grants")),
})
ENDPOINT_SPEC = ModelSpec("EndpointSpec", {
    "of": Spec(text()),
    "operations": many(_operation),
    "methods": many(text()),
    "min_path_params": Spec(count, default=0),
    "resource": optional(RESOURCE_SPEC),
    "same_resource_as": optional(text()),
    "same_path_as": optional(text()),
    "controls": many(_control),
    "lacks": many(_control),
    "nested": optional(flag),
    "token_link": optional(flag),
    "parent_lookups": Spec(flag, default=False),
    "witness": Spec(flag, default=False),
})
CONDITION = ModelSpec("Condition", {
    **{k: optional(text()) for k in ("role", "endpoint", "flow")},
    "all_of": Spec(list_of(lambda value: CONDITION(value)), factory=list, alias="all"),
    "controls": many(_control),
    "carries": many(_item),
    "carries_none": many(_item),
    "kinds": many(_flow_kind),
    "token_link": optional(flag),
    "lacks": many(_control),
    "owners": many(_owner),
    "ids": many(_id_scheme),
    "bodies": many(word("bodies")),
    "workflows": many(word("workflows")),
    "operations": many(_operation),
    "token_in_path": optional(flag),
    "reached_by": many(_flow_kind),
    "not_route_words": many(text()),
    "route_words": many(text()),
    "types": many(_type),
    "reachable": optional(flag),
    "facts": Spec(facts(), factory=dict),
    "not_facts": Spec(facts(), factory=dict),
    "presumption_noted": Spec(flag, default=False),
    "sends_only_to": many(_type),
    "flows_out": many(_flow_kind),
    "no_flows_out": many(_flow_kind),
    "written_only_by": many(_type),
    "or_endpoints": Spec(flag, default=False),
    "started_with": many(_item),
    "sends_carrying": many(_item),
    "sends_without": many(_item),
    "as_strong_as_siblings": many(_control),
    "resources_apart_from": optional(text()),
}, rules.check_condition, PlainCondition)
COMPARISON = ModelSpec("Comparison", {
    "weaker": Spec(text()),
    "than": Spec(text()),
    "controls": Spec(list_of(_control, 1)),
    "mode": Spec(one_of("each", "any"), default="each"),
    "in_front": Spec(flag, default=False),
})
TEMPLATE = ModelSpec("Template", {
    "boundary": Spec(word("boundary_kinds")),
    "tenancy": optional(word("tenancy")),
    "records": many(_owner),
    "roles": Spec(dict_of(text(), ROLE_SPEC, 1)),
    "flows": many(FLOW_SPEC),
    "endpoints": Spec(dict_of(text(), ENDPOINT_SPEC), factory=dict),
    "unit": many(text()),
    "compare": many(COMPARISON),
    "unless": many(CONDITION),
    "unless_any": many(CONDITION),
}, rules.check_template)
SEVERITY_RULE = ModelSpec("SeverityRule", {
    "only_missing": Spec(list_of(_control, 1)),
    "severity": Spec(word("severities")),
    "because": Spec(text(20)),
})
PATTERN = ModelSpec("Pattern", {
    "id": Spec(text()),
    "name": Spec(text(5)),
    "version": Spec(text(shape=r"^\d+\.\d+\.\d+$")),
    "tier": Spec(word("tiers")),
    "severity": Spec(word("severities")),
    "severity_when": many(SEVERITY_RULE),
    "secondary_to": Spec(list_of(text(), check=rules.check_secondary_ids), factory=list),
    "likelihood": Spec(word("likelihoods")),
    "category": Spec(text()),
    "agent_summary": Spec(AGENT_SUMMARY),
    "description": Spec(text(40)),
    "triggers": Spec(TRIGGERS),
    "references": Spec(REFERENCES),
    "attack_scenario": many(text()),
    "llm_blind_spots": many(text()),
    "mitigations": Spec(list_of(MITIGATION, 1)),
    "template": Spec(TEMPLATE),
}, lambda pattern: _pattern_rules(pattern))


def _pattern_rules(pattern: Any) -> None:
    """The Pattern model's field validators on id and category, then its model rule."""
    rules.check_pattern_id(pattern.id)
    rules.check_category(pattern.category)
    rules.check_pattern(pattern)


def plain_pattern(data: Any) -> PlainModel | None:
    """The pattern ``data`` describes, when the plain check vouches for it; None otherwise."""
    try:
        pattern, _ = PATTERN(data)
    except Unsure:
        return None
    return pattern
