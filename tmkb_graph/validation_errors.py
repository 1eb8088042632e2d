"""Turn pydantic's ValidationError into located, plain-language problems."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from tmkb_graph.errors import Problem
from tmkb_graph.safe_yaml import PathKey, YamlDocument
from tmkb_graph.vocabulary import nearest

_MAX_SHOWN_INPUT = 60


def problems_from_validation_error(exc: ValidationError, doc: YamlDocument, model: type[BaseModel]) -> list[Problem]:
    """One problem per pydantic error, with file, line, field path and a readable message."""
    problems = []
    for error in exc.errors(include_url=False):
        loc: PathKey = tuple(part for part in error["loc"] if not _is_pydantic_branch(part))
        problems.append(doc.problem(loc, _message(error, loc, model)))
    return sorted(set(problems))


def _is_pydantic_branch(part: object) -> bool:
    # pydantic adds the union member or validator name to a location; users never wrote those
    return isinstance(part, str) and (part.startswith("function-") or part in {"str", "list[str]", "date"})


def _message(error: dict[str, Any], loc: PathKey, model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        field = str(loc[-1]) if loc else "?"
        known = _field_names(model, loc[:-1])
        guess = nearest(field, known) if known else None
        hint = f" (did you mean '{guess}'?)" if guess else (f" (known fields: {', '.join(known)})" if known else "")
        return f"unknown field '{field}'{hint}"
    if kind in ("value_error", "assertion_error"):
        text = str(error.get("ctx", {}).get("error", error["msg"]))
        return text.removeprefix("Value error, ")
    msg = error["msg"]
    msg = msg[0].lower() + msg[1:] if msg else msg
    return f"{msg}, got {_shown(error.get('input'))}"


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN_INPUT else text[: _MAX_SHOWN_INPUT - 3] + "..."


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
