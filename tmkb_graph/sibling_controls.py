"""validate's notes on routes that claim less than their siblings.

A component's routes on one resource usually share one object-level policy: the check that the
caller may reach the record runs for reading, changing and deleting it alike. When some of those
routes claim the check and others do not, either the others really skip it (and their findings
stand) or the author declared it where a source showed it and missed the rest. validate names each
such route once, so the author can say which.
"""

from __future__ import annotations

from tmkb_graph.architecture import LoadedArchitecture
from tmkb_graph.errors import Problem
from tmkb_graph.place_controls import effective_controls

# the per-record checks a resource's policy applies, the operations each is asked of, and the claims
# that make it moot on a route (an administrator's route has no owner to check; a restore states
# its own rule)
SHARED_CHECKS = {
    "object_ownership_check": (("read", "update", "delete", "transition", "action", "list"), {"admin_only", "restore_authorization"}),
    "soft_delete_filtering": (("read", "update", "list"), set()),
}


def sibling_notes(arch: LoadedArchitecture) -> list[Problem]:
    """A note for each route naming a record of a resource whose other routes on the same component
    claim a per-record check this one does not."""
    notes = []
    for cid, component in sorted(arch.model.components.items()):
        by_resource: dict[str, list[int]] = {}
        for index, endpoint in enumerate(component.endpoints or ()):
            if endpoint.resource is not None and endpoint.id_params >= 1:
                by_resource.setdefault(endpoint.resource, []).append(index)
        for resource, indices in sorted(by_resource.items()):
            claims = {i: set(effective_controls(component, component.endpoints[i])) for i in indices}  # type: ignore[index]
            for control, (operations, moot) in SHARED_CHECKS.items():
                asked = [i for i in indices if component.endpoints[i].operation in operations and not moot & claims[i]]  # type: ignore[index]
                claiming = [i for i in asked if control in claims[i]]
                if not claiming or len(claiming) == len(asked):
                    continue
                for i in asked:
                    if control in claims[i]:
                        continue
                    route = component.endpoints[i].route  # type: ignore[index]
                    sibling = component.endpoints[claiming[0]].route  # type: ignore[index]
                    notes.append(
                        Problem(
                            arch.file,
                            arch.line_of(("components", cid, "endpoints", i)),
                            f"components.{cid}.endpoints[{i}]",
                            f"'{cid} {route}' names a {resource} but claims no {control}, which '{sibling}' on the "
                            f"same {resource} claims: if the same check runs here, declare it; if not, the findings "
                            "here take it as missing",
                            "note",
                        )
                    )
    return notes
