"""The names that tell who acts, for which tenant, on what: shared by argument mapping and controls."""

from __future__ import annotations

import ast

from tmkb_graph.scan.imports import dotted

USER_NAMES = frozenset({
    "user", "user_id", "current_user", "current_user_id", "actor", "actor_id", "requester", "requester_id",
    "requested_by", "requested_by_id", "initiator_id", "owner_id", "acting_user_id", "uid",
    "get_jwt_identity", "get_current_user", "current_identity",
})
TENANT_NAMES = frozenset({
    "tenant", "tenant_id", "org", "org_id", "organization", "organization_id", "account_id", "workspace",
    "workspace_id", "company", "company_id", "team", "team_id", "current_tenant", "current_org",
})
OWNER_FIELDS = frozenset({
    "owner_id", "user_id", "created_by_id", "author_id", "owner", "user", "created_by", "author",
    "uploaded_by_id", "uploaded_by", "uploader_id", "requested_by", "requested_by_id",
})
TENANT_FIELDS = frozenset({
    "tenant_id", "org_id", "organization_id", "account_id", "workspace_id", "company_id", "team_id", "tenant", "org",
    "organization", "account", "workspace", "company", "team",
})
PAYLOAD_NAMES = frozenset({
    "payload", "body", "data", "event", "event_data", "json", "raw", "raw_body", "message", "request_data",
    "params", "record", "item", "row", "delivery",
})
SOFT_DELETE_FIELDS = frozenset({"deleted_at", "is_deleted", "deleted", "archived_at", "removed_at"})


def parts_of(node: ast.AST) -> list[str]:
    """The names in an expression's attribute chains, calls and string keys:
    g.user.id -> [g, user, id]; user["team_id"] -> [user, team_id]."""
    out: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.append(sub.attr)
        elif isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant) and isinstance(sub.slice.value, str):
            out.append(sub.slice.value)
    return out


def is_user_ref(node: ast.AST) -> bool:
    """The expression names the acting user (current_user.id, request.user, user_id)."""
    return any(p in USER_NAMES for p in parts_of(node))


def is_tenant_ref(node: ast.AST) -> bool:
    """The expression names a tenant (tenant_id, current_user.org_id, request.user.organization)."""
    return any(p in TENANT_NAMES for p in parts_of(node))


def field_of(node: ast.AST) -> tuple[str, str | None] | None:
    """(attribute, dotted base) for ``obj.field``; None for anything else."""
    if isinstance(node, ast.Attribute):
        return node.attr, dotted(node.value)
    return None


def lookup_field(keyword: str) -> str:
    """A Django lookup's field: organization__id -> organization, deleted_at__isnull -> deleted_at."""
    return keyword.split("__", 1)[0]
