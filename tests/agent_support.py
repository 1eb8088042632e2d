"""Shared helpers for the agent-interface tests: one knowledge base, the relevance set."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from conftest import TODAY
from tmkb_graph.agent.api import KnowledgeBase

RELEVANCE_SET = Path(__file__).resolve().parent / "relevance_set.yaml"


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    return KnowledgeBase.load(today=TODAY)


@lru_cache(maxsize=1)
def relevance_set() -> dict[str, Any]:
    return yaml.safe_load(RELEVANCE_SET.read_text(encoding="utf-8"))
