"""Signals of controls in a function's code, each with the file and line that shows it.

A signal is one thing the code does (filters a query by the tenant, compares the loaded object's
owner with the acting user, compares an HMAC in constant time). ``infer`` turns signals into the
controls a place claims; ``docs/scan.md`` lists which signals each control needs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from tmkb_graph.scan.facts import Function, const_str, last_part, source_text
from tmkb_graph.scan.imports import dotted
from tmkb_graph.scan.model import Evidence, Site
from tmkb_graph.scan.names import (
    OWNER_FIELDS,
    SOFT_DELETE_FIELDS,
    TENANT_FIELDS,
    TENANT_NAMES,
    field_of,
    is_tenant_ref,
    is_user_ref,
    lookup_field,
    parts_of,
)
from tmkb_graph.scan.project import Project

AUTH_DECORATORS = frozenset({
    "login_required", "jwt_required", "auth_required", "requires_auth", "token_required", "fresh_login_required",
    "permission_required", "roles_required", "roles_accepted", "require_login", "user_passes_test",
    "staff_member_required", "api_key_required", "require_user", "authenticated", "login_user_required",
})
QUERY_CALLS = frozenset({
    "filter", "filter_by", "where", "get", "get_or_404", "first_or_404", "get_object_or_404", "get_list_or_404",
    "get_or_create", "update_or_create", "exists", "one_or_none", "find_one", "find",
})
PERMISSION_CALLS = frozenset({
    "can", "has_permission", "check_permission", "authorize", "has_perm", "check_object_permissions",
    "user_can", "can_access", "can_edit", "can_view", "can_read", "can_write", "ensure_access", "assert_can_access",
})
_PERMISSION_PREFIXES = ("can_", "user_can", "may_", "authorize", "check_access", "check_perm", "ensure_can",
                        "assert_can", "has_access", "has_object_perm", "is_allowed")
DEDUPE_FIELDS = frozenset({
    "event_id", "delivery_id", "idempotency_key", "webhook_id", "stripe_event_id", "github_delivery_id",
    "delivery_guid", "message_id",
})
TIME_CALLS = frozenset({"time.time", "datetime.now", "datetime.utcnow", "datetime.datetime.now",
                        "datetime.datetime.utcnow", "django.utils.timezone.now", "timezone.now"})
SDK_VERIFIERS = {
    "stripe.Webhook.construct_event": "Stripe's Webhook.construct_event",
    "stripe.WebhookSignature.verify_header": "Stripe's WebhookSignature.verify_header",
    "slack_sdk.signature.SignatureVerifier": "Slack's SignatureVerifier",
}
SDK_WEBHOOK_CLASSES = ("svix.webhooks.Webhook", "svix.Webhook", "standardwebhooks.webhooks.Webhook", "standardwebhooks.Webhook")
PROVIDER_APIS = ("api.github.com", "api.stripe.com", "/events/")
_HEADER_NAME = re.compile(r"[A-Za-z0-9_-]{1,60}")  # X-Hub-Signature-256, Stripe-Signature, HTTP_X_SIGNATURE
_RECORDED_ONCE = re.compile(r"insert\s.*\b(event_id|delivery_id|idempotency_key|webhook_id)\b.*\bon\s+conflict\b", re.IGNORECASE | re.DOTALL)
_RLS = re.compile(r"set_config\(\s*'app\.|\bSET\s+(LOCAL\s+)?app\.|ROW\s+LEVEL\s+SECURITY", re.IGNORECASE)


Add = Callable[[str, ast.AST, str], None]  # (signal, node, note): records one piece of evidence


def direct_signals(fn: Function) -> list[Evidence]:
    """The signals in ``fn``'s own body and decorators."""
    out: list[Evidence] = []
    file = fn.file

    def add(signal: str, node: ast.AST, note: str) -> None:
        out.append(Evidence(signal, Site(file, getattr(node, "lineno", fn.line)), note))

    for deco in fn.node.decorator_list:
        name = last_part(dotted(deco.func if isinstance(deco, ast.Call) else deco))
        if name in AUTH_DECORATORS:
            add("authn", deco, f"@{name} on {fn.name}")
    in_query: set[int] = set()
    calls = fn.calls()
    for call in calls:
        _query_signals(fn, call, add, in_query)
    for node in fn.nodes:
        if isinstance(node, ast.Compare) and id(node) not in in_query:
            _compare_signals(fn, node, add)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            _fan_out_signals(node, add)
    for call in calls:
        _call_signals(fn, call, add, calls)
    for node in fn.nodes:
        text = const_str(node)
        if text is not None:
            _string_signals(text, node, add)
    for param in _header_params(fn):
        if "signature" in param.lower():
            add("signature_header", fn.node, f"{fn.name} takes the {param} header")
    return out


