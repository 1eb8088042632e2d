"""A plain `analyze` call is run by the console entry point without typer: only calls whose parse is
certain, with the same output, messages and exit code as the command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO
from tmkb_graph.cli import app
from tmkb_graph.direct_analyze import request_of


@pytest.mark.parametrize(
    ("argv", "call"),
    [
        (["analyze", "a.yaml"], ("a.yaml", "table", "low")),
        (["analyze", "--format", "json", "a.yaml", "--fail-on", "none"], ("a.yaml", "json", "none")),
        (["analyze", "a.yaml", "-f", "markdown", "--fail-on=high"], ("a.yaml", "markdown", "high")),
        (["analyze", "a.yaml", "--format=json", "--format", "table"], ("a.yaml", "table", "low")),
        (["analyze", "a.yaml", "--fail-on", "HIGH"], None),
        (["analyze", "a.yaml", "-fjson"], None),
        (["analyze", "a.yaml", "-f=json"], None),
        (["analyze", "a.yaml", "--format"], None),
        (["analyze", "a.yaml", "--help"], None),
        (["analyze", "-"], None),
        (["analyze", ""], None),
        (["analyze", "a.yaml", "b.yaml"], None),
        (["analyze", "--", "a.yaml"], None),
        (["analyze"], None),
        (["list"], None),
        ([], None),
    ],
)
def test_only_plain_analyze_calls_are_run_directly(argv: list[str], call: tuple[str, str, str] | None) -> None:
    assert request_of(argv) == call


def _console(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the console entry point in a fresh process; it writes 'typer imported' when typer is."""
    code = (
        "import sys\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'typer':\n"
        "            sys.stderr.write('typer imported\\n')\n"
        "        return None\n"
        "sys.meta_path.insert(0, Watch())\n"
        "from tmkb_graph.entry import main\n"
        "sys.argv = ['tmkb-graph', *sys.argv[1:]]\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, timeout=120)


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "examples/webhook-processor.yaml", "--format", "json"],
        ["analyze", "examples/event-driven.yaml", "-f", "markdown", "--fail-on", "none"],
        ["analyze", "examples/gateway-services.yaml", "--fail-on=critical"],
    ],
)
def test_a_plain_call_prints_and_exits_as_the_command_without_typer(args: list[str]) -> None:
    process = _console(args)
    in_process = CliRunner().invoke(app, args)
    assert (process.returncode, process.stdout) == (in_process.exit_code, in_process.stdout)
    assert process.stderr == ""


def test_a_file_with_a_problem_is_reported_by_the_command(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ncomponents: [1]\n", encoding="utf-8")
    args = ["analyze", str(broken)]
    process = _console(args)
    in_process = CliRunner().invoke(app, args)
    assert process.returncode == in_process.exit_code == 2
    assert process.stderr == "typer imported\n" + in_process.stderr
