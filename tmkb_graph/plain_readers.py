"""Strict value readers for the plain pattern check (see plain_patterns.py).

Each reader takes a value exactly as YAML gave it and returns its attribute value and its JSON
value, or raises Unsure: no coercion, so anything it cannot vouch for goes to pattern.py's models,
which give the exact messages. ``ModelSpec`` reads a whole mapping field by field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tmkb_graph.vocabulary import load_vocabulary

REQUIRED = object()  # the default of a field that must be given


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


Read = Callable[[Any], tuple[Any, Any]]  # a value -> (its attribute value, its JSON value); raises Unsure


def text(min_length: int = 0, shape: str | None = None) -> Read:
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


def word(section: str) -> Read:
    """A vocabulary word of ``section``, without surrounding spaces (as words.py strips them)."""

    def read(value: Any) -> tuple[Any, Any]:
        if type(value) is not str:
            raise Unsure
        word = value.strip()
        if word not in load_vocabulary().sections[section]:
            raise Unsure
        return word, word

    return read


def flag(value: Any) -> tuple[Any, Any]:
    if type(value) is not bool:
        raise Unsure
    return value, value


def count(value: Any) -> tuple[Any, Any]:
    if type(value) is not int or value < 0:
        raise Unsure
    return value, value


def one_of(*allowed: str) -> Read:
    def read(value: Any) -> tuple[Any, Any]:
        if type(value) is not str or value not in allowed:
            raise Unsure
        return value, value

    return read


def maybe(inner: Read) -> Read:
    def read(value: Any) -> tuple[Any, Any]:
        return (None, None) if value is None else inner(value)

    return read


def list_of(item: Read, min_length: int = 0, check: Callable[[list[Any]], Any] | None = None) -> Read:
    """A list of ``item``s; ``check`` is the model's field validator, run on the checked values."""

    def read(value: Any) -> tuple[Any, Any]:
        if type(value) is not list or len(value) < min_length:
            raise Unsure
        pairs = [item(v) for v in value]
        values = [attr for attr, _ in pairs]
        if check is not None:
            holds(check, values)
        return values, [dumped for _, dumped in pairs]

    return read


def dict_of(key: Read, item: Read, min_length: int = 0) -> Read:
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


def holds(rule: Callable[[Any], Any], value: Any) -> None:
    try:
        rule(value)
    except ValueError:
        raise Unsure from None


@dataclass(frozen=True)
class Spec:
    """One field: how its value is read, its default (a value, a factory or none), its alias."""

    read: Read
    default: Any = REQUIRED
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
        if self.default is REQUIRED:
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
            holds(self.rule, model)
        return model, dump


def optional(read: Read) -> Spec:
    """An optional field whose default is None."""
    return Spec(maybe(read), default=None)


def many(item: Read) -> Spec:
    """A list field whose default is an empty list."""
    return Spec(list_of(item), factory=list)


def facts(min_length: int = 0) -> Read:
    return dict_of(word("component_facts"), flag, min_length)
