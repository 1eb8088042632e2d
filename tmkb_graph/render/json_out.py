"""JSON output: sorted keys, two-space indent, so the same input gives the same bytes.

The analysis result is written by pydantic's Rust serializer (``to_json``), not by ``json.dumps``
over ``model_dump``: with ``indent`` set, the standard library falls back to its pure-Python encoder,
which took about as long as the whole analysis on large architectures. The Rust serializer writes
fields in declaration order and dicts in insertion order, so the bytes ``json.dumps(..., indent=2,
sort_keys=True, ensure_ascii=False)`` gave are kept by serializing with a copy of the models' core
schema in which every model's fields are in key order and every dict is sorted as it is written.
Where the schema holds something whose JSON could differ from the standard library's (floats,
``Any``, custom serializers, computed fields...), the standard library writes it as before.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO

from pydantic import BaseModel
from pydantic_core import SchemaSerializer

from tmkb_graph.gcpause import gc_paused

from tmkb_graph.pattern_output import pattern_json, patterns_json, stdlib_json  # noqa: F401  (their home before pattern_output)

if TYPE_CHECKING:  # only annotations
    from tmkb_graph.findings import AnalysisResult

# Core-schema node types whose JSON is the same bytes as the standard library's once keys are sorted.
_SAFE_LEAVES = frozenset({"str", "int", "bool", "none", "literal", "enum"})
_SAFE_WRAPPERS = frozenset({"nullable", "default", "list", "model-field", "definitions", "definition-ref",
                            "model", "dict", "union"})


class _Unsupported(Exception):
    """The schema has a node whose JSON the sorted serializer might write differently."""


def _sorted_dict(value: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(value.items()))


def _model_as_sorted_dict(keys: tuple[str, ...]) -> Any:
    def as_dict(model: Any) -> dict[str, Any]:
        values = model.__dict__
        return {key: values[key] for key in keys}

    return as_dict


def _sorted_schema(schema: Any) -> Any:
    """A copy of a core schema that writes every model's fields, and every dict's keys, in order.

    pydantic_core writes a model's fields in the order of the instance's ``__dict__`` and a dict's
    keys in insertion order, so each model becomes a function giving a dict of its fields in key
    order (serialized as a typed dict of the same field schemas), and each dict is sorted.
    """
    if isinstance(schema, (list, tuple)):
        return type(schema)(_sorted_schema(item) for item in schema)
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if kind is not None and kind not in _SAFE_LEAVES and kind not in _SAFE_WRAPPERS:
        raise _Unsupported(kind)
    if kind in ("model", "model-fields", "dict") and "serialization" in schema:
        raise _Unsupported(f"{kind} with a custom serializer")
    if kind == "model-fields" and (schema.get("computed_fields") or schema.get("extras_schema")):
        raise _Unsupported("computed fields or extras")
    if kind == "model-field" and ("serialization_alias" in schema or schema.get("serialization_exclude")
                                  or "serialization_exclude_if" in schema):
        raise _Unsupported("aliased or excluded field")
    if kind == "enum" and schema.get("sub_type") not in ("str", "int"):
        raise _Unsupported("enum of another type")
    if kind == "model":
        inner = schema["schema"]
        if schema.get("root_model") or inner.get("type") != "model-fields":
            raise _Unsupported("root model or unusual model")
        if (schema.get("config") or {}).get("extra_fields_behavior") == "allow":
            raise _Unsupported("model with extra fields")
        keys = tuple(sorted(inner["fields"]))
        fields = {
            key: {"type": "typed-dict-field", "schema": _sorted_schema(inner["fields"][key]["schema"]), "required": True}
            for key in keys
        }
        out: dict[str, Any] = {
            "type": "any",
            "serialization": {
                "type": "function-plain",
                "function": _model_as_sorted_dict(keys),
                "info_arg": False,
                "return_schema": {"type": "typed-dict", "fields": fields},
            },
        }
        if "ref" in schema:
            out["ref"] = schema["ref"]
        return out
    out = {key: (value if key in ("cls", "metadata", "config", "function", "expected") else _sorted_schema(value))
           for key, value in schema.items()}
    if kind == "dict":
        keys_schema = schema.get("keys_schema")
        if keys_schema is not None and keys_schema.get("type") != "str":
            raise _Unsupported("dict with non-string keys")
        plain = dict(out)
        out["serialization"] = {
            "type": "function-plain",
            "function": _sorted_dict,
            "info_arg": False,
            "return_schema": plain,
        }
    return out


@lru_cache(maxsize=None)
def _sorted_serializer(model: type) -> SchemaSerializer | None:
    """A serializer writing ``model`` with sorted keys, or None to fall back to the standard library."""
    try:
        schema = _sorted_schema(model.__pydantic_core_schema__)  # type: ignore[attr-defined]
        return SchemaSerializer(schema)
    except (_Unsupported, TypeError, ValueError):
        return None
    except Exception:  # noqa: BLE001 - a pydantic_core that rejects the copy: the slow path still works
        return None


def analysis_json(result: AnalysisResult) -> str:
    """The whole analysis result as JSON."""
    serializer = _sorted_serializer(type(result))
    if serializer is None:
        return stdlib_json(result.model_dump(mode="json"))
    return serializer.to_json(result, indent=2).decode("utf-8") + "\n"


def write_analysis_json(result: AnalysisResult, stream: BinaryIO) -> None:
    """Write analysis_json's bytes to a binary stream (``sys.stdout.buffer``), one list item at a time.

    The JSON of an 80,000-component architecture is about 400 MB: it is never held whole. The top
    object's fields are written in key order, each list of models item by item (each item by the
    sorted serializer, indented to its depth), everything else as the standard library writes it, so
    the bytes are analysis_json's.
    """
    if _sorted_serializer(type(result)) is None:
        stream.write(analysis_json(result).encode("utf-8"))
        return
    with gc_paused():  # the callbacks' dicts die by reference count: collections would only rescan the result
        _write_fields(result, stream)


def _write_fields(result: AnalysisResult, stream: BinaryIO) -> None:
    stream.write(b"{")
    for i, key in enumerate(sorted(type(result).model_fields)):
        stream.write(b"\n  " if i == 0 else b",\n  ")
        stream.write(json.dumps(key).encode("utf-8") + b": ")
        _write_value(getattr(result, key), stream)
    stream.write(b"\n}\n")


def _write_value(value: Any, stream: BinaryIO) -> None:
    """One field of the top object, at indent level 1; a non-empty list of models streamed item by item."""
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        serializer = _sorted_serializer(type(value[0]))
        if serializer is not None and all(type(item) is type(value[0]) for item in value):
            stream.write(b"[")
            for i, item in enumerate(value):
                stream.write(b"\n    " if i == 0 else b",\n    ")
                stream.write(serializer.to_json(item, indent=2).replace(b"\n", b"\n    "))
            stream.write(b"\n  ]")
            return
    plain = value.model_dump(mode="json") if isinstance(value, BaseModel) else _dumped(value)
    stream.write(json.dumps(plain, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n  ").encode("utf-8"))


def _dumped(value: Any) -> Any:
    """A field value as model_dump(mode="json") gives it: models inside lists and dicts become dicts."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_dumped(v) for v in value]
    if isinstance(value, dict):
        return {k: _dumped(v) for k, v in value.items()}
    return value
