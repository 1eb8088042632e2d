"""Relevance an agent can rely on: natural phrasing finds the right patterns, unrelated work finds none."""

from __future__ import annotations

import pytest

from agent_support import knowledge_base, relevance_set
from tmkb_graph.agent.words import contains_phrase, glob_regex, literal_regex, stem, tokens

P_AT_1_FLOOR = 0.9
R_AT_3_FLOOR = 0.9
ANSWER_PRECISION_FLOOR = 0.85  # of the patterns an answer holds, the share a reviewer expects


def _ranked(case: dict) -> list[str]:
    scored = knowledge_base().index.score(case["context"], case.get("files", ()), case.get("language"), case.get("framework"))
    return [s.pattern_id for s in scored]


def relevance_figures() -> dict[str, float]:
    """Precision at 1, recall at 3 and unrelated hits over tests/relevance_set.yaml."""
    cases = relevance_set()["relevant"]
    p1 = r3 = precision = 0.0
    answered = 0
    for case in cases:
        ranked, expected = _ranked(case), set(case["expect"])
        p1 += bool(ranked) and ranked[0] in expected
        r3 += len(set(ranked[:3]) & expected) / min(len(expected), 3)
        if ranked:
            answered += 1
            precision += len(set(ranked[:3]) & expected) / len(ranked[:3])
    unrelated = sum(bool(_ranked({"context": text})) for text in relevance_set()["unrelated"])
    return {
        "p_at_1": p1 / len(cases),
        "r_at_3": r3 / len(cases),
        "answer_precision": precision / max(answered, 1),
        "unrelated_hits": unrelated,
        "cases": len(cases),
    }


def test_relevance_set_is_large_enough_and_names_real_patterns() -> None:
    data = relevance_set()
    assert len(data["relevant"]) >= 40 and len(data["unrelated"]) >= 10
    known = set(knowledge_base().library.patterns)
    for case in data["relevant"]:
        assert set(case["expect"]) <= known, case


def test_precision_at_1_and_recall_at_3_hold_and_unrelated_requests_get_nothing() -> None:
    figures = relevance_figures()
    assert figures["p_at_1"] >= P_AT_1_FLOOR, figures
    assert figures["r_at_3"] >= R_AT_3_FLOOR, figures
    assert figures["answer_precision"] >= ANSWER_PRECISION_FLOOR, figures
    assert figures["unrelated_hits"] == 0, figures


@pytest.mark.parametrize(
    "context",
    ["enqueue an RQ job to export the organization's invoices", "Sidekiq worker", "FastAPI BackgroundTasks", "Kafka consumer"],
)
def test_async_phrasings_from_the_issue_find_the_async_boundary_pattern(context: str) -> None:
    assert _ranked({"context": context})[0] == "TMKB-AUTHZ-001"


def test_nightly_cron_for_every_tenant_finds_the_scheduled_job_pattern() -> None:
    assert _ranked({"context": "nightly cron job for every tenant"})[0] == "TMKB-AUTHZ-014"


def test_language_and_framework_are_boosts_never_filters() -> None:
    kb = knowledge_base()
    plain = {s.pattern_id: s.score for s in kb.index.score("background job that exports a report")}
    node = {s.pattern_id: s.score for s in kb.index.score("background job that exports a report", language="javascript", framework="express")}
    celery = {s.pattern_id: s.score for s in kb.index.score("background job that exports a report", framework="celery")}
    assert "TMKB-AUTHZ-001" in node and node["TMKB-AUTHZ-001"] == plain["TMKB-AUTHZ-001"]
    assert celery["TMKB-AUTHZ-001"] > plain["TMKB-AUTHZ-001"]
    assert kb.index.score("add a dark mode toggle", framework="celery", language="python") == []


def test_file_globs_match_the_files_being_edited() -> None:
    kb = knowledge_base()
    without = {s.pattern_id: s.score for s in kb.index.score("change how invoices are handled")}
    with_file = {s.pattern_id: s.score for s in kb.index.score("change how invoices are handled", ["src/app/webhooks/stripe.py"])}
    assert "TMKB-WEBHOOK-001" not in without and "TMKB-WEBHOOK-001" in with_file


def test_words_match_whole_tokens_never_substrings() -> None:
    assert tokens("Uploaded files") == ("upload", "fil")
    assert not contains_phrase(tokens("upload the report"), tokens("load"))
    assert not contains_phrase(tokens("a download link"), tokens("load"))
    assert contains_phrase(tokens("Queues queued"), tokens("queue"))
    assert stem("webhooks") == stem("webhook") and stem("ids") == "ids"
    assert tokens("BackgroundTasks apply_async") == ("background", "task", "apply", "async")
    # a keyword written as code is found as written, not inside a longer identifier
    assert _ranked({"context": "rename the variable reupload_count"}) == []
    assert literal_regex("id__in").search("filter(id__in=ids)") and not literal_regex("id__in").search("xid__in=1")
    assert literal_regex("session.get(").search("db.session.get(File, 1)") and not literal_regex("session.get(").search("mysession.get(")


def test_file_globs_respect_folders() -> None:
    assert glob_regex("**/tasks.py").match("tasks.py") and glob_regex("**/tasks.py").match("a/b/tasks.py")
    assert not glob_regex("**/tasks.py").match("a/subtasks.py")
    assert not glob_regex("**/jobs/*.py").match("jobs/a/b.py")
