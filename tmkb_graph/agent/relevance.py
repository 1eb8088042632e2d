"""Which patterns a request is about: triggers, knowledge-graph neighbours, then boosts.

A pattern's score adds up evidence: its trigger keywords and actions found in the request (whole
tokens; code keywords such as ``id__in`` as written), its file globs matching the files being
edited, topic words it shares with the request, and the knowledge-graph nodes (component types,
boundary kinds) it is linked to that the request mentions in everyday words. Language and framework
only raise a score that is already there; they never filter. Below ``THRESHOLD`` a pattern is not
relevant, so unrelated work gets nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from tmkb_graph.agent.concepts import CONCEPTS
from tmkb_graph.agent.words import (
    STOPWORDS,
    content_tokens,
    glob_regex,
    is_code,
    literal_regex,
    normal_path,
    stem,
    tokens,
)

THRESHOLD = 1.0
RELATIVE_CUTOFF = 0.25  # a pattern far below the best one is noise next to it
# a pattern none of whose own triggers appear (only graph neighbours, shared words, boosts) must come
# close to the best: "a Celery task" shares the async boundary with the webhook-queue pattern, but
# nothing in it is about a webhook
INDIRECT_CUTOFF = 0.75
PHRASE_WEIGHT = 1.2
WORD_WEIGHT = 0.8
ACTION_WEIGHT = 1.5
PARTIAL_ACTION_WEIGHT = 0.8
GLOB_WEIGHT = 1.0
NODE_WEIGHTS = {"boundary": 0.7, "component_type": 0.3}
GRAPH_CAP = 1.2
WORD_OVERLAP_WEIGHT = 0.5  # shared topic words with the triggers, divided among the patterns using them
WORD_OVERLAP_CAP = 0.8
LANGUAGE_BOOST = 0.1
FRAMEWORK_BOOST = 0.2
# a route with a path parameter (/files/{id}, <int:id>, /:id) is an entry point reached from outside
_ROUTE = re.compile(r"/\{[^}/]+\}|<(?:\w+:)?\w+>|/:\w+")
_ROUTE_NODES = ("component_type:api", "boundary:ingress")
_STOP_STEMS = frozenset(stem(w) for w in STOPWORDS)


@dataclass(frozen=True)
class Scored:
    """One relevant pattern: its score and the evidence that earned it."""

    pattern_id: str
    score: float
    reasons: tuple[str, ...]
    direct: bool = True  # whether one of the pattern's own triggers (keyword, action, file glob) matched


@dataclass(frozen=True)
class TriggerKeyword:
    """A trigger keyword as matched: its tokens, or (written as code) a literal expression."""

    raw: str
    phrase: tuple[str, ...]
    literal: re.Pattern[str] | None  # code keywords: matched as written
    by_tokens: bool  # whether the token phrase may match too


@dataclass(frozen=True)
class _Request:
    text: str
    grams: frozenset[tuple[str, ...]]  # every run of up to the longest phrase's tokens, camelCase split or not
    present: frozenset[str]
    mentioned: frozenset[str]
    paths: tuple[str, ...]

    def has(self, phrase: tuple[str, ...]) -> bool:
        return phrase in self.grams


def _grams(views: tuple[tuple[str, ...], ...], longest: int) -> frozenset[tuple[str, ...]]:
    return frozenset(view[i : i + n] for view in views for n in range(1, longest + 1) for i in range(len(view) - n + 1))


@dataclass
class IndexEntry:
    """One pattern's triggers, graph neighbours and boosts, tokenized for scoring."""

    pattern_id: str
    severity_rank: int
    keywords: list[TriggerKeyword]
    actions: list[tuple[str, frozenset[str]]]
    globs: list[tuple[str, Any]]
    nodes: frozenset[str]
    languages: frozenset[str]
    frameworks: frozenset[str]
    framework_words: frozenset[str]
    vocabulary: frozenset[str]


