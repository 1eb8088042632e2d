"""Claude Code hooks, fed the JSON Claude Code sends: context on a relevant prompt, silence otherwise,
new open findings after an architecture edit, and an installer that keeps existing settings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from tmkb_graph.cli import app
from tmkb_graph.tokens import count_tokens
from tmkb_graph.user_cache import CACHE_ENV

runner = CliRunner()
BILLING_WORKER = "    controls: [webhook_payload_verification, idempotent_processing, tenant_scoped_queries]"
GIT_HOOKS = "    controls: [webhook_signature_verification]\n"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))


def prompt_event(prompt: str, cwd: Path) -> str:
    return json.dumps({
        "session_id": "abc123", "transcript_path": str(cwd / "t.jsonl"), "cwd": str(cwd),
        "permission_mode": "default", "hook_event_name": "UserPromptSubmit", "prompt": prompt,
    })  # fmt: skip


def edit_event(file_path: str, cwd: Path, tool: str = "Write", old: str = "", new: str = "") -> str:
    if tool == "Write":
        tool_input = {"file_path": file_path, "content": Path(cwd, file_path).read_text(encoding="utf-8") if Path(cwd, file_path).is_file() else ""}
    else:
        tool_input = {"file_path": file_path, "old_string": old, "new_string": new, "replace_all": False}
    return json.dumps({
        "session_id": "abc123", "transcript_path": str(cwd / "t.jsonl"), "cwd": str(cwd),
        "permission_mode": "default", "hook_event_name": "PostToolUse", "tool_name": tool,
        "tool_input": tool_input, "tool_response": {"filePath": file_path, "success": True},
    })  # fmt: skip


def edit(arch: Path, old: str, new: str, *options: str):
    """Make the edit Claude Code made, then run the hook with the JSON it sends."""
    text = arch.read_text(encoding="utf-8")
    assert old in text
    arch.write_text(text.replace(old, new, 1), encoding="utf-8")
    return hook("post-edit", edit_event(str(arch), arch.parent, "Edit", old, new), *options)


def hook(event: str, payload: str, *options: str):
    return runner.invoke(app, ["hook", "claude-code", event, *options], input=payload)


def test_a_relevant_prompt_gets_the_patterns_as_additional_context(tmp_path: Path) -> None:
    result = hook("user-prompt", prompt_event("add a Celery task that processes the uploaded file", tmp_path))
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)["hookSpecificOutput"]
    assert output["hookEventName"] == "UserPromptSubmit"
    assert "TMKB-AUTHZ-001 (high)" in output["additionalContext"] and "Fix:" in output["additionalContext"]
    assert count_tokens(output["additionalContext"]) <= 500


def test_an_unrelated_prompt_gets_nothing(tmp_path: Path) -> None:
    result = hook("user-prompt", prompt_event("add a dark mode toggle", tmp_path))
    assert result.exit_code == 0 and result.stdout == ""


def test_the_prompt_hook_adds_the_architectures_touched_findings(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "webhook-processor.yaml", tmp_path / "arch.yaml")
    result = hook("user-prompt", prompt_event("change what the ci_worker does with the queued push", tmp_path), "--arch", "arch.yaml")
    context = json.loads(result.stdout)["hookSpecificOutput"]["additionalContext"]
    assert "open finding TMKB-AUTHZ-001 at ci_worker" in context


def test_after_an_edit_only_new_open_findings_are_reported_and_blocking_follows_the_severity(tmp_path: Path) -> None:
    arch = tmp_path / "architecture.yaml"
    arch.write_text((EXAMPLES / "webhook-processor.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    written = hook("post-edit", edit_event("architecture.yaml", tmp_path), "--block-on", "critical")  # a new file
    report = json.loads(written.stdout)["hookSpecificOutput"]
    assert report["hookEventName"] == "PostToolUse" and "5 new open findings" in report["additionalContext"]
    assert hook("post-edit", edit_event("architecture.yaml", tmp_path), "--block-on", "low").stdout == ""  # nothing new
    blocked = json.loads(edit(arch, GIT_HOOKS, "    controls: []\n", "--block-on", "critical").stdout)
    assert blocked["decision"] == "block" and "critical TMKB-WEBHOOK-001 at git_hooks" in blocked["reason"]
    assert "1 new open finding:" in blocked["reason"]
    medium = json.loads(edit(arch, BILLING_WORKER, "    controls: [idempotent_processing, tenant_scoped_queries]", "--block-on", "high").stdout)
    assert "decision" not in medium and "1 new open finding:" in medium["hookSpecificOutput"]["additionalContext"]
    assert "medium TMKB-WEBHOOK-002 at billing_worker" in medium["hookSpecificOutput"]["additionalContext"]


def test_the_first_edit_seen_is_judged_against_the_file_before_it(tmp_path: Path) -> None:
    arch = tmp_path / "architecture.yaml"
    arch.write_text((EXAMPLES / "webhook-processor.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    quiet = edit(arch, "description: Verifies X-Hub-Signature-256", "description: Checks X-Hub-Signature-256", "--block-on", "low")
    assert quiet.exit_code == 0 and quiet.stdout == ""  # the six open findings were open before the edit too
    loud = json.loads(edit(arch, GIT_HOOKS, "    controls: []\n", "--block-on", "critical").stdout)
    assert "1 new open finding:" in loud["reason"]


def test_a_multi_edit_is_undone_edit_by_edit(tmp_path: Path) -> None:
    arch = tmp_path / "architecture.yaml"
    text = (EXAMPLES / "webhook-processor.yaml").read_text(encoding="utf-8")
    edits = [
        {"old_string": GIT_HOOKS, "new_string": "    controls: []\n"},
        {"old_string": BILLING_WORKER, "new_string": "    controls: [idempotent_processing, tenant_scoped_queries]"},
    ]
    for one in edits:
        text = text.replace(one["old_string"], one["new_string"], 1)
    arch.write_text(text, encoding="utf-8")
    payload = json.loads(edit_event(str(arch), tmp_path, "Edit", "x", "y"))
    payload["tool_name"], payload["tool_input"] = "MultiEdit", {"file_path": str(arch), "edits": edits}
    report = json.loads(hook("post-edit", json.dumps(payload), "--block-on", "none").stdout)
    assert "2 new open findings:" in report["hookSpecificOutput"]["additionalContext"]


def test_edits_of_other_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('hi')\n", encoding="utf-8")
    shutil.copy(EXAMPLES / "webhook-processor.expected.yaml", tmp_path / "review.yaml")
    (tmp_path / "config.yaml").write_text("debug: true\n", encoding="utf-8")
    for name in ("app.py", "review.yaml", "config.yaml", "gone.yaml"):
        result = hook("post-edit", edit_event(name, tmp_path, "Edit", "a", "b"))
        assert result.exit_code == 0 and result.stdout == "", name


def test_an_architecture_broken_by_the_edit_is_reported(tmp_path: Path) -> None:
    arch = tmp_path / "architecture.yaml"
    arch.write_text("name: x\ncomponents:\n  web: {type: wizard}\n", encoding="utf-8")
    result = json.loads(hook("post-edit", edit_event(str(arch), tmp_path), "--block-on", "high").stdout)
    assert result["decision"] == "block" and "no longer a valid architecture" in result["reason"] and "wizard" in result["reason"]


def test_input_that_is_not_claude_codes_json_is_a_short_error_not_a_block(tmp_path: Path) -> None:
    for event, payload in [("post-edit", "not json"), ("user-prompt", json.dumps({"no_prompt": 1}))]:
        result = hook(event, payload)
        assert result.exit_code == 1 and "not the JSON Claude Code sends" in result.stderr and "Traceback" not in result.output


def test_a_missing_arch_file_for_the_prompt_hook_never_blocks_the_prompt(tmp_path: Path) -> None:
    result = hook("user-prompt", prompt_event("Kafka consumer", tmp_path), "--arch", "missing.yaml")
    assert result.exit_code == 1 and "missing.yaml" in result.stderr  # 1: shown to the user; 2 would block


def test_install_merges_into_existing_settings_without_losing_entries(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    existing = {
        "permissions": {"allow": ["Bash(npm test)"]},
        "hooks": {"PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "prettier --write"}]}]},
    }
    settings.write_text(json.dumps(existing), encoding="utf-8")
    for _ in range(2):  # a second install replaces its own entries, never duplicates them
        result = runner.invoke(app, ["hook", "install", "claude-code", "--settings", str(settings), "--block-on", "critical"])
        assert result.exit_code == 0, result.output
    data = json.loads(settings.read_text(encoding="utf-8"))
    assert data["permissions"] == existing["permissions"]
    post = data["hooks"]["PostToolUse"]
    assert post[0] == existing["hooks"]["PostToolUse"][0]
    assert [h["command"] for e in post for h in e["hooks"]] == ["prettier --write", "tmkb-graph hook claude-code post-edit --block-on critical"]
    assert post[1]["matcher"] == "Write|Edit|MultiEdit"
    assert [h["command"] for e in data["hooks"]["UserPromptSubmit"] for h in e["hooks"]] == ["tmkb-graph hook claude-code user-prompt"]


def test_install_refuses_settings_it_cannot_read_and_leaves_them_alone(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text("{broken", encoding="utf-8")
    result = runner.invoke(app, ["hook", "install", "claude-code", "--settings", str(settings)])
    assert result.exit_code == 2 and "cannot read it as JSON" in result.stderr
    assert settings.read_text(encoding="utf-8") == "{broken"
