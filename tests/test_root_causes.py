"""One root cause, one finding: units, merged paths, related findings, gateways, hops and facts."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, TODAY
from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import parse_architecture
from tmkb_graph.render import analysis_table


def run(text: str):
    return analyze(parse_architecture(text, "arch.yaml"), today=TODAY)


def of(result, pattern: str):
    return [f for f in result.findings if f.pattern == pattern]


FAN_IN = """\
name: Fan-in
tenancy: multi
components:
  web: {type: api, controls: [authn]}
  admin: {type: api, controls: [authn]}
  jobs: {type: queue}
  worker: {type: worker}
flows:
  - {from: web, to: jobs, kind: enqueue, carries: [user_id, tenant_id]}
  - {from: admin, to: jobs, kind: enqueue, carries: [resource_id]}
  - {from: jobs, to: worker, kind: deliver}
"""


def test_producers_of_one_consumer_are_paths_of_one_finding() -> None:
    (finding,) = of(run(FAN_IN), "TMKB-AUTHZ-001")
    assert finding.bindings == {"channel": "jobs", "consumer": "worker"}
    assert [p["producer"] for p in finding.paths] == ["admin", "web"]
    # the context is missing only on the producer that does not send it
    (context,) = [g for g in finding.missing if g.control == "authorization_context_propagation"]
    assert context.at == "flow admin -> jobs (enqueue)"


def test_a_new_producer_keeps_the_consumer_finding_id() -> None:
    (before,) = of(run(FAN_IN), "TMKB-AUTHZ-001")
    more = FAN_IN.replace("  worker:", "  cron_api: {type: api}\n  worker:") + "  - {from: cron_api, to: jobs, kind: enqueue}\n"
    (after,) = of(run(more), "TMKB-AUTHZ-001")
    assert before.id == after.id and len(after.paths) == 3


def test_context_lost_on_an_earlier_hop_is_not_recovered_later() -> None:
    text = """\
name: Two hops
tenancy: multi
components:
  web: {type: api, controls: [authn]}
  q1: {type: queue}
  stage1: {type: worker, controls: [job_reauthorization]}
  q2: {type: queue}
  stage2: {type: worker, controls: [job_reauthorization]}
flows:
  - {from: web, to: q1, kind: enqueue, carries: [resource_id]}
  - {from: q1, to: stage1, kind: deliver}
  - {from: stage1, to: q2, kind: enqueue, carries: [resource_id, user_id, tenant_id]}
  - {from: q2, to: stage2, kind: deliver}
"""
    findings = {f.bindings["consumer"]: f for f in of(run(text), "TMKB-AUTHZ-001")}
    (gap,) = findings["stage2"].missing
    assert gap.control == "authorization_context_propagation"
    assert "user_id (never reached stage1)" in gap.carries


def test_a_scheduler_nothing_feeds_starts_system_work_not_request_work() -> None:
    text = """\
name: Nightly
tenancy: multi
components:
  cron: {type: scheduler}
  sweeper: {type: worker, facts: {tenant_results: true}}
  db: {type: database}
  bus: {type: event_bus}
  mailer: {type: worker}
flows:
  - {from: cron, to: sweeper, kind: invoke}
  - {from: sweeper, to: db, kind: read}
  - {from: sweeper, to: bus, kind: publish, carries: [tenant_id, payload]}
  - {from: bus, to: mailer, kind: subscribe}
  - {from: mailer, to: db, kind: read}
"""
    result = run(text)
    assert [f.bindings["job"] for f in of(result, "TMKB-AUTHZ-014")] == ["sweeper"]
    assert of(result, "TMKB-AUTHZ-001") == []  # no request stands behind the sweep or its events


GATEWAY = """\
name: Gateway
components:
  gw:
    type: gateway
    zone: dmz
    controls: [authn]
    endpoints:
      - {route: "GET /api/v1/notes/{id}", operation: read, resource: Note}
  notes:
    type: api
    zone: internal
    endpoints:
      - {route: "GET /notes/{note_id}", operation: read, resource: Note, controls: [NOTE_CONTROLS]}
resources:
  Note: {owner: user, ids: random}
flows:
  - {from: gw, to: notes, kind: request, carries: [auth_token]}
