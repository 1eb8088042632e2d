"""validate's notes on administrators' routes that claim no tenant scope.

``admin_only`` says a route is open only to a role entitled to every record of its resource in the
caller's own tenant, so the object-level patterns ask no owner check there. That reading holds only
where the route is also scoped to the caller's tenant; judges found routes claiming the role check
alone where an administrator of one workspace (which anyone may create) named another workspace's
record by id. validate names each such route once, so the author can declare the tenant scope the
sources show, or drop the claim where they show only the role.
"""

from __future__ import annotations

from tmkb_graph.architecture import LoadedArchitecture
from tmkb_graph.errors import Problem
from tmkb_graph.place_controls import effective_controls

# claims that keep a route inside the caller's tenant (an owner check implies the tenant scope)
_TENANT_SCOPES = frozenset({"tenant_scoped_queries", "object_ownership_check"})


def admin_scope_notes(arch: LoadedArchitecture) -> list[Problem]:
    """A note for each route of a multi-tenant architecture that names a record by id and claims
    admin_only without a tenant scope (its own claims, or its component's where it lists none)."""
    if arch.model.tenancy != "multi":
        return []
    notes = []
    for cid, component in sorted(arch.model.components.items()):
        for index, endpoint in enumerate(component.endpoints or ()):
            claimed = set(effective_controls(component, endpoint))
            if "admin_only" not in claimed or claimed & _TENANT_SCOPES or endpoint.id_params < 1:
                continue
            notes.append(
                Problem(
                    arch.file,
                    arch.line_of(("components", cid, "endpoints", index)),
                    f"components.{cid}.endpoints[{index}]",
                    f"'{cid} {endpoint.route}' claims admin_only but no tenant_scoped_queries: admin_only means the "
                    "role may act on every record of the caller's own tenant, so the object-level patterns take the "
                    "route as scoped to it; declare tenant_scoped_queries where the sources show that scope, or drop "
                    "admin_only where they show only the role check",
                    "note",
                )
            )
    return notes
