"""The answer cache: a repeated `list` or `get` is answered before typer or pydantic is imported,
with exactly the text the full command printed, and a changed library makes a new key."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO
from tmkb_graph import answer_cache
from tmkb_graph.cli import app


@pytest.mark.parametrize(
    ("argv", "request_"),
    [
        (["list"], ("list", "table")),
        (["list", "-f", "json"], ("list", "json")),
        (["list", "--format=text"], ("list", "text")),
        (["get", "TMKB-AUTHZ-001"], ("get", "TMKB-AUTHZ-001", "table")),
        (["get", "--format", "json", "tmkb-authz-002"], ("get", "tmkb-authz-002", "json")),
        (["list", "--help"], None),
        (["list", "--format"], None),
        (["list", "--format", "JSON"], None),
        (["list", "extra"], None),
        (["get"], None),
        (["get", "A", "B"], None),
        (["get", "--", "A"], None),
        (["analyze", "x.yaml"], None),
        ([], None),
    ],
)
def test_only_plain_list_and_get_calls_are_answered_from_the_cache(argv: list[str], request_: tuple[str, ...] | None) -> None:
    assert answer_cache.request_of(argv) == request_


def _entry(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    """Run the console entry point in a fresh process and report whether typer was imported."""
    code = (
        "import sys\n"
        "from tmkb_graph.entry import main\n"
        f"sys.argv = ['tmkb-graph', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code or 0\nelse:\n    code = 0\n"
        "sys.stderr.write(f'\\ntyper imported: {\"typer\" in sys.modules}\\n')\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "TMKB_GRAPH_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


@pytest.mark.parametrize("args", [["list"], ["get", "TMKB-AUTHZ-004", "--format", "json"]])
def test_a_repeated_call_prints_the_same_text_without_importing_typer(tmp_path: Path, args: list[str]) -> None:
    first = _entry(args, tmp_path)  # the library checked plainly (plain_library), its answers kept
    second = _entry(args, tmp_path)  # answered from the cache
    assert first.returncode == second.returncode == 0
    assert "typer imported: False" in first.stderr and "typer imported: False" in second.stderr
    assert first.stdout == second.stdout == CliRunner().invoke(app, args).stdout


def test_a_failed_call_is_not_remembered(tmp_path: Path) -> None:
    for _ in range(2):
        result = _entry(["get", "TMKB-NOPE-001"], tmp_path)
        assert result.returncode == 2 and "typer imported: True" in result.stderr


def test_a_changed_pattern_file_makes_a_new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "data"
    shutil.copytree(REPO / "patterns", copy / "patterns")
    shutil.copytree(REPO / "ontology", copy / "ontology")
    monkeypatch.setattr(answer_cache, "data_dir", lambda name: copy / name)
    before = answer_cache.library_key()
    target = copy / "patterns" / "authorization" / "TMKB-AUTHZ-001.yaml"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert before is not None and answer_cache.library_key() not in (None, before)


def test_answers_for_an_older_library_are_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMKB_GRAPH_CACHE_DIR", str(tmp_path))
    stale = tmp_path / "answers-0123456789abcdef0123456789abcdef.json"
    stale.write_text("{}", encoding="utf-8")
    answer_cache.remember(("list", "table"), "text\n")
    assert not stale.exists()
    assert answer_cache.lookup(("list", "table"), answer_cache.answers_file()) == "text\n"