"""


def test_a_gateway_route_is_judged_once_at_the_service_behind_it() -> None:
    result = run(GATEWAY.replace("NOTE_CONTROLS", ""))
    (finding,) = of(result, "TMKB-AUTHZ-015")
    assert finding.location == "notes GET /notes/{note_id}"
    assert finding.via == ["gw GET /api/v1/notes/{id}"]
    assert finding.status == "open"
    fixed = run(GATEWAY.replace("NOTE_CONTROLS", "object_ownership_check"))
    assert [f.status for f in of(fixed, "TMKB-AUTHZ-015")] == ["mitigated"]


def test_a_gateway_route_no_service_declares_is_not_assessable() -> None:
    # sequential ids: with random ones a route no gateway route reaches, claiming no login, is a capability link
    text = GATEWAY.replace("NOTE_CONTROLS", "").replace('"GET /notes/{note_id}"', '"GET /other/{x}"').replace("ids: random", "ids: sequential")
    result = run(text)
    assert [f.location for f in of(result, "TMKB-AUTHZ-015")] == ["notes GET /other/{x}"]  # never the gateway's route
    assert any(n.component == "gw" and "no matching route" in n.reason for n in result.not_assessable)


def test_same_control_at_same_place_is_one_open_finding_and_the_other_related() -> None:
    text = """\
name: Notes
tenancy: multi
components:
  api:
    type: api
    endpoints:
      - {route: "GET /notes", operation: list, resource: Note, controls: [authn, tenant_scoped_queries]}
      - {route: "GET /notes/{id}", operation: read, resource: Note, controls: [authn]}
resources:
  Note: {owner: tenant, ids: random}
"""
    result = run(text)
    (primary,) = of(result, "TMKB-AUTHZ-002")
    (related,) = of(result, "TMKB-AUTHZ-015")
    assert primary.status == "open" and related.status == "related" and related.related_to == [primary.id]
    assert result.summary.by_status["related"] == 1
    (group,) = [g for g in result.groups if g.control == "object_ownership_check"]
    assert group.findings == [primary.id]


def test_an_undeclared_fact_makes_the_pattern_not_assessable() -> None:
    text = """\
name: Override
components:
  edge:
    type: gateway
    endpoints:
      - {route: "GET /docs/{id}", operation: read, resource: Doc, controls: []}
      - {route: "DELETE /docs/{id}", operation: delete, resource: Doc, controls: [authn]}
  api:
    type: api
    zone: internal
    FRAMEWORK
    endpoints:
      - {route: "GET /docs/{id}", operation: read, resource: Doc, controls: [object_ownership_check]}
      - {route: "DELETE /docs/{id}", operation: delete, resource: Doc, controls: [object_ownership_check]}
resources:
  Doc: {owner: user, ids: random}
flows:
  - {from: edge, to: api, kind: request, carries: [auth_token]}
"""
    unknown = run(text.replace("FRAMEWORK", "framework: phoenix"))
    assert of(unknown, "TMKB-AUTHZ-008") == []
    assert any(n.pattern == "TMKB-AUTHZ-008" and "method override" in n.reason for n in unknown.not_assessable)
    rails = run(text.replace("FRAMEWORK", "framework: rails"))
    assert [f.status for f in of(rails, "TMKB-AUTHZ-008")] == ["open"]
    flask = run(text.replace("FRAMEWORK", "framework: flask"))
    assert of(flask, "TMKB-AUTHZ-008") == [] and not any(n.pattern == "TMKB-AUTHZ-008" for n in flask.not_assessable)
    declared = run(text.replace("FRAMEWORK", "framework: phoenix\n    facts: {method_override: true}"))
    assert [f.status for f in of(declared, "TMKB-AUTHZ-008")] == ["open"]


def test_open_findings_are_grouped_by_place_and_control() -> None:
    result = run(FAN_IN)
    places = {(g.place, g.control) for g in result.groups}
    assert ("component worker", "job_reauthorization") in places
    assert all(g.findings for g in result.groups)


def test_related_to_names_open_findings_and_a_cycle_stays_open() -> None:
    from tmkb_graph.findings import Finding
    from tmkb_graph.related import _to_open_findings

    def made(fid: str, status: str, to: list[str]) -> Finding:
        return Finding.model_construct(id=fid, status=status, related_to=to)

    chain = _to_open_findings([made("A", "related", ["B"]), made("B", "related", ["C"]), made("C", "open", [])])
    assert [(f.id, f.status, f.related_to) for f in chain] == [("A", "related", ["C"]), ("B", "related", ["C"]), ("C", "open", [])]
    cycle = _to_open_findings([made("A", "related", ["B"]), made("B", "related", ["A"])])
    assert [(f.id, f.status, f.related_to) for f in cycle] == [("A", "open", []), ("B", "open", [])]


@pytest.mark.parametrize(
    ("pattern", "fixture", "component", "reason", "declared_as", "declared"),
    [
        (
            "TMKB-AUTHZ-009", "not-assessable-workflow-undeclared.yaml", "api",
            "resource 'Expense' does not say whether its state changes are guarded (workflow: guarded or free, on the resource or on this route)",
            "{owner: user, ids: sequential}", "{owner: user, ids: sequential, workflow: guarded}",
        ),
        (
            "TMKB-AUTHZ-014", "silent-not-declared.yaml", "digest",
            "declare facts: {tenant_results: true|false}",
            "digest: {type: worker, framework: celery}", "digest: {type: worker, framework: celery, facts: {tenant_results: true}}",
        ),
        (
            "TMKB-WEBHOOK-007", "silent-undeclared.yaml", "partner",
            "declare facts: {customer_endpoint: true|false}",
            "partner: {type: external_service}", "partner: {type: external_service, facts: {customer_endpoint: true}}",
        ),
    ],
)
def test_an_undeclared_deciding_fact_makes_the_place_not_assessable_until_it_is_declared(
    pattern: str, fixture: str, component: str, reason: str, declared_as: str, declared: str
) -> None:
    """A transition on a resource that does not say its workflow; a sweep that does not say whether
    it builds tenants' results; an outside service a job posts to that does not say whether customers
    choose its address: listed, with what to declare, and judged once declared."""
    text = (FIXTURES / pattern / fixture).read_text(encoding="utf-8")
    result = run(text)
    assert of(result, pattern) == []
    (entry,) = [n for n in result.not_assessable if n.pattern == pattern]
    assert entry.component == component
    assert reason in entry.reason
    judged = run(text.replace(declared_as, declared))
    assert [f.status for f in of(judged, pattern)] == ["open"]
    assert not [n for n in judged.not_assessable if n.pattern == pattern]


def test_a_related_finding_that_asks_for_another_control_leaves_a_follow_up() -> None:
    # a guarded transition on a route that checks no owner: the owner check comes first (TMKB-AUTHZ-015
    # open), the transition rule is related to it and stays to add, as a step after it
    text = """\
