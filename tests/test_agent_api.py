"""The Python API: load once, then plain calls that return pydantic models."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

import tmkb_graph
from agent_support import knowledge_base
from conftest import EXAMPLES
from tmkb_graph.agent.api import KnowledgeBase


def test_the_package_exports_the_knowledge_base_lazily() -> None:
    assert tmkb_graph.KnowledgeBase is KnowledgeBase
    with pytest.raises(AttributeError):
        tmkb_graph.NoSuchThing  # noqa: B018


def test_every_call_returns_models() -> None:
    kb = knowledge_base()
    for value in (
        kb.query("Kafka consumer"),
        kb.analyze(EXAMPLES / "webhook-processor.yaml"),
        kb.get("tmkb-authz-001"),
        kb.rules(EXAMPLES / "webhook-processor.yaml", "cursor"),
        *kb.list(),
    ):
        assert isinstance(value, BaseModel)
    assert [p.id for p in kb.list()] == sorted(kb.library.patterns)


def test_analyze_takes_a_path_or_yaml_text_with_the_same_findings() -> None:
    kb = knowledge_base()
    path = EXAMPLES / "webhook-processor.yaml"
    by_path = kb.analyze(path)
    by_text = kb.analyze(path.read_text(encoding="utf-8"))
    assert [f.id for f in by_path.findings] == [f.id for f in by_text.findings]


def test_get_names_the_nearest_id_for_a_typo() -> None:
    with pytest.raises(KeyError, match="TMKB-AUTHZ-001"):
        knowledge_base().get("TMKB-AUTHZ-0001")


def test_query_answers_are_deterministic() -> None:
    kb = knowledge_base()
    assert kb.query("handle Stripe webhooks").to_json() == KnowledgeBase.load().query("handle Stripe webhooks").to_json()
