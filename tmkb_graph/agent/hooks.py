"""Claude Code hooks: context on every prompt, a review after every edit of an architecture file.

``user-prompt`` reads the UserPromptSubmit JSON and adds the context query's answer as additional
context, or prints nothing when nothing applies. ``post-edit`` reads the PostToolUse JSON; when the
edited file is an architecture, it analyses it and reports the open findings that were not open
before the edit (an Edit or MultiEdit is undone to see the file as it was; after a Write, the
findings the hook saw last time, kept in the user cache), blocking (the agent must answer it) only
at or above ``block_on``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tmkb_graph.agent.api import KnowledgeBase
from tmkb_graph.agent.query import MAX_CONTEXT_CHARS, ContextAnswer, FindingBrief, finding_brief
from tmkb_graph.agent.rules import urgent_open_findings
from tmkb_graph.errors import InputError, report_lines
from tmkb_graph.user_cache import cache_dir

ARCH_SUFFIXES = (".yaml", ".yml")
EDIT_TOOLS = "Write|Edit|MultiEdit"
HOOK_COMMAND = "tmkb-graph hook claude-code"
MAX_REPORTED = 5


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")

    cwd: str | None = None


class UserPromptPayload(_Payload):
    """What Claude Code sends on UserPromptSubmit (the fields this hook reads)."""

    prompt: str


class PostToolUsePayload(_Payload):
    """What Claude Code sends on PostToolUse (the fields this hook reads)."""

    tool_name: str = ""
    tool_input: dict[str, Any] = Field(default_factory=dict)


def prompt_context(answer: ContextAnswer) -> str:
    """The answer as the few lines an agent reads before it starts on the prompt."""
    lines = ["tmkb-graph: threat patterns that apply to this request (check and fix them in the code you write):"]
    for p in answer.patterns:
        lines.append(f"- {p.id} ({p.severity}): {p.threat} Check: {p.check} Fix: {p.fix}")
    for f in answer.findings or []:
        lines.append(f"- open finding {f.pattern} at {f.place}: missing {'; '.join(f.missing)}. Fix: {f.fix}")
    return "\n".join(lines)


def on_user_prompt(kb: KnowledgeBase, payload: UserPromptPayload, arch: Path | None = None, max_tokens: int = 500) -> dict[str, Any] | None:
    """The hook's output for a prompt: additional context, or None when nothing applies."""
    text = payload.prompt.strip()[:MAX_CONTEXT_CHARS]
    if not text:
        return None
    answer = kb.query(text, arch=_in_cwd(arch, payload.cwd), max_tokens=max_tokens)
    if not answer.patterns and not answer.findings:
        return None
    return {"hookSpecificOutput": {"hookEventName": "UserPromptSubmit", "additionalContext": prompt_context(answer)}}


def on_post_edit(kb: KnowledgeBase, payload: PostToolUsePayload, block_on: str = "none") -> dict[str, Any] | None:
    """The hook's output after an edit: new open findings of an edited architecture file, or None."""
    given = payload.tool_input.get("file_path")
    if not isinstance(given, str) or not given.endswith(ARCH_SUFFIXES):
        return None
    path = _in_cwd(Path(given), payload.cwd)
    if path is None or not _is_architecture(path):
        return None
    try:
        result = kb.analyze(path)
    except InputError as error:
        reason = f"tmkb-graph: {given} is no longer a valid architecture file:\n" + "\n".join(report_lines(error.problems, 10))
        return _report(reason, blocking=block_on != "none")
    open_now = [finding_brief(f) for f in urgent_open_findings(result)]
    remembered = _remember(path, {f.id for f in open_now})
    before = _open_before_edit(kb, payload, path)
    new = [f for f in open_now if f.id not in (remembered if before is None else before)]
    if not new:
        return None
    ranks = kb.severity_ranks
    blocking = block_on != "none" and any(ranks[f.severity] >= ranks[block_on] for f in new)
    return _report(_findings_text(given, new), blocking)