name: Bookings
tenancy: multi
components:
  browser: {type: client}
  api:
    type: api
    controls: [tenant_scoped_queries]
    endpoints:
      - {route: "POST /bookings/{booking_id}/cancel", operation: transition, resource: Booking, controls: [authn]}
resources:
  Booking: {owner: user, ids: random, workflow: guarded}
flows:
  - {from: browser, to: api, kind: request, carries: [auth_token]}
"""
    result = run(text)
    (owner,) = [f for f in of(result, "TMKB-AUTHZ-015") if f.status == "open"]
    (rule,) = of(result, "TMKB-AUTHZ-009")
    assert rule.status == "related" and rule.related_to == [owner.id]
    assert [g.control for g in result.groups if g.place.endswith("/cancel")] == ["object_ownership_check"]
    (step,) = result.follow_ups
    assert (step.control, step.findings, step.after) == ("state_transition_authorization", [rule.id], [owner.id])
    assert "then, each once the fix it follows is in" in analysis_table(result)
    # a related finding whose every gap an open finding asks for leaves no step
    assert not run(text.replace("transition, resource: Booking", "read, resource: Booking")).follow_ups


BY_RESOURCE = """\
name: Invoices
tenancy: multi
components:
  browser: {type: client}
  api:
    type: api
    controls: [authn, mass_assignment_allowlist]
    endpoints:
      - {route: "GET /invoices/{id}", operation: read, resource: Invoice}
      - {route: "POST /invoices/{id}/approve", operation: transition, resource: Invoice}
      - {route: "GET /notes/{id}", operation: read, resource: Note}
      - {route: "GET /teams/{id}", operation: read, resource: Team, controls: [authn, object_ownership_check]}
resources:
  Invoice: {owner: tenant, ids: random, workflow: guarded}
  Note: {owner: user, ids: random}
  Team: {owner: tenant, ids: random}
flows:
  - {from: browser, to: api, kind: request, carries: [auth_token]}
