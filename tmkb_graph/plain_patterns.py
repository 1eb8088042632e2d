"""Pattern files checked without pydantic, for a cold `list` or `get` (no pydantic import, no models built).

The check only vouches: it accepts a pattern when every value is exactly of its field's type (no
coercion), every word is in the vocabulary and pattern_rules' rules hold, and then gives plain
objects with the models' field names and the models' JSON dump. Anything else (a missing or unknown
field, a value of another type, a rule broken, a key spelt both by its name and its alias) is not
judged here: the caller goes to pattern.py's models, which give the exact messages.
``tests/test_plain_patterns.py`` holds each spec below to its model's fields and defaults.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tmkb_graph import pattern_rules as rules
from tmkb_graph.vocabulary import load_vocabulary

_REQUIRED = object()


class Unsure(Exception):
    """The plain check cannot vouch for this value; pattern.py's models judge it."""


class PlainModel:
    """A checked part of a pattern: its fields as attributes, as on the pydantic model."""

    def __init__(self, values: dict[str, Any], dump: dict[str, Any]) -> None:
        self.__dict__.update(values)
        self._dump = dump

    def model_dump(self, *, mode: str, by_alias: bool) -> dict[str, Any]:
        """The data as the model's ``model_dump(mode="json", by_alias=True)`` gives it (not a copy)."""
        if mode != "json" or not by_alias:
            raise ValueError("a plain pattern part has only its JSON dump by alias")
        return self._dump


class PlainPlace(PlainModel):
    """A mitigation's place, with the model's scope and name."""

    scope = property(rules.place_scope)
    name = property(rules.place_name)


class PlainCondition(PlainModel):
    """A template condition, with the model's name and members."""

    name = property(rules.place_name)
    members = rules.condition_members


Read = Callable[[Any], tuple[Any, Any]]  # a value -> (its attribute value, its JSON value); raises Unsure


def _text(min_length: int = 0, shape: str | None = None) -> Read:
    """A str (strict: no other type), at least ``min_length`` long, matching ``shape`` when given."""

    def read(value: Any) -> tuple[Any, Any]:
        if type(value) is not str or len(value) < min_length:
            raise Unsure
        # the models match shapes with pydantic's regex engine: vouch only for ASCII text that Python's
        # re matches to its very end (Python's $ would also match before a final newline)
        if shape is not None and not (value.isascii() and re.match(shape, value) and not value.endswith("\n")):
            raise Unsure
        return value, value

    return read


def _word(section: str) -> Read:
    """A vocabulary word of ``section``, without surrounding spaces (as words.py strips them)."""

    def read(value: Any) -> tuple[Any, Any]:
        if type(value) is not str:
            raise Unsure
        word = value.strip()
        if word not in load_vocabulary().sections[section]:
            raise Unsure
        return word, word

    return read


def _flag(value: Any) -> tuple[Any, Any]:
    if type(value) is not bool:
        raise Unsure
    return value, value


def _count(value: Any) -> tuple[Any, Any]:
    if type(value) is not int or value < 0:
        raise Unsure
    return value, value


def _one_of(*allowed: str) -> Read:
    def read(value: Any) -> tuple[Any, Any]:
        if type(value) is not str or value not in allowed:
            raise Unsure
        return value, value

    return read


def _maybe(inner: Read) -> Read:
    def read(value: Any) -> tuple[Any, Any]:
        return (None, None) if value is None else inner(value)

    return read


def _list(item: Read, min_length: int = 0, check: Callable[[list[Any]], Any] | None = None) -> Read:
    """A list of ``item``s; ``check`` is the model's field validator, run on the checked values."""

    def read(value: Any) -> tuple[Any, Any]:
        if type(value) is not list or len(value) < min_length:
            raise Unsure
        pairs = [item(v) for v in value]
        values = [attr for attr, _ in pairs]
        if check is not None:
            _holds(check, values)
        return values, [dumped for _, dumped in pairs]

    return read


def _dict(key: Read, item: Read, min_length: int = 0) -> Read:
    def read(value: Any) -> tuple[Any, Any]:
        if type(value) is not dict or len(value) < min_length:
            raise Unsure
        values: dict[str, Any] = {}
        dump: dict[str, Any] = {}
        for k, v in value.items():
            name, _ = key(k)
            if name in values:  # two keys that name one word once stripped
                raise Unsure
            values[name], dump[name] = item(v)
        return values, dump

    return read


def _holds(rule: Callable[[Any], Any], value: Any) -> None:
    try:
        rule(value)
    except ValueError:
        raise Unsure from None


