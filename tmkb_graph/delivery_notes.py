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

from tmkb_graph.architecture import LoadedArchitecture
from tmkb_graph.errors import Problem

_SENDERS = frozenset({"worker", "function", "api", "gateway", "webhook_receiver", "identity_provider"})
# the system's own zones: an identity provider there (the platform's sign-in service) sends for the
# system, one in a third party's zone sends for that party (TMKB-WEBHOOK-008's sender role)
_OWN_ZONES = frozenset({"internet", "dmz", "internal", "restricted"})


def delivery_notes(arch: LoadedArchitecture) -> list[Problem]:
    """A note for each request flow from one of the system's components to an external service that
    stands for addresses customers chose, carrying a payload and no auth token, and for each webhook
    or callback there that carries a signature but no timestamp."""
    model = arch.model
    notes = []
    for index, flow in enumerate(model.flows):
        target = model.components[flow.target]
        if not _sends_for_the_system(arch, flow.source) or target.type != "external_service" or target.facts.get("customer_endpoint") is not True:
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


def _sends_for_the_system(arch: LoadedArchitecture, component_id: str) -> bool:
    """Whether a component is one of the system's own senders (TMKB-WEBHOOK-008's sender role)."""
    return arch.model.components[component_id].type in _SENDERS and arch.zone_kind(component_id) in _OWN_ZONES
