"""validate's notes on requests that name the tenant they act in.

A request that carries tenant_id from a client or another organisation's system names its tenant
itself (an account header, a tenant path segment, an organization_id field), and TMKB-AUTHZ-017
asks the API it reaches to check that tenant against the credential's grants. Vendors often state
that check in passing (a 403 for a tenant the token was not granted, keys valid in one account
only) where an author reading for other things misses it: judges rejected five of the pattern's
first seventeen findings as such omissions. validate asks once per API that claims no check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tmkb_graph.architecture import Component, LoadedArchitecture
from tmkb_graph.errors import Problem
from tmkb_graph.place_controls import effective_controls

if TYPE_CHECKING:
    from tmkb_graph.library import PatternLibrary

# the pattern whose caller and api roles say which requests name a tenant to whom
_PATTERN = "TMKB-AUTHZ-017"
_CHECK = "tenant_scoped_queries"


def named_tenant_notes(arch: LoadedArchitecture, library: PatternLibrary) -> list[Problem]:
    """A note for each component that a caller's request names a tenant to (of the types
    TMKB-AUTHZ-017's caller and api roles admit), where neither the component nor every one of its
    routes claims tenant_scoped_queries; none when the library has no such pattern to ask it."""
    pattern = library.patterns.get(_PATTERN)
    if pattern is None:
        return []
    callers, services = pattern.template.roles["caller"].types, pattern.template.roles["api"].types
    model = arch.model
    notes = []
    seen: set[str] = set()
    for index, flow in enumerate(model.flows):
        source, target = model.components[flow.source], model.components[flow.target]
        if flow.target in seen or flow.kind != "request" or "tenant_id" not in flow.carries:
            continue
        if source.type not in callers or target.type not in services or _claims_check(target):
            continue
        if target.facts.get("one_tenant_credentials") is True:
            continue
        seen.add(flow.target)
        notes.append(
            arch.flow_problem(
                index,
                f"'{flow.source}' names the tenant it acts in to '{flow.target}' (carries tenant_id): if '{flow.target}' "
                "checks it against the tenants the credential was granted (a refusal for a tenant the token was not given), "
                f"claim {_CHECK} there, and if every credential it accepts belongs to one tenant (a key issued to one "
                "account, a token signed with one project's key), declare facts: {one_tenant_credentials: true}; "
                "TMKB-AUTHZ-017 takes the check as missing otherwise",
                "note",
            )
        )
    return notes


def _claims_check(component: Component) -> bool:
    """Whether the component claims the check, or every one of its routes does."""
    routes = component.endpoints or []
    if _CHECK in component.controls:
        return True
    return bool(routes) and all(_CHECK in effective_controls(component, route) for route in routes)