@dataclass(frozen=True)
class Spec:
    """One field: how its value is read, its default (a value, a factory or none), its alias."""

    read: Read
    default: Any = _REQUIRED
    factory: Callable[[], Any] | None = None
    alias: str | None = None
    before: Callable[[Any], Any] | None = None

    def value(self, given: Any) -> tuple[Any, Any]:
        """The attribute and JSON values of a given value."""
        return self.read(given if self.before is None else self.before(given))

    def unset(self) -> tuple[Any, Any]:
        """The attribute and JSON values of the default; Unsure when the field is required."""
        if self.factory is not None:
            return self.factory(), self.factory()
        if self.default is _REQUIRED:
            raise Unsure
        return self.default, self.default


@dataclass(frozen=True)
class ModelSpec:
    """One model of pattern.py: its fields, its rule (the model validator) and its plain class."""

    name: str
    fields: dict[str, Spec]
    rule: Callable[[Any], None] | None = None
    cls: type[PlainModel] = PlainModel
    keys: dict[str, str] = field(default_factory=dict)  # input key -> field name (names and aliases)

    def __post_init__(self) -> None:
        for name, spec in self.fields.items():
            self.keys[name] = name
            if spec.alias is not None:
                self.keys[spec.alias] = name

    def __call__(self, value: Any) -> tuple[Any, Any]:
        if type(value) is not dict:
            raise Unsure
        given: dict[str, Any] = {}
        for key, item in value.items():
            name = self.keys.get(key) if type(key) is str else None
            if name is None or name in given:  # unknown, or spelt both by name and by alias
                raise Unsure
            given[name] = item
        values: dict[str, Any] = {}
        dump: dict[str, Any] = {}
        for name, spec in self.fields.items():
            values[name], dump[spec.alias or name] = spec.value(given[name]) if name in given else spec.unset()
        model = self.cls(values, dump)
        if self.rule is not None:
            _holds(self.rule, model)
        return model, dump


def _opt(read: Read) -> Spec:
    """An optional field whose default is None."""
    return Spec(_maybe(read), default=None)


def _many(item: Read) -> Spec:
    """A list field whose default is an empty list."""
    return Spec(_list(item), factory=list)


def _facts(min_length: int = 0) -> Read:
    return _dict(_word("component_facts"), _flag, min_length)


_control, _item, _operation, _owner, _id_scheme = (
    _word(s) for s in ("controls", "context_items", "operations", "resource_owners", "id_schemes"))
_type, _flow_kind = _word("component_types"), _word("flow_kinds")

AGENT_SUMMARY = ModelSpec("AgentSummary", {k: Spec(_text(10)) for k in ("threat", "check", "fix")}, rules.check_agent_summary)
TRIGGERS = ModelSpec("Triggers", {
    "keywords": Spec(_list(_text(), 1)),
    **{k: _many(_text()) for k in ("actions", "file_globs", "languages", "frameworks")},
})
SOURCE = ModelSpec("Source", {"title": Spec(_text()), "url": Spec(_text(shape=r"^https://\S+$"))})


def _reference_ids(name: str) -> Read:
    shape, example = rules.REFERENCE_SHAPES[name]
    return _list(_text(), 1 if name == "cwe" else 0, lambda values: rules.check_ids(values, shape, example))


