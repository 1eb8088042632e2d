"""What an enqueue call carries: each argument mapped to user_id, tenant_id, resource_id or payload."""

from __future__ import annotations

import ast

from tmkb_graph.scan.imports import dotted
from tmkb_graph.scan.model import Enqueue, Task
from tmkb_graph.scan.names import PAYLOAD_NAMES, TENANT_NAMES, USER_NAMES

CONTEXT_ORDER = ("user_id", "tenant_id", "resource_id", "event_id", "payload")
_EVENT_NAMES = frozenset({"event_id", "delivery_id", "stripe_event_id", "github_delivery_id", "webhook_id", "message_id"})


def carried(enqueue: Enqueue, task: Task) -> list[str]:
    """The context items the call passes (user_id, tenant_id, resource_id, event_id, payload); a
    positional argument is named by the task's parameter in its position."""
    params = task.params
    items: set[str] = set()
    position = 0
    for name, expr in enqueue.args:
        if name is None:
            name = params[position] if position < len(params) else None
            position += 1
        item = item_for_name(name) if name else None
        items.add(item or item_for_expression(expr) or "")
    items.discard("")
    return [item for item in CONTEXT_ORDER if item in items]


def item_for_name(name: str) -> str | None:
    """The context item a parameter or keyword name stands for."""
    lowered = name.lower()
    if lowered in USER_NAMES:
        return "user_id"
    if lowered in TENANT_NAMES:
        return "tenant_id"
    if lowered in _EVENT_NAMES:
        return "event_id"
    if lowered in PAYLOAD_NAMES or lowered.endswith(("_payload", "_data", "_body", "_event")):
        return "payload"
    if lowered in ("id", "pk") or lowered.endswith(("_id", "_ids", "_pk", "_uuid")):
        return "resource_id"
    return None


def item_for_expression(expr: ast.AST) -> str | None:
    """The context item an argument expression stands for when no name says (current_user.id, request.json)."""
    if isinstance(expr, (ast.Dict, ast.DictComp)):
        return "payload"
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Call):
        name = dotted(expr.func) or ""
        if name.endswith(("get_json", ".json", "model_dump", ".dict")):
            return "payload"
        return None
    found = dotted(expr)
    if found is None:
        return None
    parts = found.split(".")
    if parts[-1] in ("json", "data", "body", "form", "POST"):
        return "payload"
    if any(p in USER_NAMES for p in parts[:-1]) and parts[-1] in ("id", "pk"):
        return "user_id"
    return item_for_name(parts[-1])
