"""tmkb-graph: a threat model knowledge base whose knowledge is a graph.

``KnowledgeBase`` (the Python API) is imported on first use, so importing the package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tmkb_graph.agent.api import KnowledgeBase

__all__ = ["KnowledgeBase"]


def __getattr__(name: str) -> Any:
    if name == "KnowledgeBase":
        from tmkb_graph.agent.api import KnowledgeBase

        return KnowledgeBase
    raise AttributeError(f"module 'tmkb_graph' has no attribute {name!r}")