def _header_params(fn: Function) -> list[str]:
    """Parameters FastAPI fills from a header: ``x_sig: str = Header(...)`` or ``Annotated[str, Header()]``."""
    args = fn.node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))
    out = []
    for arg, default in pairs:
        parts = [p for p in (default, arg.annotation) if p is not None]
        if any(isinstance(n, ast.Call) and last_part(dotted(n.func)) == "Header" for p in parts for n in ast.walk(p)):
            out.append(arg.arg)
    return out


def _query_signals(fn: Function, call: ast.Call, add: Add, in_query: set[int]) -> None:
    name = call.func.attr if isinstance(call.func, ast.Attribute) else dotted(call.func) or ""
    if last_part(name) not in QUERY_CALLS:
        return
    for kw in call.keywords:
        if kw.arg is None:
            continue
        field = lookup_field(kw.arg)
        _filter_field(field, kw.value, kw.value, add, isnull=kw.arg.endswith("__isnull"))
    for arg in call.args:
        for sub in ast.walk(arg):
            if isinstance(sub, ast.Compare):
                in_query.add(id(sub))
                for left, right in _pairs(sub):
                    found = field_of(left)
                    # the column side is a model's attribute, not the acting user's (user.tenant_id)
                    if found is not None and not (is_user_ref(left.value) or is_tenant_ref(left.value)):  # type: ignore[attr-defined]
                        negated = any(isinstance(op, (ast.NotEq, ast.IsNot)) for op in sub.ops)
                        _filter_field(found[0], right, sub, add, negated=negated)
            elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in ("is_", "isnot"):
                found = field_of(sub.func.value)
                if found and found[0] in SOFT_DELETE_FIELDS and sub.func.attr == "is_":
                    add("soft_delete_filter", sub, f"the query keeps rows whose {found[0]} is null")


def _filter_field(field: str, value: ast.AST, node: ast.AST, add: Add, isnull: bool = False, negated: bool = False) -> None:
    """Signals from one filter condition ``field = value`` (``isnull``: a Django ``field__isnull``
    lookup; ``negated``: ``field != value``)."""
    constant = isinstance(value, ast.Constant)
    if field in TENANT_FIELDS and not constant:
        signal = "tenant_filter_ref" if is_tenant_ref(value) else "tenant_filter"
        add(signal, node, f"the query is filtered by {field} = {_short(value)}")
    elif field in OWNER_FIELDS and not constant and is_user_ref(value):
        add("owner_filter", node, f"the query is filtered by {field} = {_short(value)}")
    elif field in SOFT_DELETE_FIELDS and isinstance(value, ast.Constant) and _keeps_live_rows(value.value, isnull) != negated:
        add("soft_delete_filter", node, f"the query keeps only rows that are not deleted ({field})")
    elif field in DEDUPE_FIELDS and not constant:
        add("event_dedupe", node, f"looks up {field} before processing")


_ENQUEUE_METHODS = frozenset({"delay", "apply_async", "send", "send_with_options", "enqueue", "enqueue_job", "s", "si"})


def _fan_out_signals(loop: ast.For | ast.AsyncFor, add: Add) -> None:
    """A loop over tenants that enqueues one job per tenant, passing the tenant's id."""
    for sub in ast.walk(loop):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in _ENQUEUE_METHODS:
            if any(is_tenant_ref(arg) for arg in [*sub.args, *(kw.value for kw in sub.keywords)]) or any(
                kw.arg in TENANT_NAMES for kw in sub.keywords
            ):
                add("tenant_fan_out", sub, "enqueues one job per tenant, each with its tenant id")
                return


def _keeps_live_rows(value: object, isnull: bool) -> bool:
    """deleted_at=None, is_deleted=False and deleted_at__isnull=True keep live rows; their opposites do not."""
    return value is True if isnull else value in (None, False)


def _pairs(node: ast.Compare) -> list[tuple[ast.AST, ast.AST]]:
    left: ast.expr = node.left
    out: list[tuple[ast.AST, ast.AST]] = []
    for right in node.comparators:
        out += [(left, right), (right, left)]
        left = right
    return out


def _compare_signals(fn: Function, node: ast.Compare, add: Add) -> None:
    for left, right in _pairs(node):
        found = field_of(left)
        if found is None:
            continue
        attr, base = found
        base_node = left.value  # type: ignore[attr-defined]
        if attr in OWNER_FIELDS and is_user_ref(right) and not is_user_ref(base_node):
            add("owner_compare", node, f"compares {base}.{attr} with {_short(right)}")
        elif attr in TENANT_FIELDS and is_tenant_ref(right) and not is_user_ref(base_node) and not is_tenant_ref(base_node):
            add("tenant_compare", node, f"compares {base}.{attr} with {_short(right)}")
        elif attr in SOFT_DELETE_FIELDS and isinstance(right, ast.Constant) and right.value in (None, False):
            add("soft_delete_filter", node, f"checks {base}.{attr}")
    names = set(parts_of(node))
    if any(fn.resolve(c.func) in TIME_CALLS for c in ast.walk(node) if isinstance(c, ast.Call)):
        if any("timestamp" in n.lower() or n in ("ts", "sent_at") for n in names | _strings(fn)):
            add("replay_window", node, "rejects a delivery whose timestamp is outside a window")


