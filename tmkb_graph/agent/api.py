"""The Python API: load the knowledge base once, then ask it plain questions that return models.

    from tmkb_graph import KnowledgeBase
    kb = KnowledgeBase.load()
    answer = kb.query("add a Celery task that processes the uploaded file")

The CLI's agent commands, the hooks and the MCP server all call this class.
"""

from __future__ import annotations

import builtins
import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tmkb_graph.agent.query import ContextAnswer, ContextRequest, answer_context
from tmkb_graph.agent.relevance import RelevanceIndex
from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import LoadedArchitecture, load_architecture, parse_architecture
from tmkb_graph.findings import AnalysisResult
from tmkb_graph.knowledge_graph import build_knowledge_graph
from tmkb_graph.library import PatternLibrary, load_library
from tmkb_graph.pattern import Pattern
from tmkb_graph.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from tmkb_graph.agent.rules import RuleFile, Target

ArchSource = str | Path | LoadedArchitecture


class KnowledgeBase:
    """The pattern library, its knowledge graph and the relevance index, loaded once."""

    def __init__(self, library: PatternLibrary, today: dt.date | None = None) -> None:
        self.library = library
        self.today = today
        vocabulary = load_vocabulary()
        self.severity_ranks = {name: vocabulary.rank("severities", name) for name in vocabulary.names("severities")}

    @classmethod
    def load(cls, patterns_dir: str | Path | None = None, today: dt.date | None = None) -> KnowledgeBase:
        """The shipped library (or the one under ``patterns_dir``); raises InputError on a bad file."""
        return cls(load_library(patterns_dir), today)

    @cached_property
    def graph(self) -> Any:
        """The knowledge graph (networkx) of the library."""
        return build_knowledge_graph(self.library)

    @cached_property
    def index(self) -> RelevanceIndex:
        """The relevance index used by :meth:`query`."""
        return RelevanceIndex.build(self.library, self.graph, self.severity_ranks)

    def query(
        self,
        context: str,
        *,
        language: str | None = None,
        framework: str | None = None,
        files: builtins.list[str] | tuple[str, ...] = (),
        arch: ArchSource | None = None,
        max_tokens: int = 500,
    ) -> ContextAnswer:
        """The patterns (and, with ``arch``, the open findings) that apply to ``context``, bounded in tokens."""
        request = ContextRequest(context=context, language=language, framework=framework, files=list(files), max_tokens=max_tokens)
        analysis = None if arch is None else self.analyze(arch)
        return answer_context(request, self.index, self.library.patterns, analysis, self.severity_ranks)

    def analyze(self, arch: ArchSource, *, today: dt.date | None = None) -> AnalysisResult:
        """Findings for an architecture: a path, a loaded architecture, or YAML text (anything with a newline)."""
        return analyze(self.architecture(arch), self.library, today or self.today)

    def architecture(self, arch: ArchSource) -> LoadedArchitecture:
        """An architecture from a path, YAML text (anything with a newline) or an already loaded one."""
        if isinstance(arch, LoadedArchitecture):
            return arch
        if isinstance(arch, str) and "\n" in arch:
            return parse_architecture(arch, "<text>")
        return load_architecture(arch)

    def get(self, pattern_id: str) -> Pattern:
        """One pattern in full; KeyError naming the nearest id when there is none."""
        return self.library.get(pattern_id.strip().upper())

    def list(self) -> builtins.list[Pattern]:
        """Every pattern, in id order."""
        return self.library.sorted()

    def rules(
        self,
        arch: ArchSource,
        target: Target | str = "agents-md",
        *,
        max_tokens: int | None = None,
        code_paths: dict[str, builtins.list[str]] | None = None,
    ) -> RuleFile:
        """The security rules for this architecture's open findings, written for one agent's rule file.

        ``code_paths`` maps component ids to the globs of their code, for the rule file's globs.
        """
        from tmkb_graph.agent.rules import DEFAULT_MAX_TOKENS, build_rules

        budget = DEFAULT_MAX_TOKENS if max_tokens is None else max_tokens
        return build_rules(self.analyze(arch), self.library, target, max_tokens=budget, code_paths=code_paths)
