"""The Python API: load the knowledge base once, then ask it plain questions that return models.

    from tmkb_graph import KnowledgeBase
    kb = KnowledgeBase.load()
    answer = kb.query("add a Celery task that processes the uploaded file")

The CLI's agent commands, the hooks and the MCP server all call this class. Only what a call needs
is imported and loaded: a query answered from the cached relevance index never loads the library.
"""

from __future__ import annotations

import builtins
import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tmkb_graph.agent.query import ContextAnswer, ContextRequest, answer_context
from tmkb_graph.agent.relevance import RelevanceIndex

if TYPE_CHECKING:
    from tmkb_graph.agent.rules import RuleFile, Target
    from tmkb_graph.architecture import LoadedArchitecture
    from tmkb_graph.findings import AnalysisResult
    from tmkb_graph.library import PatternLibrary
    from tmkb_graph.pattern import Pattern

ArchSource = Any  # str | Path | LoadedArchitecture: a path, YAML text, or a loaded architecture


class KnowledgeBase:
    """The pattern library, its knowledge graph and the relevance index, each loaded once when first used."""

    def __init__(self, library: PatternLibrary | None = None, today: dt.date | None = None, *, patterns_dir: str | Path | None = None) -> None:
        self._library = library
        self._from_files = library is None  # a library given in memory may differ from any files
        self._patterns_dir = patterns_dir
        self.today = today

    @classmethod
    def load(cls, patterns_dir: str | Path | None = None, today: dt.date | None = None) -> KnowledgeBase:
        """The shipped library (or the one under ``patterns_dir``); raises InputError on a bad file.

        When the relevance index of exactly these files is cached (they were loaded and checked
        before), the library itself is loaded only when a call needs it.
        """
        kb = cls(None, today, patterns_dir=patterns_dir)
        if kb._cached_index is None:
            kb.library  # noqa: B018 - load and check it now, so a broken library fails here
        return kb

    @property
    def library(self) -> PatternLibrary:
        """The pattern library."""
        if self._library is None:
            from tmkb_graph.library import load_library

            self._library = load_library(self._patterns_dir)
        return self._library

    @cached_property
    def graph(self) -> Any:
        """The knowledge graph (networkx) of the library."""
        from tmkb_graph.knowledge_graph import build_knowledge_graph

        return build_knowledge_graph(self.library)

    @cached_property
    def _cached_index(self) -> RelevanceIndex | None:
        if not self._from_files:
            return None
        from tmkb_graph.agent.index_cache import load_index

        return load_index(self._patterns_dir)

    @cached_property
    def index(self) -> RelevanceIndex:
        """The relevance index used by :meth:`query` (from the cache when it matches the files)."""
        if self._cached_index is not None:
            return self._cached_index
        from tmkb_graph.vocabulary import load_vocabulary

        vocabulary = load_vocabulary()
        ranks = {name: vocabulary.rank("severities", name) for name in vocabulary.names("severities")}
        index = RelevanceIndex.build(self.library, self.graph, ranks)
        if self._from_files:
            from tmkb_graph.agent.index_cache import store_index

            store_index(self._patterns_dir, index)
        return index

    @property
    def severity_ranks(self) -> dict[str, int]:
        """Severity name -> rank (higher is worse)."""
        return self.index.severity_ranks

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
        return answer_context(request, self.index, analysis)

    def analyze(self, arch: ArchSource, *, today: dt.date | None = None) -> AnalysisResult:
        """Findings for an architecture: a path, a loaded architecture, or YAML text (anything with a newline)."""
        from tmkb_graph.analysis import analyze

        return analyze(self.architecture(arch), self.library, today or self.today)

    def architecture(self, arch: ArchSource) -> LoadedArchitecture:
        """An architecture from a path, YAML text (anything with a newline) or an already loaded one."""
        from tmkb_graph.architecture import LoadedArchitecture, load_architecture, parse_architecture

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