def _strings(fn: Function) -> set[str]:
    return {s for s in (const_str(n) for n in fn.nodes) if s is not None and len(s) < 80}


def _call_signals(fn: Function, call: ast.Call, add: Add, calls: list[ast.Call]) -> None:
    name = fn.resolve(call.func) or ""
    short = call.func.attr if isinstance(call.func, ast.Attribute) else last_part(name)
    if name in ("hmac.compare_digest", "secrets.compare_digest"):
        add("constant_time_compare", call, f"{name}(...)")
    elif name in ("hmac.new", "hmac.HMAC", "hmac.digest"):
        add("hmac", call, f"computes {name}(...)")
    elif name in SDK_VERIFIERS:
        add("sdk_signature", call, f"verifies with {SDK_VERIFIERS[name]}")
    elif short == "verify" and any(fn.resolve(c.func) in SDK_WEBHOOK_CLASSES for c in calls):
        add("sdk_signature", call, "verifies with the Svix / Standard Webhooks verifier")
    elif name.endswith("Event.retrieve"):
        add("provider_refetch", call, f"re-fetches the event with {name}(...)")
    elif short in ("get", "request", "fetch") and any(_mentions_provider_api(a) for a in call.args):
        add("provider_refetch", call, "re-fetches the object from the provider's API")
    elif (short in PERMISSION_CALLS or short.startswith(_PERMISSION_PREFIXES)) and (call.args or call.keywords):
        if is_user_ref(call) or short == "check_object_permissions":
            add("permission_call", call, f"calls {dotted(call.func) or short}(...)")
    elif short in ("tenant_context", "schema_context"):
        add("rls", call, f"runs in {short}(...) (one schema per tenant)")
    elif short == "setnx" or (short == "set" and any(kw.arg == "nx" for kw in call.keywords)):
        add("event_dedupe", call, "claims the event id once (SET NX)")


def _mentions_provider_api(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        text = const_str(sub)
        if text and any(host in text for host in PROVIDER_APIS):
            return True
    return False


def _string_signals(text: str, node: ast.AST, add: Add) -> None:
    lowered = text.lower()
    if "signature" in lowered and _HEADER_NAME.fullmatch(text) and ("-" in text or text.upper().startswith("HTTP_")):
        add("signature_header", node, f"reads the {text} header")
    if _RLS.search(text):
        add("rls", node, "sets the tenant for the store's row-level security")
    if _RECORDED_ONCE.search(text):
        add("event_dedupe", node, "records the event id under a unique constraint (insert ... on conflict)")


def _short(node: ast.AST) -> str:
    return source_text(node)


def store_isolation_signals(project: Project) -> list[Evidence]:
    """Evidence anywhere in the code that the store isolates tenants: row-level security set per
    request or job, or a schema per tenant (django-tenants' tenant_context / schema_context)."""
    out: list[Evidence] = []
    for module in project.modules:
        file = module.source.rel
        for node in module.strings:
            if _RLS.search(str(node.value)):
                out.append(Evidence("rls", Site(file, node.lineno), "sets the tenant for the store's row-level security"))
        for call in module.calls:
            short = call.func.attr if isinstance(call.func, ast.Attribute) else dotted(call.func)
            if short in ("tenant_context", "schema_context"):
                out.append(Evidence("rls", Site(file, call.lineno), f"runs in {short}(...) (one schema per tenant)"))
    return out


class Signals:
    """Signals per function, including those of the project functions it calls (cached)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._direct: dict[int, list[Evidence]] = {}

    def direct(self, fn: Function) -> list[Evidence]:
        """``fn``'s own signals."""
        key = id(fn)
        if key not in self._direct:
            self._direct[key] = direct_signals(fn)
        return self._direct[key]

    def reached(self, fn: Function) -> list[Evidence]:
        """``fn``'s signals, those of the functions it calls, and those of the project decorators
        wrapped around it (a ``@verify_signature`` whose wrapper compares the HMAC). A login
        decorator counts only on ``fn`` itself."""
        out = list(self.direct(fn))
        for callee in self.project.reach(fn)[1:] + self._decorators(fn):
            out.extend(e for e in self.direct(callee) if e.signal != "authn")
        return out

    def _decorators(self, fn: Function) -> list[Function]:
        """Project functions used as ``fn``'s decorators, their nested wrappers, and what those call."""
        found: list[Function] = []
        for deco in fn.node.decorator_list:
            target = self.project.resolve_function(deco.func if isinstance(deco, ast.Call) else deco, fn.module)
            if target is None or target is fn:
                continue
            nested = [f for f in target.module.functions if f.qualname.startswith(target.qualname + ".")]
            for wrapper in [target, *nested]:
                found.extend(f for f in self.project.reach(wrapper) if f not in found)
        return found
