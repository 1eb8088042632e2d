"""Output models built by from_checked behave as pydantic's own: equal, copyable, serializable."""

from __future__ import annotations

import io
import json

import pytest

from conftest import EXAMPLES
from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import load_architecture, parse_architecture
from tmkb_graph.findings import Gap
from tmkb_graph.render.json_out import analysis_json, write_analysis_json

GAP = {"mitigation": "M1", "name": "n", "control": "authn", "at": "component a", "required": True,
       "present": False, "line": 3, "carries": [], "evidence": None}


def test_from_checked_equals_model_construct_and_validation() -> None:
    built = Gap.from_checked(**GAP)
    assert built == Gap.model_construct(**GAP) == Gap.model_validate(GAP)
    assert list(built.model_dump()) == list(Gap.model_fields)  # field order as pydantic keeps it


def test_a_copy_with_changes_leaves_the_shared_fields_set_alone() -> None:
    first, second = Gap.from_checked(**GAP), Gap.from_checked(**{**GAP, "at": "component b"})
    changed = first.model_copy(update={"present": True})
    assert changed.present and not first.present and not second.present
    assert first.model_fields_set == second.model_fields_set == set(Gap.model_fields)


def test_a_missing_or_unknown_field_is_refused() -> None:
    with pytest.raises((KeyError, AssertionError)):
        Gap.from_checked(**{k: v for k, v in GAP.items() if k != "line"})
    with pytest.raises(AssertionError):
        Gap.from_checked(**GAP, extra=1)


def test_streamed_json_is_the_standard_librarys_bytes() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml"))[:4]:
        if path.name.endswith(".expected.yaml"):
            continue
        result = analyze(load_architecture(path))
        reference = json.dumps(result.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        stream = io.BytesIO()
        write_analysis_json(result, stream)
        assert stream.getvalue().decode("utf-8") == analysis_json(result) == reference


def test_a_loaded_architecture_keeps_the_lines_findings_point_at() -> None:
    text = (
        "name: Shop\ncomponents:\n  web:\n    type: api\n    endpoints:\n      - route: GET /a/{id}\n"
        "        operation: read\n        controls: [authn]\n  jobs: {type: queue}\nflows:\n  - from: web\n    to: jobs\n    kind: enqueue\n"
    )
    arch = parse_architecture(text, "arch.yaml")
    assert arch.line_of(("components", "web")) == 3
    assert arch.line_of(("components", "web", "endpoints", 0)) == 6
    assert arch.line_of(("flows", 0)) == 11
    # a deeper field gets the line of the place it belongs to
    assert arch.line_of(("components", "web", "endpoints", 0, "controls", 0)) == 6
    assert arch.line_of(("flows", 0, "kind")) == 11
