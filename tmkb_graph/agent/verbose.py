"""The context query for a person: every relevant pattern in full, and the touched findings."""

from __future__ import annotations

import json
from typing import Any

from tmkb_graph.agent.query import ContextAnswer
from tmkb_graph.text import escaped_lines


def _scored(kb: Any, context: str, language: str | None, framework: str | None, files: list[str]) -> list[Any]:
    return kb.index.score(context, files, language, framework)


def verbose_text(kb: Any, context: str, answer: ContextAnswer, *, language: str | None, framework: str | None, files: list[str]) -> str:
    """Readable text: a verdict line, each relevant pattern in full, then the touched findings."""
    from tmkb_graph.knowledge_graph import related_patterns
    from tmkb_graph.render import pattern_text

    scored = _scored(kb, context, language, framework, files)
    if not scored:
        out = ["No pattern in the library applies to this request."]
    else:
        out = [f"{len(scored)} pattern{'s' if len(scored) != 1 else ''} apply, most relevant first.", ""]
        for s in scored:
            out.append(f"== {s.pattern_id} (score {s.score:.2f}; matched: {', '.join(s.reasons) or 'graph neighbours'})")
            out.extend(pattern_text(kb.get(s.pattern_id), related_patterns(kb.graph, s.pattern_id)).rstrip("\n").splitlines())
            out.append("")
    if answer.findings is not None:
        out.append(f"Open findings of the architecture that touch it: {answer.finding_count}")
        for f in answer.findings:
            out.append(f"  {f.severity:<8} {f.pattern}  at {f.place}: missing {'; '.join(f.missing)}")
            out.append(f"           fix: {f.fix}")
    return escaped_lines(out) + "\n"


def verbose_json(kb: Any, context: str, answer: ContextAnswer, *, language: str | None, framework: str | None, files: list[str]) -> str:
    """JSON for tools: each relevant pattern in full with its score and evidence, and the findings."""
    scored = _scored(kb, context, language, framework, files)
    data: dict[str, Any] = {
        "patterns": [
            {"score": s.score, "matched": list(s.reasons), "pattern": kb.get(s.pattern_id).model_dump(mode="json", by_alias=True)}
            for s in scored
        ]
    }
    if answer.findings is not None:
        data["findings"] = [f.model_dump() for f in answer.findings]
        data["finding_count"] = answer.finding_count
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
