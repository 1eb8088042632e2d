"""The plain pattern check (no pydantic) vouches only for what pattern.py's models accept, and gives
what they give: the same fields and defaults, the same JSON dump, the same `list` and `get` answers."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from pydantic_core import PydanticUndefined

from tmkb_graph import pattern as models
from tmkb_graph import plain_library, plain_patterns, plain_readers
from tmkb_graph.answer_cache import canonical
from tmkb_graph.library import load_library, load_pattern_file
from tmkb_graph.library_answers import library_answers
from tmkb_graph.plain_patterns import ModelSpec, plain_pattern
from tmkb_graph.resources import data_dir
from tmkb_graph.safe_yaml import load_yaml_file

SPECS = [value for value in vars(plain_patterns).values() if isinstance(value, ModelSpec)]
PATTERN_FILES = sorted(data_dir("patterns").glob("*/*.y*ml"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_each_spec_has_its_models_fields_aliases_and_defaults(spec: ModelSpec) -> None:
    fields = getattr(models, spec.name).model_fields
    assert list(spec.fields) == list(fields)
    for name, info in fields.items():
        plain = spec.fields[name]
        assert plain.alias == info.alias, name
        if info.default_factory is not None:
            assert plain.factory is not None and plain.factory() == info.default_factory(), name
        elif info.default is PydanticUndefined:
            assert plain.factory is None and plain.default is plain_readers.REQUIRED, name
        else:
            assert plain.factory is None and plain.default == info.default, name


def test_every_model_of_a_pattern_has_a_spec() -> None:
    assert {spec.name for spec in SPECS} == _models_under(models.Pattern)


def _models_under(model: Any) -> set[str]:
    names = {model.__name__}
    for info in model.model_fields.values():
        for arg in _type_args(info.annotation):
            if isinstance(arg, type) and issubclass(arg, models.InputModel) and arg.__name__ not in names:
                names |= _models_under(arg) if arg is not model else set()
    return names


def _type_args(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in getattr(annotation, "__args__", ()):
        yield from _type_args(arg)


@pytest.mark.parametrize("path", PATTERN_FILES, ids=lambda path: path.stem)
def test_shipped_patterns_are_vouched_for_with_the_models_dump(path: Path) -> None:
    plain = plain_pattern(load_yaml_file(path).data)
    assert plain is not None
    assert plain.model_dump(mode="json", by_alias=True) == load_pattern_file(path).model_dump(mode="json", by_alias=True)


def test_plain_answers_are_the_commands_answers() -> None:
    plain = plain_library.plain_shipped_library()
    assert plain is not None
    expected = library_answers(load_library())
    assert library_answers(plain) == expected
    for request in [*expected, ("get", " tmkb-authz-002 ", "text")]:
        assert plain_library.plain_answer(request, None) == expected[canonical(request)]
    assert plain_library.plain_answer(("get", "TMKB-NOPE-001", "table"), None) is None


def _mutations(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Each place in ``data`` with each replacement value (and deletion, and an unknown key)."""
    if isinstance(data, dict):
        yield path + ("unknown_key",), "x"
        for key, value in data.items():
            yield path + (key,), _DELETE
            yield from _mutations(value, path + (key,))
    elif isinstance(data, list):
        yield path, []
        for index, value in enumerate(data):
            yield from _mutations(value, path + (index,))
    for replacement in (None, "", " x ", 0, -1, True, [], {}, ["x"], "TMKB-AUTHZ-001", "role"):
        yield path, replacement


_DELETE = object()


def _mutated(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    parent = out
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


@pytest.mark.parametrize("stem", ["TMKB-AUTHZ-001", "TMKB-AUTHZ-013", "TMKB-WEBHOOK-001"])
def test_whatever_the_plain_check_vouches_for_the_models_accept_alike(stem: str) -> None:
    data = load_yaml_file(next(p for p in PATTERN_FILES if p.stem == stem)).data
    vouched = 0
    for path, value in _mutations(data):
        if not path:
            continue
        changed = _mutated(data, path, value)
        plain = plain_pattern(changed)
        if plain is None:
            continue
        vouched += 1
        model = models.Pattern.model_validate(changed)  # raises when the plain check vouched wrongly
        assert plain.model_dump(mode="json", by_alias=True) == model.model_dump(mode="json", by_alias=True), path
    assert vouched > 50


def test_a_library_with_a_broken_file_is_left_to_the_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(data_dir("patterns"), tmp_path / "patterns")
    broken = next((tmp_path / "patterns").glob("*/*.yaml"))
    broken.write_text(broken.read_text(encoding="utf-8").replace("severity:", "severty:", 1), encoding="utf-8")
    monkeypatch.setattr(plain_library, "data_dir", lambda name: tmp_path / name)
    assert plain_library.plain_shipped_library() is None
    assert plain_library.plain_answer(("list", "table"), None) is None


def test_a_plain_answer_that_fails_leaves_the_call_to_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from tmkb_graph import entry

    def broken(request: tuple[str, ...], kept: Path | None) -> str | None:
        raise FileNotFoundError("tmkb-graph's patterns/ directory is missing from the installation")

    monkeypatch.setattr(plain_library, "plain_answer", broken)
    assert entry._plain_answer(("list", "table"), None) is None
