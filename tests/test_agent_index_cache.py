"""The relevance index kept between processes: same answers, rebuilt when a pattern file changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent_support import knowledge_base, relevance_set
from tmkb_graph.agent.api import KnowledgeBase
from tmkb_graph.agent.index_cache import cache_key, index_from_data, index_to_data
from tmkb_graph.resources import data_dir
from tmkb_graph.user_cache import CACHE_ENV


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_index_survives_a_round_trip_through_json_with_the_same_scores() -> None:
    index = knowledge_base().index
    again = index_from_data(index_to_data(index))
    for case in relevance_set()["relevant"]:
        args = (case["context"], case.get("files", ()), case.get("language"), case.get("framework"))
        assert again.score(*args) == index.score(*args)


def test_a_second_load_answers_from_the_cache_without_loading_the_library(cache: Path) -> None:
    first = KnowledgeBase.load()
    expected = first.query("add a Celery task that processes the uploaded file").to_json()
    assert list(cache.glob("relevance-index-*.json"))
    second = KnowledgeBase.load()
    assert second.query("add a Celery task that processes the uploaded file").to_json() == expected
    assert second._library is None  # answered without loading a pattern file


def test_a_changed_pattern_file_gets_a_new_index(cache: Path, tmp_path: Path) -> None:
    patterns = tmp_path / "patterns"
    shutil.copytree(data_dir("patterns"), patterns)
    before = KnowledgeBase.load(patterns)
    assert before.query("rotate the flux capacitor").patterns == []
    key = cache_key(patterns)
    file = patterns / "authorization" / "TMKB-AUTHZ-001.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace("keywords: [background job,", "keywords: [flux capacitor, background job,"), encoding="utf-8")
    assert cache_key(patterns) != key
    after = KnowledgeBase.load(patterns)
    assert after.query("rotate the flux capacitor").patterns[0].id == "TMKB-AUTHZ-001"


def test_a_damaged_cache_file_is_only_a_slower_start(cache: Path) -> None:
    KnowledgeBase.load().index  # noqa: B018
    for path in cache.glob("relevance-index-*.json"):
        path.write_text("{damaged", encoding="utf-8")
    kb = KnowledgeBase.load()
    assert kb.query("Kafka consumer").patterns[0].id == "TMKB-AUTHZ-001"


def test_a_broken_library_still_fails_at_load_even_with_a_cache(cache: Path, tmp_path: Path) -> None:
    from tmkb_graph.errors import InputError

    patterns = tmp_path / "patterns"
    shutil.copytree(data_dir("patterns"), patterns)
    KnowledgeBase.load(patterns).index  # noqa: B018
    (patterns / "authorization" / "TMKB-AUTHZ-002.yaml").write_text("id: TMKB-AUTHZ-002\n", encoding="utf-8")
    with pytest.raises(InputError):
        KnowledgeBase.load(patterns)
