"""The context query: what applies to the code an agent is about to write, in a bounded answer.

The answer is JSON an agent reads as it is: at most ``MAX_PATTERNS`` patterns (and, with an
architecture, its open findings that touch the request), never more than ``HARD_TOKEN_CAP``
real tokens for the whole serialized answer. When the answer would be longer, the least useful
parts go first: the reasons, then the last pattern, then the last finding.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from tmkb_graph.agent.relevance import RelevanceIndex, Scored
from tmkb_graph.agent.words import tokens
from tmkb_graph.tokens import count_tokens

if TYPE_CHECKING:
    from tmkb_graph.findings import AnalysisResult, Finding

HARD_TOKEN_CAP = 500
MIN_TOKENS = 80
MAX_PATTERNS = 3
MAX_FINDINGS = 3
MAX_CONTEXT_CHARS = 20_000


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PatternBrief(_Answer):
    """A relevant pattern as an agent reads it before writing code."""

    id: str
    severity: str
    threat: str
    check: str
    fix: str
    why: str | None = None


class FindingBrief(_Answer):
    """An open finding of the given architecture that touches the request."""

    id: str
    pattern: str
    severity: str
    place: str
    missing: list[str]
    fix: str


class ContextRequest(_Answer):
    """What an agent asks: the work it is about to do, and optionally where."""

    context: str = Field(min_length=1, max_length=MAX_CONTEXT_CHARS)
    language: str | None = Field(default=None, max_length=100)
    framework: str | None = Field(default=None, max_length=100)
    files: list[str] = Field(default_factory=list, max_length=200)
    max_tokens: int = Field(default=HARD_TOKEN_CAP, ge=MIN_TOKENS, le=HARD_TOKEN_CAP)


class ContextAnswer(_Answer):
    """The bounded answer: the patterns (and findings) that apply, and what the answer costs."""

    patterns: list[PatternBrief]
    pattern_count: int
    patterns_included: int
    findings: list[FindingBrief] | None = None
    finding_count: int | None = None
    findings_included: int | None = None
    token_count: int
    max_tokens: int

    def to_json(self) -> str:
        """The answer exactly as it is counted: compact JSON, keys in model order."""
        return serialize(self.model_dump(exclude_none=True))


def serialize(data: Any) -> str:
    """Compact JSON (fewest tokens); non-ASCII kept as is."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def pattern_brief(pattern_id: str, summary: dict[str, str], scored: Scored | None = None) -> PatternBrief:
    """A pattern's agent summary (severity, threat, check, fix), with the evidence that made it relevant."""
    why = ", ".join(scored.reasons[:4]) if scored and scored.reasons else None
    return PatternBrief(id=pattern_id, **summary, why=why)


def finding_brief(finding: Finding) -> FindingBrief:
    """An open finding reduced to where it is, what is missing there, and the fix."""
    missing = [f"{gap.control} at {gap.at}" for gap in finding.missing]
    return FindingBrief(
        id=finding.id, pattern=finding.pattern, severity=finding.severity, place=finding.location, missing=missing, fix=finding.fix
    )


def answer_context(
    request: ContextRequest,
    index: RelevanceIndex,
    analysis: AnalysisResult | None = None,
) -> ContextAnswer:
    """The context query: relevant patterns (and the architecture's touched open findings), bounded."""
    scored = index.score(request.context, request.files, request.language, request.framework)
    briefs = [pattern_brief(s.pattern_id, index.summaries[s.pattern_id], s) for s in scored]
    findings = None if analysis is None else touched_findings(request.context, scored, analysis, index.severity_ranks)
    return fit_answer(briefs, findings, request.max_tokens)


def touched_findings(context: str, scored: list[Scored], analysis: AnalysisResult, ranks: dict[str, int]) -> list[FindingBrief]:
    """Open findings whose pattern is relevant or whose components the request names, most relevant first."""
    words = tokens(context)
    relevance = {s.pattern_id: s.score for s in scored}
    picked = []
    for finding in analysis.findings:
        if finding.status != "open":
            continue
        named = any(_names(words, value) for path in finding.paths for value in path.values())
        if named or finding.pattern in relevance:
            key = (-int(named), -relevance.get(finding.pattern, 0.0), -ranks.get(finding.severity, 0), finding.id)
            picked.append((key, finding))
    picked.sort(key=lambda pair: pair[0])
    return [finding_brief(f) for _, f in picked]


def _names(words: tuple[str, ...], value: str) -> bool:
    component = tokens(value.split(" ", 1)[0])
    return bool(component) and any(words[i : i + len(component)] == component for i in range(len(words)))


def fit_answer(briefs: list[PatternBrief], findings: list[FindingBrief] | None, max_tokens: int) -> ContextAnswer:
    """Build the answer and cut it until the whole serialized answer fits ``max_tokens``."""
    cap = min(max_tokens, HARD_TOKEN_CAP)
    shown = briefs[:MAX_PATTERNS]
    shown_findings = None if findings is None else findings[:MAX_FINDINGS]
    while True:
        answer = _answer(shown, briefs, shown_findings, findings, cap)
        if answer.token_count <= cap:
            return answer
        with_why = [i for i, b in enumerate(shown) if b.why]
        if with_why:
            last = with_why[-1]
            shown = [*shown[:last], shown[last].model_copy(update={"why": None}), *shown[last + 1 :]]
        elif shown:
            shown = shown[:-1]
        elif shown_findings:
            shown_findings = shown_findings[:-1]
        else:
            return answer  # an empty answer: the smallest there is (MIN_TOKENS leaves room for it)


def _answer(
    shown: list[PatternBrief],
    briefs: list[PatternBrief],
    shown_findings: list[FindingBrief] | None,
    findings: list[FindingBrief] | None,
    cap: int,
) -> ContextAnswer:
    fields: dict[str, Any] = {
        "patterns": shown,
        "pattern_count": len(briefs),
        "patterns_included": len(shown),
        "max_tokens": cap,
        "token_count": 0,
    }
    if findings is not None and shown_findings is not None:
        fields.update(findings=shown_findings, finding_count=len(findings), findings_included=len(shown_findings))
    answer = ContextAnswer(**fields)
    # The count is part of what it counts. The number sits between ':' and ',' in the JSON, which
    # cl100k always splits at, so only its own digits change the total: settle it on those.
    base = count_tokens(answer.to_json()) - count_tokens("0")
    count = base + 1
    while base + count_tokens(str(count)) != count:
        count = base + count_tokens(str(count))
    return answer.model_copy(update={"token_count": count})