REFERENCES = ModelSpec("References", {
    "cwe": Spec(_reference_ids("cwe")),
    **{k: Spec(_reference_ids(k), factory=list) for k in ("owasp_api", "owasp_top10", "capec", "compliance")},
    "sources": Spec(_list(SOURCE, 1)),
})
CODE_EXAMPLE = ModelSpec("CodeExample", {"language": Spec(_text(), default="python"), "code": Spec(_text(20))})
EXAMPLES = ModelSpec("Examples", {"vulnerable": Spec(CODE_EXAMPLE), "secure": Spec(CODE_EXAMPLE)})
PLACE = ModelSpec("Place", {
    **{k: _opt(_text()) for k in ("role", "endpoint", "flow")},
    "or_endpoints": Spec(_flag, default=False),
    "or_downstream": Spec(_flag, default=False),
}, rules.check_place, PlainPlace)
FACT_CONDITION = ModelSpec("FactCondition", {"role": Spec(_text()), "facts": Spec(_facts(1))})
MITIGATION = ModelSpec("Mitigation", {
    "id": Spec(_text()),
    "name": Spec(_text()),
    "control": Spec(_control),
    "where": Spec(_list(PLACE, 1), before=rules.as_list),
    "carries": _many(_item),
    "required": Spec(_flag, default=True),
    "tenancy": _opt(_word("tenancy")),
    "operations": _many(_operation),
    "only_when": _opt(FACT_CONDITION),
    "description": Spec(_text(20)),
    "tradeoffs": Spec(_text(10)),
    "examples": _opt(EXAMPLES),
})
ROLE_SPEC = ModelSpec("RoleSpec", {
    "types": Spec(_list(_type, 1)),
    "zones": _many(_word("zone_kinds")),
    "frameworks": _many(_text()),
    "controls": _many(_control),
    "lacks": _many(_control),
    "facts": Spec(_facts(), factory=dict),
    "reachable": _opt(_flag),
    "person_facing": _opt(_flag),
    "started_by": _many(_one_of("request", "system", "third_party")),
    "no_inbound": _many(_flow_kind),
})
FLOW_SPEC = ModelSpec("FlowSpec", {
    "name": Spec(_text()),
    "source": Spec(_text(), alias="from"),
    "target": Spec(_text(), alias="to"),
    "kinds": Spec(_list(_flow_kind, 1)),
    "crosses": _many(_word("boundary_kinds")),
    "carries_any": _many(_item),
})
RESOURCE_SPEC = ModelSpec("ResourceSpec", {
    "owners": _many(_owner),
    "soft_delete": _opt(_flag),
    "ids": _many(_id_scheme),
    "workflows": _many(_word("workflows")),
})
ENDPOINT_SPEC = ModelSpec("EndpointSpec", {
    "of": Spec(_text()),
    "operations": _many(_operation),
    "methods": _many(_text()),
    "min_path_params": Spec(_count, default=0),
    "resource": _opt(RESOURCE_SPEC),
    "same_resource_as": _opt(_text()),
    "same_path_as": _opt(_text()),
    "controls": _many(_control),
    "lacks": _many(_control),
    "nested": _opt(_flag),
    "token_link": _opt(_flag),
    "parent_lookups": Spec(_flag, default=False),
    "witness": Spec(_flag, default=False),
})
CONDITION = ModelSpec("Condition", {
    **{k: _opt(_text()) for k in ("role", "endpoint", "flow")},
    "all_of": Spec(_list(lambda value: CONDITION(value)), factory=list, alias="all"),
    "controls": _many(_control),
    "carries": _many(_item),
    "carries_none": _many(_item),
    "kinds": _many(_flow_kind),
    "token_link": _opt(_flag),
    "lacks": _many(_control),
    "owners": _many(_owner),
    "ids": _many(_id_scheme),
    "bodies": _many(_word("bodies")),
    "workflows": _many(_word("workflows")),
    "operations": _many(_operation),
    "token_in_path": _opt(_flag),
    "reached_by": _many(_flow_kind),
    "not_route_words": _many(_text()),
    "types": _many(_type),
    "reachable": _opt(_flag),
    "facts": Spec(_facts(), factory=dict),
    "not_facts": Spec(_facts(), factory=dict),
    "presumption_noted": Spec(_flag, default=False),
    "sends_only_to": _many(_type),
    "flows_out": _many(_flow_kind),
    "no_flows_out": _many(_flow_kind),
    "or_endpoints": Spec(_flag, default=False),
    "started_with": _many(_item),
    "sends_carrying": _many(_item),
    "sends_without": _many(_item),
    "as_strong_as_siblings": _many(_control),
    "resources_apart_from": _opt(_text()),
}, rules.check_condition, PlainCondition)
COMPARISON = ModelSpec("Comparison", {
    "weaker": Spec(_text()),
    "than": Spec(_text()),
    "controls": Spec(_list(_control, 1)),
    "mode": Spec(_one_of("each", "any"), default="each"),
    "in_front": Spec(_flag, default=False),
})
TEMPLATE = ModelSpec("Template", {
    "boundary": Spec(_word("boundary_kinds")),
    "tenancy": _opt(_word("tenancy")),
    "records": _many(_owner),
    "roles": Spec(_dict(_text(), ROLE_SPEC, 1)),
    "flows": _many(FLOW_SPEC),
    "endpoints": Spec(_dict(_text(), ENDPOINT_SPEC), factory=dict),
    "unit": _many(_text()),
    "compare": _many(COMPARISON),
    "unless": _many(CONDITION),
    "unless_any": _many(CONDITION),
}, rules.check_template)
SEVERITY_RULE = ModelSpec("SeverityRule", {
    "only_missing": Spec(_list(_control, 1)),
    "severity": Spec(_word("severities")),
    "because": Spec(_text(20)),
})
PATTERN = ModelSpec("Pattern", {
    "id": Spec(_text()),
    "name": Spec(_text(5)),
    "version": Spec(_text(shape=r"^\d+\.\d+\.\d+$")),
    "tier": Spec(_word("tiers")),
    "severity": Spec(_word("severities")),
    "severity_when": _many(SEVERITY_RULE),
    "secondary_to": Spec(_list(_text(), check=rules.check_secondary_ids), factory=list),
    "likelihood": Spec(_word("likelihoods")),
    "category": Spec(_text()),
    "agent_summary": Spec(AGENT_SUMMARY),
    "description": Spec(_text(40)),
    "triggers": Spec(TRIGGERS),
    "references": Spec(REFERENCES),
    "attack_scenario": _many(_text()),
    "llm_blind_spots": _many(_text()),
    "mitigations": Spec(_list(MITIGATION, 1)),
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
