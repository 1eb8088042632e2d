"""The command line: exit codes mean one thing each, output is deterministic, errors are one paragraph."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import EXAMPLES, FIXTURES
from tmkb_graph.cli import app

runner = CliRunner()
OPEN = FIXTURES / "TMKB-AUTHZ-001" / "applies.yaml"
SILENT = FIXTURES / "TMKB-AUTHZ-001" / "silent.yaml"


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_open_findings_exit_1_and_fail_on_none_exits_0() -> None:
    assert invoke("analyze", str(OPEN)).exit_code == 1
    assert invoke("analyze", str(OPEN), "--fail-on", "none").exit_code == 0


def test_fail_on_threshold_above_every_open_finding_exits_0() -> None:
    result = json.loads(invoke("analyze", str(OPEN), "--format", "json", "--fail-on", "none").stdout)
    worst = max({"low": 1, "medium": 2, "high": 3, "critical": 4}[f["severity"]] for f in result["findings"] if f["status"] == "open")
    above = {1: "medium", 2: "high", 3: "critical"}.get(worst)
    if above:
        assert invoke("analyze", str(OPEN), "--fail-on", above).exit_code == 0


def test_json_has_the_documented_shape() -> None:
    data = json.loads(invoke("analyze", str(OPEN), "--format", "json", "--fail-on", "none").stdout)
    assert {"architecture", "findings", "summary"} <= set(data)
    finding = next(f for f in data["findings"] if f["pattern"] == "TMKB-AUTHZ-001")
    assert {"pattern", "severity", "status", "bindings", "crossings", "missing", "present", "id"} <= set(finding)
    assert {"control", "at"} <= set(finding["missing"][0])


def test_output_is_byte_identical_across_runs() -> None:
    for fmt in ("json", "table", "markdown"):
        first = invoke("analyze", str(OPEN), "--format", fmt, "--fail-on", "none").stdout
        assert first == invoke("analyze", str(OPEN), "--format", fmt, "--fail-on", "none").stdout


def test_bad_input_exits_2_with_a_located_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncomponents:\n  w: {type: wroker}\n", encoding="utf-8")
    result = invoke("analyze", str(bad))
    assert result.exit_code == 2
    assert "line 3: components.w.type: unknown component type 'wroker' (did you mean 'worker'?)" in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_and_bad_option_exit_2(tmp_path: Path) -> None:
    assert invoke("analyze", str(tmp_path / "none.yaml")).exit_code == 2
    assert invoke("analyze", str(OPEN), "--format", "xml").exit_code == 2


def test_list_and_get() -> None:
    listing = invoke("list")
    assert listing.exit_code == 0 and "TMKB-AUTHZ-001" in listing.stdout
    rows = json.loads(invoke("list", "--format", "json").stdout)
    assert {"id": "TMKB-AUTHZ-001", "boundary": "async"}.items() <= rows[0].items()
    shown = invoke("get", "TMKB-AUTHZ-001")
    assert shown.exit_code == 0 and "job_reauthorization" in shown.stdout
    as_json = json.loads(invoke("get", "tmkb-authz-001", "--format", "json").stdout)
    assert as_json["id"] == "TMKB-AUTHZ-001" and as_json["template"]["flows"][0]["from"] == "producer"
    missing = invoke("get", "TMKB-AUTHZ-01")
    assert missing.exit_code == 2 and "did you mean" in missing.stderr


def test_validate_library_architectures_and_bad_files(tmp_path: Path) -> None:
    assert invoke("validate").exit_code == 0
    assert invoke("validate", str(OPEN), str(SILENT)).exit_code == 0
    bad = tmp_path / "TMKB-AUTHZ-999.yaml"
    bad.write_text("id: TMKB-AUTHZ-999\nname: x\n", encoding="utf-8")
    result = invoke("validate", str(bad))
    assert result.exit_code == 2 and "TMKB-AUTHZ-999.yaml: line" in result.stderr


def test_every_example_analyses_without_error() -> None:
    for example in sorted(p for p in EXAMPLES.glob("*.yaml") if not p.name.endswith(".expected.yaml")):
        result = invoke("analyze", str(example), "--fail-on", "none")
        assert result.exit_code == 0, (example, result.stderr)