@dataclass
class RelevanceIndex:
    """The library's triggers and graph neighbours, tokenized once."""

    entries: list[IndexEntry]
    keyword_df: Counter[tuple[str, ...]] = field(default_factory=Counter)
    word_df: Counter[str] = field(default_factory=Counter)
    concepts: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    longest_phrase: int = 1
    summaries: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> severity, threat, check, fix
    severity_ranks: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, library: Any, graph: Any, severity_ranks: dict[str, int]) -> RelevanceIndex:
        """Index every pattern of ``library`` with its neighbours in the knowledge ``graph``."""
        patterns = library.sorted()
        entries = [_entry(p, graph, severity_ranks) for p in patterns]
        summaries = {p.id: {"severity": p.severity, **p.agent_summary.model_dump()} for p in patterns}
        df: Counter[tuple[str, ...]] = Counter()
        word_df: Counter[str] = Counter()
        for entry in entries:
            df.update({k.phrase for k in entry.keywords})
            word_df.update(entry.vocabulary)
        concepts = sorted(((tokens(word), nodes) for word, nodes in CONCEPTS.items()), key=lambda c: c[0])
        phrases = [k.phrase for e in entries for k in e.keywords] + [c[0] for c in concepts]
        return cls(entries, df, word_df, concepts, max(map(len, phrases), default=1), summaries, dict(severity_ranks))

    def score(
        self,
        context: str,
        files: Iterable[str] = (),
        language: str | None = None,
        framework: str | None = None,
    ) -> list[Scored]:
        """The relevant patterns for a request, best first (ties: more severe, then lower id)."""
        request = self._request(context, files)
        scored = []
        for entry in self.entries:
            result = self._score_entry(entry, request, language, framework)
            if result.score >= THRESHOLD:
                scored.append((result, entry.severity_rank))
        scored.sort(key=lambda pair: (-pair[0].score, -pair[1], pair[0].pattern_id))
        if not scored:
            return []
        best = scored[0][0].score
        return [s for s, _ in scored if s.score >= best * (RELATIVE_CUTOFF if s.direct else INDIRECT_CUTOFF)]

    def _request(self, context: str, files: Iterable[str]) -> _Request:
        views = (tokens(context), tokens(context, split_camel=False))
        grams = _grams(views, self.longest_phrase)
        mentioned: set[str] = set(_ROUTE_NODES) if _ROUTE.search(context) else set()
        for phrase, nodes in self.concepts:
            if phrase in grams:
                mentioned.update(nodes)
        present = frozenset(views[0] + views[1]) - _STOP_STEMS
        paths = tuple(normal_path(f) for f in files if f)
        return _Request(context, grams, present, frozenset(mentioned), paths)

    def _score_entry(self, entry: IndexEntry, request: _Request, language: str | None, framework: str | None) -> Scored:
        score, reasons, covered, keyword_hit = 0.0, [], set(), False
        for keyword in entry.keywords:
            literal = keyword.literal is not None and keyword.literal.search(request.text)
            if literal or (keyword.by_tokens and request.has(keyword.phrase)):
                score += PHRASE_WEIGHT if len(keyword.phrase) > 1 or literal else WORD_WEIGHT / self.keyword_df[keyword.phrase]
                reasons.append(keyword.raw)
                covered.update(keyword.phrase)
                keyword_hit = True
        action = _action_score(entry, request.present, reasons)
        score += action
        direct = keyword_hit or action > 0
        shared = (entry.vocabulary & request.present) - covered
        score += min(WORD_OVERLAP_CAP, sum(WORD_OVERLAP_WEIGHT / self.word_df[w] for w in shared))
        for glob, regex in entry.globs:
            if any(regex.match(p) for p in request.paths):
                score += GLOB_WEIGHT
                reasons.append(glob)
                direct = True
                break
        hits = sorted(entry.nodes & request.mentioned)
        if hits:
            score += min(GRAPH_CAP, sum(NODE_WEIGHTS[h.split(":", 1)[0]] for h in hits))
            reasons.extend(h.split(":", 1)[1] for h in hits if h.startswith("boundary:"))
        if score > 0:
            score += _boosts(entry, request, language, framework, reasons)
        return Scored(entry.pattern_id, round(score, 4), tuple(dict.fromkeys(reasons)), direct)


def _boosts(entry: IndexEntry, request: _Request, language: str | None, framework: str | None, reasons: list[str]) -> float:
    boost = LANGUAGE_BOOST if language and language.strip().lower() in entry.languages else 0.0
    named = framework.strip().lower() if framework else ""
    boosted = sorted({named} & entry.frameworks) or sorted(entry.framework_words & request.present)
    if boosted:
        reasons.append(boosted[0])
        boost += FRAMEWORK_BOOST
    return boost


def _action_score(entry: IndexEntry, present: frozenset[str], reasons: list[str]) -> float:
    best, best_action = 0.0, None
    for raw, needed in entry.actions:
        matched = len(needed & present)
        if needed and matched == len(needed):
            value = ACTION_WEIGHT if matched > 1 else PARTIAL_ACTION_WEIGHT
        elif matched >= 2 and matched / len(needed) >= 2 / 3:
            value = PARTIAL_ACTION_WEIGHT
        else:
            continue
        if value > best:
            best, best_action = value, raw
    if best_action:
        reasons.append(best_action)
    return best


def _keyword(raw: str) -> TriggerKeyword | None:
    phrase = tokens(raw)
    if not is_code(raw):
        usable = bool(phrase) and not (len(phrase) == 1 and phrase[0] in _STOP_STEMS)
        return TriggerKeyword(raw, phrase, None, True) if usable else None
    by_tokens = len(phrase) > 1 and not any(t in _STOP_STEMS for t in phrase)
    return TriggerKeyword(raw, phrase, literal_regex(raw), by_tokens)


def _entry(pattern: Any, graph: Any, severity_ranks: dict[str, int]) -> IndexEntry:
    triggers = pattern.triggers
    node = f"pattern:{pattern.id}"
    neighbours = frozenset(target for _, target in graph.out_edges(node) if target.split(":", 1)[0] in NODE_WEIGHTS)
    keywords: dict[tuple[str, ...], TriggerKeyword] = {}
    for raw in triggers.keywords:
        keyword = _keyword(raw)
        if keyword is not None:
            keywords.setdefault(keyword.phrase if keyword.literal is None else (raw.lower(),), keyword)
    return IndexEntry(
        pattern_id=pattern.id,
        severity_rank=severity_ranks.get(pattern.severity, 0),
        keywords=list(keywords.values()),
        actions=[(a, content_tokens(a)) for a in triggers.actions],
        globs=[(g, glob_regex(normal_path(g))) for g in triggers.file_globs],
        nodes=neighbours,
        languages=frozenset(x.lower() for x in triggers.languages),
        frameworks=frozenset(x.lower() for x in triggers.frameworks),
        framework_words=frozenset(t[0] for t in map(tokens, triggers.frameworks) if len(t) == 1),
        vocabulary=frozenset().union(*(content_tokens(x) for x in [*triggers.keywords, *triggers.actions])),
    )