"""


def test_routes_of_one_resource_are_paths_of_one_object_level_finding() -> None:
    result = run(BY_RESOURCE)
    invoices, notes = sorted((f for f in of(result, "TMKB-AUTHZ-015") if f.status == "open"), key=lambda f: f.location)
    assert invoices.location == "api GET /invoices/{id}" and notes.location == "api GET /notes/{id}"
    assert [p["target"] for p in invoices.paths] == ["api GET /invoices/{id}", "api POST /invoices/{id}/approve"]
    assert sorted(g.at for g in invoices.missing) == ["endpoint api GET /invoices/{id}", "endpoint api POST /invoices/{id}/approve"]
    assert invoices.id != notes.id and invoices.status == notes.status == "open"
    # the transition rule on the second route waits for the object check that stands there too
    (rule,) = of(result, "TMKB-AUTHZ-009")
    assert rule.status == "related" and rule.related_to == [invoices.id]


def test_a_service_that_checks_no_object_anywhere_is_one_finding() -> None:
    """Where no route of the service makes the check, the missing check is the one root cause: the
    invoices and the notes are paths of one finding (a judge rejected the second resource's finding
    on such a service as a duplicate)."""
    text = BY_RESOURCE.replace('      - {route: "GET /teams/{id}", operation: read, resource: Team, controls: [authn, object_ownership_check]}\n', "")
    (finding,) = of(run(text), "TMKB-AUTHZ-015")
    assert finding.location == "api GET /invoices/{id}"
    assert [p["target"] for p in finding.paths] == ["api GET /invoices/{id}", "api GET /notes/{id}", "api POST /invoices/{id}/approve"]


def test_tenant_owned_records_a_service_misses_are_one_finding_and_one_alone_keeps_its_id() -> None:
    """TMKB-AUTHZ-015's unit is ``target.owner_rule``: the tenant-owned objects a service looks up
    without the check share one rule and one finding; user-owned notes keep their own, and so does
    the checked team. One such object alone has the id ``target.resource`` gives it."""
    import hashlib

    (alone,) = [f for f in of(run(BY_RESOURCE), "TMKB-AUTHZ-015") if f.location == "api GET /invoices/{id}"]
    digest = hashlib.sha256(b"TMKB-AUTHZ-015\ntarget.resource=api Invoice").hexdigest()[:12]
    assert alone.id == f"TMKB-AUTHZ-015:{digest}"
    text = BY_RESOURCE.replace(
        '      - {route: "GET /notes/{id}"', '      - {route: "PUT /contracts/{contract_id}", operation: update, resource: Contract}\n      - {route: "GET /notes/{id}"'
    ).replace("  Team: {owner: tenant", "  Contract: {owner: tenant, ids: random}\n  Team: {owner: tenant")
    found = {f.location: f for f in of(run(text), "TMKB-AUTHZ-015")}
    assert sorted(found) == ["api GET /invoices/{id}", "api GET /notes/{id}", "api GET /teams/{id}"]
    merged = found["api GET /invoices/{id}"]
    assert merged.id != alone.id and merged.status == "open"
    assert [p["target"] for p in merged.paths] == ["api GET /invoices/{id}", "api POST /invoices/{id}/approve", "api PUT /contracts/{contract_id}"]
    assert found["api GET /notes/{id}"].status == "open" and found["api GET /teams/{id}"].status == "mitigated"


SHARED_ADDRESS = """\
name: Two senders, one customer address
tenancy: multi
components:
  api: {type: api, controls: [authn, tenant_scoped_queries, egress_address_filtering]}
  jobs: {type: queue}
  sender: {type: worker}
  hooks: {type: external_service, facts: {customer_endpoint: true}}
flows:
  - {from: api, to: hooks, kind: request}
  - {from: api, to: jobs, kind: enqueue, carries: [tenant_id, resource_id]}
  - {from: jobs, to: sender, kind: deliver}
  - {from: sender, to: hooks, kind: webhook}
"""


def test_senders_of_one_customer_address_are_one_finding_at_the_one_that_does_not_filter() -> None:
    (finding,) = of(run(SHARED_ADDRESS), "TMKB-WEBHOOK-007")
    assert finding.status == "open" and [p["sender"] for p in finding.paths] == ["api", "sender"]
    assert finding.location == "sender" and [g.at for g in finding.missing] == ["flow sender -> hooks (webhook)"]
    # the id comes from the address, so a third sender of it keeps the finding's id
    more = SHARED_ADDRESS.replace("  hooks:", "  retrier: {type: worker}\n  hooks:")
    more += "  - {from: jobs, to: retrier, kind: deliver}\n  - {from: retrier, to: hooks, kind: webhook}\n"
    (after,) = of(run(more), "TMKB-WEBHOOK-007")
    assert after.id == finding.id and len(after.paths) == 3
    # a sender that reaches another address as well is a finding of its own
    other = more.replace("  hooks:", "  imports: {type: external_service, facts: {customer_endpoint: true}}\n  hooks:")
    other += "  - {from: retrier, to: imports, kind: request}\n"
    assert sorted(len(f.paths) for f in of(run(other), "TMKB-WEBHOOK-007")) == [2, 2]
