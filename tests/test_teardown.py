"""`analyze` run as a console process ends without the interpreter's teardown: the same output,
streams flushed, and the same exit code as the command run in process."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import REPO
from tmkb_graph.cli import app


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "examples/webhook-processor.yaml", "--format", "json"],
        ["analyze", "examples/event-driven.yaml", "--format", "markdown", "--fail-on", "none"],
        ["analyze", "examples/gateway-services.yaml"],
        ["analyze", "no-such-file.yaml"],
    ],
)
def test_the_console_process_prints_and_exits_as_the_command(args: list[str]) -> None:
    code = "import sys\nfrom tmkb_graph.cli import main\nsys.argv = ['tmkb-graph', *sys.argv[1:]]\nmain()\n"
    process = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, timeout=120)
    in_process = CliRunner().invoke(app, args)
    assert process.returncode == in_process.exit_code
    assert process.stdout == in_process.stdout
    assert process.stderr == in_process.stderr
