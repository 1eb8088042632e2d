"""Trust boundary inference: each flow gets the boundary kinds it crosses, and the rule that says why."""

from __future__ import annotations

from tmkb_graph.architecture import parse_architecture
from tmkb_graph.boundaries import infer_boundaries

ARCH = """\
name: Mixed
tenancy: multi
components:
  browser: {type: client}
  gw: {type: gateway, zone: dmz}
  api: {type: api, zone: internal}
  other: {type: api, zone: internal}
  q: {type: queue}
  w: {type: worker}
  cron: {type: scheduler}
  db: {type: database}
  stripe: {type: external_service}
  hooks: {type: webhook_receiver}
flows:
  - {from: browser, to: gw, kind: request}
  - {from: gw, to: api, kind: request}
  - {from: api, to: q, kind: enqueue}
  - {from: q, to: w, kind: deliver}
  - {from: cron, to: w, kind: invoke}
  - {from: w, to: db, kind: write}
  - {from: stripe, to: hooks, kind: webhook}
  - {from: api, to: other, kind: request}
"""


def kinds(text: str = ARCH) -> dict[int, list[tuple[str, str]]]:
    graph = infer_boundaries(parse_architecture(text))
    return {i: sorted((c.kind, c.rule) for c in cs) for i, cs in graph.flow_crossings.items()}


def test_each_flow_gets_the_boundaries_it_crosses() -> None:
    crossings = kinds()
    assert crossings[0] == [("ingress", "ingress.zone_trust")]  # internet -> dmz
    assert crossings[1] == [("ingress", "ingress.zone_trust"), ("service", "service.call")]  # dmz -> internal
    assert crossings[2] == [("async", "async.flow_kind")]
    assert crossings[3] == [("async", "async.flow_kind")]
    assert crossings[4] == [("async", "async.scheduler")]
    assert crossings[5] == [("tenant", "tenant.shared_store")]
    assert crossings[6] == [("third_party", "third_party.flow_kind")]
    assert crossings[7] == [("service", "service.call")]


def test_single_tenant_store_is_not_a_tenant_boundary() -> None:
    assert kinds(ARCH.replace("tenancy: multi", "tenancy: single"))[5] == []


def test_declared_network_boundary_makes_entering_flows_ingress() -> None:
    text = ARCH.replace("zone: dmz", "zone: internal") + "boundaries:\n  - {name: vpc, kind: network, contains: [api, other, q, w, db]}\n"
    assert ("ingress", "ingress.declared") in kinds(text)[1]
    assert ("ingress", "ingress.declared") not in kinds(text)[7]


def test_declared_tenant_boundary_applies_to_flows_across_it() -> None:
    text = ARCH.replace("tenancy: multi", "tenancy: single") + "boundaries:\n  - {name: shared, kind: tenant, contains: [db]}\n"
    assert kinds(text)[5] == [("tenant", "declared")]


def test_exposed_entry_points_and_what_they_reach() -> None:
    graph = infer_boundaries(parse_architecture(ARCH))
    rules = {cid: [c.rule for c in cs] for cid, cs in graph.component_crossings.items()}
    assert rules["gw"] == ["ingress.exposed"]
    assert rules["hooks"] == ["ingress.exposed"]  # webhook receivers default to the internet zone
    assert rules["other"] == ["ingress.reached"]  # api -> other, api reached through the gateway
    assert "w" not in rules  # a worker behind a queue is not reached by a request


def test_explanations_name_the_components_and_default_zones() -> None:
    graph = infer_boundaries(parse_architecture(ARCH))
    (crossing,) = graph.component_crossings["hooks"]
    assert "default for webhook_receiver" in crossing.explanation


INTERNAL_TOOL = """\
name: Internal tool
tenancy: single
zones: {corp: internal, vault: restricted}
components:
  browser: {type: client, zone: corp}
  sso: {type: identity_provider}
  tool: {type: api, zone: corp}
  q: {type: queue, zone: corp}
  w: {type: worker, zone: vault}
flows:
  - {from: browser, to: sso, kind: request}
  - {from: sso, to: tool, kind: redirect, carries: [auth_token]}
  - {from: browser, to: tool, kind: request, carries: [auth_token]}
  - {from: tool, to: q, kind: enqueue}
  - {from: q, to: w, kind: deliver}
"""


def test_a_redirect_is_the_browser_coming_back_not_an_ingress_from_the_provider() -> None:
    assert ("ingress", "ingress.zone_trust") not in kinds(INTERNAL_TOOL)[1]


def test_users_of_an_internal_tool_enter_it_through_their_client() -> None:
    assert kinds(INTERNAL_TOOL)[2] == [("ingress", "ingress.client")]
    assert infer_boundaries(parse_architecture(INTERNAL_TOOL)).reachable("tool")


def test_only_what_outside_callers_reach_is_internet_facing() -> None:
    graph = infer_boundaries(parse_architecture(INTERNAL_TOOL))
    assert not graph.internet_facing("tool")  # its users are inside, and the provider's redirect is theirs
    assert not graph.internet_facing("w")  # corp -> vault is ingress, but not from the internet
    mixed = infer_boundaries(parse_architecture(ARCH))
    assert mixed.internet_facing("gw") and mixed.internet_facing("api") and mixed.internet_facing("hooks")
    assert not mixed.internet_facing("w")


TOPICS = """\
name: Topics
tenancy: multi
components:
  api: {type: api}
  cron: {type: scheduler}
  bus: {type: event_bus}
  on_order: {type: worker}
  on_refresh: {type: worker}
  on_all: {type: worker}
flows:
  - {from: api, to: bus, kind: publish, topic: order, carries: [user_id, tenant_id]}
  - {from: cron, to: bus, kind: publish, topic: refresh}
  - {from: bus, to: on_order, kind: subscribe, topic: order}
  - {from: bus, to: on_refresh, kind: subscribe, topic: refresh}
  - {from: bus, to: on_all, kind: subscribe}
  - {from: on_refresh, to: bus, kind: publish, topic: done, carries: [user_id]}
"""


def test_a_subscriber_hears_only_the_publishers_of_its_topic() -> None:
    graph = infer_boundaries(parse_architecture(TOPICS))
    assert graph.origins["on_order"] == {"request"}
    assert graph.origins["on_refresh"] == {"system"}
    assert graph.origins["on_all"] == {"request", "system"}  # no topic: every publisher of the bus


def test_context_reaches_a_consumer_only_from_its_own_topic() -> None:
    text = """\
name: Relay
tenancy: multi
components:
  api: {type: api}
  bus: {type: event_bus}
  relay: {type: worker}
  sink: {type: worker}
flows:
  - {from: api, to: bus, kind: publish, topic: a, carries: [user_id]}
  - {from: api, to: bus, kind: publish, topic: b, carries: [tenant_id]}
  - {from: bus, to: relay, kind: subscribe, topic: a}
  - {from: relay, to: bus, kind: publish, topic: c, carries: [user_id, tenant_id]}
  - {from: bus, to: sink, kind: subscribe, topic: c}
"""
    graph = infer_boundaries(parse_architecture(text))
    assert graph.effective_carries(3) == {"user_id"}  # the tenant id went by topic b, which relay never hears
