"""From signals to the controls a place claims: each control with the evidence that shows it.

The rules are the ones ``docs/scan.md`` lists; a control is claimed only when its evidence is found.
"""

from __future__ import annotations

from tmkb_graph.scan.model import Evidence

Claims = dict[str, list[Evidence]]

_SDK_REPLAY = "verifies with"  # the SDK verifiers check the signed timestamp as well as the signature


def _having(signals: list[Evidence], *names: str) -> list[Evidence]:
    return sorted({e for e in signals if e.signal in names})


def endpoint_claims(signals: list[Evidence]) -> Claims:
    """Controls of an API route: authn, object ownership, tenant-scoped queries, soft-delete filtering,
    a field allowlist on what the route writes."""
    claims: Claims = {
        "authn": _having(signals, "authn"),
        "object_ownership_check": _having(signals, "owner_compare", "owner_filter", "permission_call", "tenant_compare"),
        "tenant_scoped_queries": _having(signals, "tenant_filter", "tenant_filter_ref"),
        "soft_delete_filtering": _having(signals, "soft_delete_filter"),
        "mass_assignment_allowlist": _having(signals, "field_allowlist"),
    }
    return {control: found for control, found in claims.items() if found}


def receiver_claims(signals: list[Evidence]) -> Claims:
    """Controls of a webhook receiver: signature (HMAC compared in constant time, or an SDK verifier),
    replay window, idempotency, re-fetching the event."""
    claims: Claims = {}
    sdk = _having(signals, "sdk_signature")
    hmac_pair = _having(signals, "hmac", "constant_time_compare")
    if sdk or ({e.signal for e in hmac_pair} == {"hmac", "constant_time_compare"}):
        claims["webhook_signature_verification"] = sdk or hmac_pair
    replay = sdk + _having(signals, "replay_window")
    if replay:
        claims["replay_protection"] = replay
    _common_job_claims(signals, claims)
    return claims


def worker_claims(signals: list[Evidence], multi_tenant: bool) -> Claims:
    """Controls of a task: re-authorization (the acting user, and in a multi-tenant app the tenant,
    checked against the loaded object), tenant-scoped queries, per-tenant fan-out, payload
    verification, idempotency."""
    claims: Claims = {}
    user = _having(signals, "owner_compare", "owner_filter", "permission_call")
    tenant = _having(signals, "tenant_compare", "tenant_filter_ref")
    if user and (tenant or not multi_tenant):
        claims["job_reauthorization"] = sorted(set(user + tenant))
    scoped = _having(signals, "tenant_filter", "tenant_filter_ref")
    if scoped:
        claims["tenant_scoped_queries"] = scoped
    fan_out = _having(signals, "tenant_fan_out")
    if fan_out:
        claims["per_tenant_job_scoping"] = fan_out
    _common_job_claims(signals, claims)
    return claims


def _common_job_claims(signals: list[Evidence], claims: Claims) -> None:
    refetch = _having(signals, "provider_refetch")
    if refetch:
        claims["webhook_payload_verification"] = refetch
    dedupe = _having(signals, "event_dedupe")
    if dedupe:
        claims["idempotent_processing"] = dedupe
    soft = _having(signals, "soft_delete_filter")
    if soft:
        claims["soft_delete_filtering"] = soft


def store_claims(signals: list[Evidence]) -> Claims:
    """Controls of the datastore: the store isolating tenants (row-level security, schema per tenant)."""
    rls = _having(signals, "rls")
    return {"storage_tenant_isolation": rls} if rls else {}
