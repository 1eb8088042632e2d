"""examples/agents/ configurations start the installed server, and the README's Python snippet runs."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO
from tmkb_graph.agent.hooks import hook_entries

AGENTS = EXAMPLES / "agents"


def mcp_config(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    servers = data.get("mcpServers") or data["servers"]
    return servers["tmkb-graph"]


@pytest.mark.parametrize("path", ["claude-code/.mcp.json", "cursor/.cursor/mcp.json", "vscode/.vscode/mcp.json"])
def test_every_mcp_configuration_starts_tmkb_graph_serve(path: str) -> None:
    server = mcp_config(AGENTS / path)
    assert server["command"] == "tmkb-graph" and server["args"] == ["serve"]
    assert server.get("type", "stdio") == "stdio"


def test_vs_code_uses_servers_and_the_others_mcp_servers() -> None:
    assert "servers" in json.loads((AGENTS / "vscode/.vscode/mcp.json").read_text(encoding="utf-8"))
    assert "mcpServers" in json.loads((AGENTS / "cursor/.cursor/mcp.json").read_text(encoding="utf-8"))


def test_the_hook_settings_example_is_what_install_writes() -> None:
    data = json.loads((AGENTS / "claude-code/.claude/settings.json").read_text(encoding="utf-8"))
    assert data == {"hooks": hook_entries("high")}


def test_the_readme_python_snippet_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For AI coding agents", 1)[1].split("\n## ", 1)[0]
    snippet = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    monkeypatch.chdir(REPO)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet, "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("TMKB-AUTHZ-001 ") and int(lines[0].split()[1]) <= 500
    assert lines[1] == "[]" and lines[2].endswith("open findings") and "of a 800-token budget" in lines[-1]


def test_the_examples_readme_names_every_configuration() -> None:
    text = (AGENTS / "README.md").read_text(encoding="utf-8")
    for path in ["claude-code/.mcp.json", "claude-code/.claude/settings.json", "cursor/.cursor/mcp.json", "vscode/.vscode/mcp.json"]:
        assert f"`{path}`" in text and (AGENTS / path).is_file()
