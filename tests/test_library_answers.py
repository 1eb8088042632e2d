"""The first `list` or `get` keeps the answers of every plain request of the library, each the exact
text the command prints, so a later request for another pattern or format needs no typer."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from test_answer_cache import _entry
from tmkb_graph import answer_cache
from tmkb_graph.cli import app
from tmkb_graph.library import load_library
from tmkb_graph.library_answers import library_answers


def test_every_kept_answer_is_the_commands_own_output() -> None:
    answers = library_answers(load_library())
    assert len(answers) == 2 + 2 * len(load_library().patterns)
    for request, text in answers.items():
        args = [*request[:-1], "--format", request[-1]]
        assert CliRunner().invoke(app, args).stdout == text, request


@pytest.mark.parametrize(
    ("request_", "same_as"),
    [
        (("list", "text"), ("list", "table")),
        (("get", " tmkb-authz-002 ", "text"), ("get", "TMKB-AUTHZ-002", "table")),
        (("get", "tmkb-webhook-001", "json"), ("get", "TMKB-WEBHOOK-001", "json")),
    ],
)
def test_requests_that_print_the_same_text_share_one_answer(request_: tuple[str, ...], same_as: tuple[str, ...]) -> None:
    assert answer_cache.canonical(request_) == same_as


def test_after_one_list_another_pattern_is_answered_without_typer(tmp_path: Path) -> None:
    assert _entry(["list"], tmp_path).returncode == 0
    args = ["get", "tmkb-webhook-002", "-f", "json"]
    later = _entry(args, tmp_path)
    assert later.returncode == 0 and "typer imported: False" in later.stderr
    assert later.stdout == CliRunner().invoke(app, args).stdout


def test_an_unknown_pattern_still_gets_the_commands_error(tmp_path: Path) -> None:
    assert _entry(["list"], tmp_path).returncode == 0
    result = _entry(["get", "TMKB-AUTHZ-999"], tmp_path)
    assert result.returncode == 2 and "typer imported: True" in result.stderr
