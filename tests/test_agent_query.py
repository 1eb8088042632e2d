"""The context query: at most 3 patterns, never more than 500 real tokens for the whole answer."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from agent_support import knowledge_base, relevance_set
from conftest import EXAMPLES
from tmkb_graph.agent.query import HARD_TOKEN_CAP, MAX_PATTERNS
from tmkb_graph.cli import app
from tmkb_graph.tokens import count_tokens

runner = CliRunner()
SAAS = EXAMPLES / "saas-file-processing.yaml"


def _all_contexts() -> list[str]:
    data = relevance_set()
    return [c["context"] for c in data["relevant"]] + list(data["unrelated"])


def test_every_answer_is_within_the_cap_and_counts_itself_exactly() -> None:
    kb = knowledge_base()
    for context in _all_contexts():
        answer = kb.query(context)
        text = answer.to_json()
        assert answer.token_count == count_tokens(text) <= HARD_TOKEN_CAP
        assert answer.patterns_included == len(answer.patterns) <= MAX_PATTERNS
        assert answer.pattern_count >= answer.patterns_included


def test_a_small_budget_drops_reasons_then_patterns_but_keeps_the_best() -> None:
    kb = knowledge_base()
    full = kb.query("handle Stripe webhooks and enqueue the payload for a worker")
    small = kb.query("handle Stripe webhooks and enqueue the payload for a worker", max_tokens=150)
    assert full.patterns_included == 3 and full.patterns[0].why
    assert small.token_count <= 150 < full.token_count
    assert 1 <= small.patterns_included < full.patterns_included
    assert small.patterns[0].id == full.patterns[0].id and small.patterns[0].why is None
    assert small.pattern_count == full.pattern_count


def test_unrelated_request_gets_an_empty_answer() -> None:
    answer = knowledge_base().query("convert celsius to fahrenheit")
    assert answer.patterns == [] and answer.pattern_count == 0 and answer.findings is None


def test_budget_outside_80_to_500_is_refused() -> None:
    with pytest.raises(ValidationError):
        knowledge_base().query("Kafka consumer", max_tokens=501)
    with pytest.raises(ValidationError):
        knowledge_base().query("Kafka consumer", max_tokens=10)


def test_with_an_architecture_the_answer_holds_the_open_findings_the_request_touches() -> None:
    answer = knowledge_base().query("change the exporter worker so it also zips the folder", arch=SAAS)
    assert answer.findings and answer.findings[0].pattern == "TMKB-AUTHZ-001" and answer.findings[0].place == "exporter"
    assert any("job_reauthorization" in m for m in answer.findings[0].missing)
    assert answer.token_count <= HARD_TOKEN_CAP
    none = knowledge_base().query("add a dark mode toggle", arch=SAAS)
    assert none.findings == [] and none.finding_count == 0


def test_cli_query_prints_the_json_answer() -> None:
    result = runner.invoke(app, ["query", "--context", "add a Celery task that processes the uploaded file"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["patterns"][0]["id"] == "TMKB-AUTHZ-001"
    assert set(data["patterns"][0]) >= {"id", "severity", "threat", "check", "fix"}
    assert data["token_count"] == count_tokens(result.stdout.strip()) <= 500


def test_cli_query_verbose_text_and_json_show_full_patterns() -> None:
    text = runner.invoke(app, ["query", "-c", "Kafka consumer", "--verbose"])
    assert text.exit_code == 0 and "TMKB-AUTHZ-001  Background job" in text.stdout and "Attack scenario" in text.stdout
    data = json.loads(runner.invoke(app, ["query", "-c", "Kafka consumer", "-v", "--format", "json"]).stdout)
    assert data["patterns"][0]["pattern"]["id"] == "TMKB-AUTHZ-001" and data["patterns"][0]["pattern"]["mitigations"]
    nothing = runner.invoke(app, ["query", "-c", "add a dark mode toggle", "-v"])
    assert "No pattern" in nothing.stdout


def test_cli_query_bad_input_is_one_message_and_exit_2(tmp_path) -> None:
    missing = runner.invoke(app, ["query", "-c", "Kafka consumer", "--arch", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "none.yaml" in missing.stderr and "Traceback" not in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncomponents: {a: {type: wizard}}\n", encoding="utf-8")
    wrong = runner.invoke(app, ["query", "-c", "Kafka consumer", "--arch", str(bad)])
    assert wrong.exit_code == 2 and "wizard" in wrong.stderr
    empty = runner.invoke(app, ["query", "-c", ""])
    assert empty.exit_code == 2 and "context" in empty.stderr
    assert runner.invoke(app, ["query", "-c", "x", "--max-tokens", "900"]).exit_code == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(st.sampled_from(["celery", "webhook", "Kafka", "consumer", "/{id}", "id__in", "bulk", "tenant", "cron", "🙂", "\x1b[31m", "BackgroundTasks", "x" * 300]), max_size=60),
    noise=st.text(max_size=200),
    budget=st.integers(min_value=80, max_value=500),
)
def test_any_request_gets_a_bounded_answer(words: list[str], noise: str, budget: int) -> None:
    context = (" ".join(words) + " " + noise).strip() or "x"
    answer = knowledge_base().query(context, max_tokens=budget)
    assert answer.token_count == count_tokens(answer.to_json()) <= budget
    assert len(answer.patterns) <= MAX_PATTERNS


def test_a_request_over_20000_characters_is_refused_with_a_message() -> None:
    result = runner.invoke(app, ["query", "-c", "celery " * 3000])
    assert result.exit_code == 2 and "context" in result.stderr and "20000" in result.stderr
