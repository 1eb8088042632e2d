"""Turn pydantic's ValidationError into located, plain-language problems.

pydantic's own wording ("Input should be a valid string", a regular expression, "datetimes provided
to dates should have zero time") never reaches the user: each error type gets a sentence here. A
check that spans a whole model (a pattern's mitigations against its template) is reported by pydantic
at the model; it is moved to the value its message names, so the line and field path point at it.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from tmkb_graph.errors import Problem
from tmkb_graph.safe_yaml import PathKey, YamlDocument
from tmkb_graph.text import shown
from tmkb_graph.vocabulary import nearest

MAX_LOCATED = 50  # model-level errors whose place is searched for; the rest stay at their model
_SEARCH_BUDGET = 20_000  # values visited per search
_QUOTED = re.compile(r"'([^'\n]{1,200})'")

# what a field with a pattern constraint must look like, by field name
_SHAPES = {
    "url": "an https:// address without spaces",
    "version": "a version written like 1.0.0",
    "reason": "some words saying why",
}

_EXPECTED = {
    "string": "text",
    "int": "a whole number",
    "bool": "true or false",
    "float": "a number",
    "list": "a list",
    "tuple": "a list",
    "set": "a list",
    "dict": "a mapping",
    "model": "a mapping",
    "model_attributes": "a mapping",
    "dataclass": "a mapping",
    "date": "a date written YYYY-MM-DD",
    "datetime": "a date written YYYY-MM-DD",
}


def problems_from_validation_error(exc: ValidationError, doc: YamlDocument, model: type[BaseModel]) -> list[Problem]:
    """One problem per pydantic error, with file, line, field path and a readable message."""
    problems = []
    located = 0
    for error in exc.errors(include_url=False):
        loc: PathKey = tuple(part for part in error["loc"] if not _is_pydantic_branch(part))
        message = _message(error, loc, model)
        if error["type"] in ("value_error", "assertion_error") and located < MAX_LOCATED:
            located += 1
            loc = _named_place(doc, loc, message)
        problems.append(doc.problem(loc, message))
    return sorted(set(problems), key=lambda p: (p.line or 0, p.path, p.message))


def _is_pydantic_branch(part: object) -> bool:
    # pydantic adds the union member or validator name to a location; users never wrote those
    return isinstance(part, str) and (
        part.startswith("function-") or part in {"str", "list[str]", "date", "int", "bool", "none", "nullable"}
    )


def _message(error: dict[str, Any], loc: PathKey, model: type[BaseModel]) -> str:
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return _unknown_field(loc, model)
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    got = _described(error.get("input"))
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "must not be empty" if n == 1 else f"is too short: write at least {n} characters"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        return f"has too many items: at most {ctx.get('max_length')}"
    if kind == "string_pattern_mismatch":
        field = str(loc[-1]) if loc and isinstance(loc[-1], str) else ""
        return f"should be {_SHAPES.get(field, 'written in the form the format asks for')}, got {got}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        word = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most", "less_than": "less than"}
        bound = next(iter(ctx.values()), "?")
        return f"must be {word[kind]} {bound}, got {got}"
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected', '?')}, got {got}"
    expected = next((words for prefix, words in _EXPECTED.items() if kind.startswith(prefix + "_")), None)
    if expected is not None:
        return f"expected {expected}, got {got}" + _bool_hint(error.get("input"), expected)
    return f"this value is not accepted here, got {got}"


def _bool_hint(value: object, expected: str) -> str:
    if isinstance(value, bool) and expected == "text":
        return " (YAML reads yes, no, on, off, true and false as true or false; quote the word to mean text)"
    return ""


def _unknown_field(loc: PathKey, model: type[BaseModel]) -> str:
    field = str(loc[-1]) if loc else "?"
    known = _field_names(model, loc[:-1])
    guess = nearest(field, known) if known else None
    hint = f" (did you mean '{guess}'?)" if guess else (f" (known fields: {', '.join(known)})" if known else "")
    return f"unknown field '{shown(field)}'{hint}"


def _described(value: object) -> str:
    """A user's value in words: 'nothing', 'true', 'the number 3', 'a list', or the text, quoted and cut."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dt.datetime):
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return f"'{shown(value)}'"


def _named_place(doc: YamlDocument, loc: PathKey, message: str) -> PathKey:
    """Where a model-level error belongs: the value its message quotes, else the field it names."""
    node = _value_at(doc.data, loc)
    if not isinstance(node, (dict, list)):
        return loc
    for word in reversed(_QUOTED.findall(message)):
        found = _find(node, word, loc)
        if found is not None:
            return found
    if isinstance(node, dict):
        field = _field_named_in(message, node)
        if field is not None:
            return loc + (field,)
    return loc


def _value_at(data: Any, loc: PathKey) -> Any:
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _find(node: Any, word: str, loc: PathKey) -> PathKey | None:
    """The first path under ``loc`` (in file order) whose value or key is ``word``; a bounded search."""
    stack: list[tuple[Any, PathKey]] = [(node, loc)]
    visited = 0
    while stack and visited < _SEARCH_BUDGET:
        value, path = stack.pop()
        visited += 1
        if value == word and isinstance(value, str):
            return path
        if isinstance(value, dict):
            if word in value:
                return path + (word,)
            stack.extend(reversed([(v, path + (k,)) for k, v in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([(v, path + (i,)) for i, v in enumerate(value)]))
    return None


def _field_named_in(message: str, node: dict[str, Any]) -> str | None:
    """The longest key of ``node`` the message names in words ('attack scenario' for attack_scenario)."""
    text = f" {message.lower()} "
    named = [
        key
        for key in node
        if isinstance(key, str)
        and any(f" {form} " in text or f" {form}s " in text for form in {key.replace("_", " "), key.replace("_", " ").rstrip("s")})
    ]
    return max(named, key=len) if named else None


def _field_names(model: type[BaseModel], loc: PathKey) -> list[str]:
    """The field names a user may write at ``loc`` inside ``model`` (aliases where set)."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {(f.alias or name): f for name, f in annotation.model_fields.items()}
            if part not in fields:
                return []
            annotation = fields[part].annotation
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        elif typing.get_origin(annotation) is list:
            annotation = typing.get_args(annotation)[0]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(f.alias or name) for name, f in annotation.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional[...] / X | None and Annotated[...] down to the model or container type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            annotation = models[0] if models else members[0]
        else:
            return annotation
