"""`tmkb-graph scan`: formats, exit codes, the emitted architecture that `analyze` accepts unchanged."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import FIXTURES, TODAY
from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import load_architecture
from tmkb_graph.cli import app
from tmkb_graph.library import load_library
from tmkb_graph.scan import scan_directory

APP = FIXTURES / "apps" / "flask_factory_celery"
runner = CliRunner()


def test_scan_exits_1_with_open_findings_and_points_at_code():
    result = runner.invoke(app, ["scan", str(APP / "vulnerable")])
    assert result.exit_code == 1
    assert "at app/tasks.py:6 export_document" in result.output
    assert "flow web -> export_document_queue (enqueue) (app/documents.py:21)" in result.output


def test_scan_exits_0_when_nothing_is_open_or_fail_on_none():
    assert runner.invoke(app, ["scan", str(APP / "hardened")]).exit_code == 0
    assert runner.invoke(app, ["scan", str(APP / "vulnerable"), "--fail-on", "none"]).exit_code == 0
    assert runner.invoke(app, ["scan", str(APP / "vulnerable"), "--fail-on", "CRITICAL"]).exit_code == 0


def test_json_findings_carry_the_code_file_and_line():
    result = runner.invoke(app, ["scan", str(APP / "vulnerable"), "--format", "json"])
    data = json.loads(result.output)
    located = {(f["pattern"], f["file"], f["location_line"]) for f in data["findings"] if f["status"] == "open"}
    assert ("TMKB-AUTHZ-001", "app/tasks.py", 6) in located
    assert data["architecture"]["file"] == str(APP / "vulnerable")


def test_markdown_names_the_code_location():
    result = runner.invoke(app, ["scan", str(APP / "vulnerable"), "--format", "markdown"])
    assert "app/tasks.py:6 export\\_document" in result.output


def test_missing_directory_is_bad_input(tmp_path):
    result = runner.invoke(app, ["scan", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such directory" in result.output
    file = tmp_path / "f.py"
    file.write_text("x = 1\n")
    assert runner.invoke(app, ["scan", str(file)]).exit_code == 2


def test_directory_without_an_app_says_so_and_exits_0(tmp_path):
    (tmp_path / "util.py").write_text("def add(a, b):\n    return a + b\n")
    result = runner.invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 0
    assert "nothing to analyse" in result.output


def test_emitted_architecture_is_accepted_by_analyze_unchanged(tmp_path):
    out = tmp_path / "arch.yaml"
    assert runner.invoke(app, ["scan", str(APP / "vulnerable"), "--emit-architecture", str(out)]).exit_code == 1
    library = load_library()
    loaded = load_architecture(out)
    assert loaded.warnings == []
    direct = analyze(loaded, library, today=TODAY)
    scanned = scan_directory(APP / "vulnerable", library, today=TODAY, progress=False).result
    assert [(f.id, f.status) for f in direct.findings] == [(f.id, f.status) for f in scanned.findings]
    assert runner.invoke(app, ["analyze", str(out)]).exit_code == 1


def test_emitted_architecture_is_the_same_bytes_every_run(tmp_path):
    first = scan_directory(APP / "hardened", progress=False).architecture_yaml
    second = scan_directory(APP / "hardened", progress=False).architecture_yaml
    assert first == second and "job_reauthorization" in first