def _open_before_edit(kb: KnowledgeBase, payload: PostToolUsePayload, path: Path) -> set[str] | None:
    """The open finding ids of the file as it was before an Edit or MultiEdit, rebuilt by undoing
    the edit; None when it cannot be rebuilt (a Write, an edit not found in the file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    edits = payload.tool_input.get("edits") if payload.tool_name == "MultiEdit" else [payload.tool_input]
    if payload.tool_name not in ("Edit", "MultiEdit") or not isinstance(edits, list):
        return None
    for edit in reversed(edits):
        text = _undo(text, edit)
        if text is None:
            return None
    from tmkb_graph.architecture import parse_architecture

    try:
        return {f.id for f in urgent_open_findings(kb.analyze(parse_architecture(text, str(path))))}
    except InputError:
        return set()  # it did not analyse before the edit: everything open now is new


def _undo(text: str, edit: Any) -> str | None:
    if not isinstance(edit, dict):
        return None
    old, new = edit.get("old_string"), edit.get("new_string")
    if not isinstance(old, str) or not isinstance(new, str) or not new or new not in text:
        return None
    return text.replace(new, old) if edit.get("replace_all") else text.replace(new, old, 1)


def _findings_text(file: str, new: list[FindingBrief]) -> str:
    lines = [f"tmkb-graph: the edit of {file} leaves {len(new)} new open finding{'s' if len(new) != 1 else ''}:"]
    for f in new[:MAX_REPORTED]:
        lines.append(f"- {f.severity} {f.pattern} at {f.place}: missing {'; '.join(f.missing)}. Fix: {f.fix}")
    if len(new) > MAX_REPORTED:
        lines.append(f"- and {len(new) - MAX_REPORTED} more: run tmkb-graph analyze {file}")
    return "\n".join(lines)


def _report(text: str, blocking: bool) -> dict[str, Any]:
    if blocking:
        return {"decision": "block", "reason": text}
    return {"hookSpecificOutput": {"hookEventName": "PostToolUse", "additionalContext": text}}


def _in_cwd(path: Path | None, cwd: str | None) -> Path | None:
    if path is None:
        return None
    return path if path.is_absolute() or not cwd else Path(cwd) / path


def _is_architecture(path: Path) -> bool:
    from tmkb_graph.library import is_pattern_document
    from tmkb_graph.review import is_review_document
    from tmkb_graph.safe_yaml import load_yaml_file

    try:
        doc = load_yaml_file(path)
    except InputError:
        return path.is_file()  # unreadable YAML: analysing it reports why
    data = doc.data
    return isinstance(data, dict) and "components" in data and not is_pattern_document(doc) and not is_review_document(doc)


def _state_file(path: Path) -> Path | None:
    root = cache_dir()
    key = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:24]
    return None if root is None else root / "hook-state" / f"{key}.json"


def _remember(path: Path, open_ids: set[str]) -> set[str]:
    """The finding ids open after the previous edit (empty the first time); stores today's."""
    state = _state_file(path)
    if state is None:
        return set()
    try:
        before = set(json.loads(state.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        before = set()
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
        tmp = state.with_name(f"{state.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(sorted(open_ids)), encoding="utf-8")
        os.replace(tmp, state)
    except OSError:
        pass  # without a place to remember, every open finding is reported each time
    return before


def hook_entries(block_on: str, arch: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The settings.json hook entries tmkb-graph installs for Claude Code."""
    prompt_command = f"{HOOK_COMMAND} user-prompt" + (f" --arch {json.dumps(arch)}" if arch else "")
    edit_command = f"{HOOK_COMMAND} post-edit --block-on {block_on}"
    return {
        "UserPromptSubmit": [{"hooks": [{"type": "command", "command": prompt_command}]}],
        "PostToolUse": [{"matcher": EDIT_TOOLS, "hooks": [{"type": "command", "command": edit_command}]}],
    }


def install_claude_code(settings: Path, block_on: str = "high", arch: str | None = None) -> dict[str, Any]:
    """Merge the hook entries into ``settings`` (.claude/settings.json), keeping every other entry."""
    try:
        data = json.loads(settings.read_text(encoding="utf-8")) if settings.is_file() else {}
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError([_problem(settings, f"cannot read it as JSON ({error}); fix or move it, then run install again")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("hooks", {}), dict):
        raise InputError([_problem(settings, "expected a JSON object whose 'hooks' is an object")])
    hooks = data.setdefault("hooks", {})
    for event, entries in hook_entries(block_on, arch).items():
        current = hooks.get(event, [])
        if not isinstance(current, list):
            raise InputError([_problem(settings, f"hooks.{event} should be a list")])
        hooks[event] = _without_ours(current) + entries
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data


def _without_ours(entries: list[Any]) -> list[Any]:
    """The entries with tmkb-graph's own hook commands taken out (an entry left empty goes too)."""
    kept = []
    for entry in entries:
        inner = entry.get("hooks") if isinstance(entry, dict) else None
        if not isinstance(inner, list):
            kept.append(entry)
            continue
        others = [h for h in inner if not (isinstance(h, dict) and str(h.get("command", "")).startswith(HOOK_COMMAND))]
        if others:
            kept.append({**entry, "hooks": others})
        elif not inner:
            kept.append(entry)
    return kept


def _problem(path: Path, message: str) -> Any:
    from tmkb_graph.errors import Problem

    return Problem(str(path), None, "", message)
