"""Which trust boundaries one flow crosses, and the rule that says why, from the architecture's facts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tmkb_graph.architecture import Flow, LoadedArchitecture
from tmkb_graph.known_facts import known_fact
from tmkb_graph.vocabulary import load_vocabulary

SYNC_CALL_KINDS = frozenset({"request", "invoke", "callback"})
EXPOSED_ZONE_KINDS = frozenset({"internet", "dmz"})
OUTSIDE_ZONE_KINDS = EXPOSED_ZONE_KINDS | {"third_party"}
CLIENT_RULE = "ingress.client"  # a user's client in a zone as trusted as the service: ingress, but not from the internet


@dataclass(frozen=True, order=True, slots=True)
class Crossing:
    """One boundary crossed by a flow (``flow`` is its index) or by a component's exposure.

    Slotted: a large architecture has hundreds of thousands (a quarter of the memory a dict each took)."""

    kind: str
    rule: str
    explanation: str
    flow: int | None = None
    component: str | None = None


class ArchitectureFacts:
    """Per-architecture facts the rules read: zones, trust, families, declared boundaries."""

    def __init__(self, arch: LoadedArchitecture) -> None:
        vocab = load_vocabulary()
        model = arch.model
        self.arch = arch
        self.multi_tenant = model.tenancy == "multi"
        self.zone_kind = {cid: arch.zone_kind(cid) for cid in model.components}
        self.trust = {cid: int(vocab.fact("zone_kinds", z, "trust")) for cid, z in self.zone_kind.items()}
        self.family = {cid: str(vocab.fact("component_types", c.type, "family")) for cid, c in model.components.items()}
        self.type = {cid: c.type for cid, c in model.components.items()}
        self.flows = model.flows
        self.async_kinds = {k for k in vocab.names("flow_kinds") if vocab.fact("flow_kinds", k, "async")}
        self.declared = [(b.name, b.kind, frozenset(b.contains)) for b in model.boundaries]
        # outside services that stand for addresses customers choose (their webhook URLs): a request
        # there goes wherever a tenant pointed it
        self.customer_addresses = frozenset(
            cid
            for cid, c in model.components.items()
            if self.family[cid] == "party" and known_fact(c, "customer_endpoint", vocab, c.technology, cid) is True
        )
        # each component's declared boundaries, so a flow only looks at the ones around its ends
        self.declared_around: dict[str, list[int]] = defaultdict(list)
        for position, boundary in enumerate(model.boundaries):
            for member in dict.fromkeys(boundary.contains):
                self.declared_around[member].append(position)

    def zone_text(self, cid: str) -> str:
        component = self.arch.model.components[cid]
        if component.zone is None:
            return f"zone {self.zone_kind[cid]} (default for {component.type})"
        if component.zone != self.zone_kind[cid]:
            return f"zone '{component.zone}' ({self.zone_kind[cid]})"
        return f"zone {component.zone}"

    def flow_crossings(self, index: int, flow: Flow) -> list[Crossing]:
        src, dst, kind = flow.source, flow.target, flow.kind
        out: list[Crossing] = []

        def add(boundary: str, rule: str, text: str) -> None:
            out.append(Crossing(boundary, rule, text, flow=index))

        if kind in self.async_kinds:
            add("async", "async.flow_kind", f"{kind} flow: the work runs later, outside the request that caused it")
        elif self.type[src] == "scheduler":
            add("async", "async.scheduler", f"scheduler '{src}' starts the work; no request stands behind it")
        if kind == "redirect":
            pass  # the browser follows the redirect: its own request flow says where the user enters
        elif self.trust[src] < self.trust[dst]:
            add("ingress", "ingress.zone_trust", f"from {self.zone_text(src)} into the more trusted {self.zone_text(dst)}")
        elif self.type[src] == "client" and kind in SYNC_CALL_KINDS and self.family[dst] in ("entry", "compute"):
            # an internal tool's users are principals too: each request carries one user's authority
            add("ingress", CLIENT_RULE, f"client '{src}' sends a user's requests: the service must authorize that user")
        if kind in ("webhook", "callback"):
            add("third_party", "third_party.flow_kind", f"{kind} flow: '{src}' pushes a message the receiver did not ask for")
        elif kind == "redirect":
            pass  # the browser brings the party's answer back: a user's request, not a pushed message
        elif self.zone_kind[src] == "third_party" or self.type[src] in ("external_service", "identity_provider"):
            add("third_party", "third_party.source", f"'{src}' is run by another party ({self.zone_text(src)})")
        elif kind in SYNC_CALL_KINDS and self.type[dst] in ("external_service", "identity_provider"):
            if dst in self.customer_addresses:
                add("third_party", "third_party.destination", f"'{dst}' is an address customers choose: the request goes where a tenant pointed it")
            else:
                add("third_party", "third_party.destination", f"the request leaves the system for '{dst}', run by another party ({self.zone_text(dst)})")
        if kind in SYNC_CALL_KINDS and self.family[src] in ("entry", "compute") and self.family[dst] in ("entry", "compute"):
            add("service", "service.call", f"{self.type[src]} '{src}' calls {self.type[dst]} '{dst}' directly")
        if self.multi_tenant and kind in ("read", "write") and self.family[dst] == "store":
            add("tenant", "tenant.shared_store", f"{self.type[dst]} '{dst}' holds every tenant's data in a multi-tenant system")
        around = sorted(set(self.declared_around.get(src, ())) | set(self.declared_around.get(dst, ())))
        for name, boundary_kind, members in (self.declared[p] for p in around):
            if (src in members) == (dst in members):
                continue
            if boundary_kind == "network":
                if dst in members:
                    add("ingress", "ingress.declared", f"enters the declared network boundary '{name}' from outside it")
            else:
                direction = "enters" if dst in members else "leaves"
                add(boundary_kind, "declared", f"{direction} the declared {boundary_kind} boundary '{name}'")
        return out
