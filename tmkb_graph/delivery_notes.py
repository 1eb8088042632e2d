"""validate's notes on requests to customers' addresses that may be outgoing webhooks.

TMKB-WEBHOOK-008 judges the system's deliveries of events to URLs its customers registered, drawn as
flows of kind webhook or callback. A flow of kind request to the same addresses is a call to the
customer's own API, database or server, which the customer does not have to verify, so the pattern
leaves it alone. Authors often draw a webhook delivery as a plain request; validate asks about each
request that hands such an address a payload without a credential the customer issued, so the author
can say which it is, and about each signed delivery that carries no timestamp, since a send time the
signature covers is easily left out of a design (two judges rejected the finding as such omissions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tmkb_graph.architecture import LoadedArchitecture
from tmkb_graph.errors import Problem

if TYPE_CHECKING:
    from tmkb_graph.library import PatternLibrary
    from tmkb_graph.pattern import RoleSpec

# the pattern whose sender and endpoint roles say which flows are the system's deliveries
_PATTERN = "TMKB-WEBHOOK-008"


def delivery_notes(arch: LoadedArchitecture, library: PatternLibrary) -> list[Problem]:
    """A note for each request flow from one of the system's components to an external service that
    stands for addresses customers chose, carrying a payload and no auth token, and for each webhook
    or callback there that carries a signature but no timestamp. The system's senders and the
    customers' addresses are what TMKB-WEBHOOK-008's roles admit (its sender role's zones are the
    system's own: an identity provider there is the platform's sign-in service); a library without
    that pattern judges no delivery, so there is nothing to ask."""
    pattern = library.patterns.get(_PATTERN)
    if pattern is None:
        return []
    sender, endpoint = pattern.template.roles["sender"], pattern.template.roles["endpoint"]
    model = arch.model
    notes = []
    for index, flow in enumerate(model.flows):
        if not _admits(arch, flow.source, sender) or not _admits(arch, flow.target, endpoint):
            continue
        if flow.kind in ("webhook", "callback") and "signature" in flow.carries and "timestamp" not in flow.carries:
            notes.append(
                arch.flow_problem(
                    index,
                    f"'{flow.source}' signs its deliveries to '{flow.target}' but the flow carries no timestamp: if the "
                    "signature covers the send time (a signed timestamp header, or a time inside the signed body or "
                    "token), add timestamp to carries; TMKB-WEBHOOK-008 takes it as missing otherwise",
                    "note",
                )
            )
            continue
        if flow.kind != "request" or "payload" not in flow.carries or "auth_token" in flow.carries:
            continue
        notes.append(
            arch.flow_problem(
                index,
                f"'{flow.source}' sends a payload to '{flow.target}' (addresses customers chose) as a request: if it "
                "delivers the system's events to URLs customers registered (outgoing webhooks), draw it as kind: "
                "webhook, so TMKB-WEBHOOK-008 judges whether each delivery is signed over its body and send time; "
                "a call to the customer's own API or server stays a request",
                "note",
            )
        )
    return notes


def _admits(arch: LoadedArchitecture, component_id: str, role: RoleSpec) -> bool:
    """Whether the component is of one of the role's types, in one of its zones (if it names any),
    and declares every fact it asks as it asks it."""
    component = arch.model.components[component_id]
    return (
        component.type in role.types
        and (not role.zones or arch.zone_kind(component_id) in role.zones)
        and all(component.facts.get(fact) is wanted for fact, wanted in role.facts.items())
    )
