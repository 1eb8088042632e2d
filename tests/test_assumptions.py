"""What a finding takes for granted: undeclared facts and bodies that would have kept it from being made."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import TODAY
from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import parse_architecture
from tmkb_graph.cli import app
from tmkb_graph.render import analysis_json, analysis_markdown, analysis_table

JOB = """\
name: Exports
tenancy: multi
components:
  web: {type: api, controls: [authn, tenant_scoped_queries]}
  jobs: {type: queue}
  worker: {type: worker, FACTS}
  db: {type: database, controls: [storage_tenant_isolation]}
flows:
  - {from: web, to: jobs, kind: enqueue, carries: [resource_id]}
  - {from: jobs, to: worker, kind: deliver}
  - {from: worker, to: db, kind: write}
"""

ROUTE = """\
name: Invoices
tenancy: multi
components:
  browser: {type: client}
  api:
    type: api
    controls: [authn, tenant_scoped_queries]
    endpoints:
      - {route: "POST /invoices", operation: create, resource: Invoice BODY}
      - {route: "GET /invoices/{invoice_id}", operation: read, resource: Invoice}
resources:
  Invoice: {owner: user}
flows:
  - {from: browser, to: api, kind: request}
"""


def _job(facts: str = ""):
    text = JOB.replace("FACTS", f"facts: {{{facts}}}" if facts else "")
    return analyze(parse_architecture(text, "jobs.yaml"), today=TODAY)


def _route(body: str = ""):
    text = ROUTE.replace(" BODY", f", body: {body}" if body else "")
    return analyze(parse_architecture(text, "routes.yaml"), today=TODAY)


def _one(result, pattern: str):
    (finding,) = [f for f in result.findings if f.pattern == pattern]
    return finding


def _validate(path, text: str):
    """`tmkb-graph validate` run on ``text`` written to ``path``."""
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(app, ["validate", str(path)])


def _notes_about(cli, needle: str) -> list[str]:
    """The lines of a validate run's output that mention ``needle``."""
    return [line for line in cli.stderr.splitlines() if needle in line]


def _warnings_about(text: str, needle: str) -> list[str]:
    """The analysis warnings of ``text`` that mention ``needle``."""
    return [w for w in analyze(parse_architecture(text, "arch.yaml"), today=TODAY).warnings if needle in w]


def test_a_job_told_only_a_record_is_presumed_to_act_for_the_requester_and_says_so() -> None:
    # the vocabulary presumes it (a job a person's request started carries out what they asked),
    # so the finding is made; but a message naming neither who asked nor what they asked for fits
    # the system's own follow-up on that record just as well, so the finding names the presumption
    finding = _one(_job(), "TMKB-AUTHZ-001")
    assert finding.status == "open"
    assert finding.assumes == [
        "worker: 'acts for the requester' is taken to hold (declare facts: {acts_for_requester: true|false})"
    ]


def test_a_job_told_who_asked_is_presumed_to_act_for_them_without_saying_so() -> None:
    # a message that names the requester is what a job acting for them is handed: a documented
    # default, not a guess, so the finding lists nothing
    told = JOB.replace("carries: [resource_id]", "carries: [resource_id, user_id, tenant_id]").replace(", FACTS", "")
    finding = _one(analyze(parse_architecture(told, "jobs.yaml"), today=TODAY), "TMKB-AUTHZ-001")
    assert finding.status == "open"
    assert finding.assumes == []


def test_a_declared_fact_is_no_assumption() -> None:
    assert _one(_job("acts_for_requester: true"), "TMKB-AUTHZ-001").assumes == []
    assert not [f for f in _job("acts_for_requester: false").findings if f.pattern == "TMKB-AUTHZ-001"]


BINDS = ROUTE.replace("    type: api\n", "    type: api\n    facts: {field_binding: true}\n", 1)


def test_an_undeclared_body_is_named_on_the_route() -> None:
    finding = _one(analyze(parse_architecture(BINDS.replace(" BODY", ""), "a.yaml"), today=TODAY), "TMKB-AUTHZ-006")
    assert finding.assumes == ["api POST /invoices: the body is taken not to be raw (declare body: fields|raw)"]
    assert _one(analyze(parse_architecture(BINDS.replace(" BODY", ", body: fields"), "a.yaml"), today=TODAY), "TMKB-AUTHZ-006").assumes == []


def test_an_undeclared_deciding_fact_makes_the_place_not_assessable() -> None:
    """How a service binds bodies is the threat's defining condition: where nobody says, mass
    assignment is not guessed, and the service is listed with the fact to declare."""
    result = _route()
    assert not [f for f in result.findings if f.pattern == "TMKB-AUTHZ-006"]
    (item,) = [n for n in result.not_assessable if n.pattern == "TMKB-AUTHZ-006"]
    assert item.component == "api"
    assert item.reason.endswith("declare facts: {field_binding: true|false}")


def test_a_store_type_presumes_how_it_is_read() -> None:
    """A database is presumed queried by more than whole keys; an object store says nothing, so a
    bucket read back is not assessable until it says."""
    text = JOB.replace("FACTS", "facts: {acts_for_requester: false}").replace(
        "  db: {type: database, controls: [storage_tenant_isolation]}", "  db: {type: database}\n  files: {type: object_store}"
    ) + "  - {from: worker, to: files, kind: read}\n"
    result = analyze(parse_architecture(text, "stores.yaml"), today=TODAY)
    (store,) = [f for f in result.findings if f.pattern == "TMKB-AUTHZ-004"]
    assert store.location == "db" and store.assumes == []
    (item,) = [n for n in result.not_assessable if n.pattern == "TMKB-AUTHZ-004"]
    assert item.component == "files" and "key_lookups_only" in item.reason


def test_how_a_service_binds_bodies_decides_mass_assignment() -> None:
    declared = ROUTE.replace("    type: api\n", "    type: api\n    facts: {field_binding: true}\n", 1)
    assert declared != ROUTE
    assert _one(analyze(parse_architecture(declared.replace(" BODY", ", body: fields"), "a.yaml"), today=TODAY), "TMKB-AUTHZ-006").assumes == []
    fixed = declared.replace("field_binding: true", "field_binding: false")
    result = analyze(parse_architecture(fixed.replace(" BODY", ""), "a.yaml"), today=TODAY)
    assert not [f for f in result.findings if f.pattern == "TMKB-AUTHZ-006"]
    rails = ROUTE.replace("    type: api\n", "    type: api\n    framework: rails\n", 1)
    result = analyze(parse_architecture(rails.replace(" BODY", ""), "a.yaml"), today=TODAY)
    assert not [f for f in result.findings if f.pattern == "TMKB-AUTHZ-006"]


ADMIN_ROUTE = ROUTE.replace(" BODY", "").replace('"GET /invoices/{invoice_id}"', '"GET /admin/invoices/{invoice_id}"')


def test_an_admin_area_route_without_admin_only_is_a_named_guess() -> None:
    result = analyze(parse_architecture(ADMIN_ROUTE, "admin.yaml"), today=TODAY)
    finding = _one(result, "TMKB-AUTHZ-005")
    assert finding.status == "open"
    assert finding.assumes == [
        "api GET /admin/invoices/{invoice_id}: a route in an administrators' area that claims no admin_only is taken "
        "to be open to every signed-in caller (claim admin_only if only administrators entitled to every record it "
        "acts on reach it)"
    ]
    claimed = ADMIN_ROUTE.replace('resource: Invoice}', 'resource: Invoice, controls: [admin_only]}')
    assert not [f for f in analyze(parse_architecture(claimed, "admin.yaml"), today=TODAY).findings if f.pattern == "TMKB-AUTHZ-005"]


def test_a_route_outside_an_admin_area_takes_no_admin_guess() -> None:
    # /administrators-guide or an {admin_id} parameter names no administrators' area
    for route in ("GET /invoices/{invoice_id}", "GET /adminship/{invoice_id}", "GET /users/{admin_id}"):
        text = ROUTE.replace(" BODY", "").replace('"GET /invoices/{invoice_id}"', f'"{route}"')
        finding = _one(analyze(parse_architecture(text, "routes.yaml"), today=TODAY), "TMKB-AUTHZ-005")
        assert not [a for a in finding.assumes if "admin" in a], route


def test_a_presumed_fact_is_not_listed() -> None:
    # a route is presumed to serve customers (staff_only false): the object-level finding says nothing of it
    finding = _one(_route(), "TMKB-AUTHZ-005")
    assert finding.status == "open"
    assert finding.assumes == []


def test_only_open_findings_carry_assumptions() -> None:
    text = JOB.replace("FACTS", "controls: [job_reauthorization, authorization_context_propagation]").replace(
        "carries: [resource_id]", "carries: [resource_id, user_id, tenant_id]"
    )
    finding = _one(analyze(parse_architecture(text, "jobs.yaml"), today=TODAY), "TMKB-AUTHZ-001")
    assert finding.status == "mitigated"
    assert finding.assumes == []


def test_every_output_shows_the_assumption() -> None:
    result = analyze(parse_architecture(ADMIN_ROUTE, "admin.yaml"), today=TODAY)
    (finding,) = [f for f in json.loads(analysis_json(result))["findings"] if f["pattern"] == "TMKB-AUTHZ-005"]
    assert finding["assumes"]
    assert "  assumes api GET /admin/invoices/{invoice_id}: a route in an administrators' area" in analysis_table(result)
    assert "Assumes (not declared):" in analysis_markdown(result)


def test_validate_notes_each_assumption_once_and_still_passes(tmp_path) -> None:
    path = tmp_path / "admin.yaml"
    result = _validate(path, ADMIN_ROUTE)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ") and " assume" in line]
    assert len(notes) == 1 and "(TMKB-AUTHZ-005) assumes what the file does not say: api GET /admin/invoices/{invoice_id}" in notes[0]
    assert "ok: 1 file valid" in result.stdout


def test_validate_says_nothing_of_a_file_that_declares_what_it_rests_on(tmp_path) -> None:
    claimed = ADMIN_ROUTE.replace('resource: Invoice}', 'resource: Invoice, controls: [admin_only]}')
    result = _validate(tmp_path / "admin.yaml", claimed)
    assert result.exit_code == 0
    assert " assume" not in result.stderr


def test_a_fact_declared_on_a_kind_no_pattern_reads_it_on_is_a_warning(tmp_path) -> None:
    text = """\
name: Inbound mail
tenancy: multi
components:
  mailgun: {type: external_service}
  inbound: {type: webhook_receiver, facts: {relays_senders: true}}
flows:
  - {from: mailgun, to: inbound, kind: webhook, carries: [payload]}
"""
    (warning,) = _warnings_about(text, "relays_senders")
    assert "components.inbound.facts.relays_senders: no pattern reads this fact on a webhook_receiver" in warning
    assert "only on external_service" in warning
    cli = _validate(tmp_path / "mail.yaml", text)
    assert cli.exit_code == 0
    assert any(line.startswith("warning: ") and "relays_senders" in line for line in cli.stderr.splitlines())
    moved = text.replace("mailgun: {type: external_service}", "mailgun: {type: external_service, facts: {relays_senders: true}}")
    moved = moved.replace("inbound: {type: webhook_receiver, facts: {relays_senders: true}}", "inbound: {type: webhook_receiver}")
    assert not _warnings_about(moved, "relays_senders")


def test_validate_notes_each_place_a_pattern_cannot_judge(tmp_path) -> None:
    path = tmp_path / "sweep.yaml"
    result = _validate(
        path,
        """\
name: Sweep
tenancy: multi
components:
  cron: {type: scheduler}
  sweeper: {type: worker}
  db: {type: database, controls: [storage_tenant_isolation]}
flows:
  - {from: cron, to: sweeper, kind: invoke}
  - {from: sweeper, to: db, kind: read}
""",
    )
    assert result.exit_code == 0
    assert (
        f"note: {path}: line 5: TMKB-AUTHZ-014 cannot judge sweeper: worker 'sweeper' does not say "
        "'builds tenants' results from many tenants' records' true or false; "
        "declare facts: {tenant_results: true|false}"
    ) in result.stderr.splitlines()


def test_routes_nobody_reaches_are_a_warning(tmp_path) -> None:
    text = """\
name: Partner portal
tenancy: multi
components:
  browser: {type: client}
  api: {type: api, endpoints: [{route: "GET /shipments/{id}", operation: read, resource: Shipment}]}
  portal: {type: api, zone: internal, endpoints: [{route: "POST /shipments/{id}/milestones", operation: update, resource: Shipment}]}
  db: {type: database}
resources:
  Shipment: {owner: tenant, ids: random}
flows:
  - {from: browser, to: api, kind: request}
  - {from: api, to: db, kind: read}
  - {from: portal, to: db, kind: write}
"""
    (warning,) = _warnings_about(text, "no flow reaches")
    assert "components.portal.endpoints: declares 1 route, but no flow reaches 'portal'" in warning
    cli = _validate(tmp_path / "portal.yaml", text)
    assert cli.exit_code == 0
    assert [line for line in cli.stderr.splitlines() if line.startswith("warning: ") and "no flow reaches 'portal'" in line]
    drawn = text.replace("  - {from: portal, to: db", "  - {from: browser, to: portal, kind: request}\n  - {from: portal, to: db")
    assert not _warnings_about(drawn, "no flow reaches")


def test_deliveries_of_several_senders_with_no_route_named_are_a_warning() -> None:
    text = """\
name: Storefront billing
tenancy: multi
components:
  stripe: {type: external_service, technology: stripe}
  shopify: {type: external_service, technology: shopify}
  hooks:
    type: webhook_receiver
    endpoints:
      - {route: "POST /hooks/stripe", operation: action, controls: [webhook_signature_verification]}
      - {route: "POST /hooks/shopify", operation: action, controls: []}
flows:
  - {from: stripe, to: hooks, kind: webhook, route: "POST /hooks/stripe"}
  - {from: shopify, to: hooks, kind: webhook}
"""
    (warning,) = _warnings_about(text, "senders")
    assert warning.startswith("arch.yaml: line 13: flows[1].route: 'hooks' takes deliveries from 2 senders")
    assert "the flows from shopify do not say which route they reach" in warning
    named = text.replace("kind: webhook}", 'kind: webhook, route: "POST /hooks/shopify"}')
    assert not _warnings_about(named, "senders")
    alike = text.replace("controls: []}", "controls: [webhook_signature_verification]}")
    assert not _warnings_about(alike, "senders")


def test_a_redirect_no_browser_can_follow_is_a_warning() -> None:
    text = """\
name: Shop payouts
tenancy: multi
components:
  browser: {type: client}
  stripe: {type: external_service, technology: stripe}
  callback: {type: api, zone: internal, controls: [authn]}
  db: {type: database}
flows:
  - {from: stripe, to: callback, kind: redirect, carries: [payload]}
  - {from: callback, to: db, kind: write}
"""
    (warning,) = _warnings_about(text, "redirect from")
    assert warning.startswith("arch.yaml: line 9: flows[0]: a redirect from 'stripe' sends the user's browser to 'callback'")
    drawn = text.replace("flows:\n", "flows:\n  - {from: browser, to: callback, kind: request}\n")
    assert not _warnings_about(drawn, "redirect from")


def test_a_route_claiming_less_than_its_siblings_is_a_validate_note(tmp_path) -> None:
    text = """\
name: Files
tenancy: multi
components:
  browser: {type: client}
  api:
    type: api
    endpoints:
      - {route: "GET /files/{id}", operation: read, resource: File, controls: [authn, object_ownership_check]}
      - {route: "DELETE /files/{id}", operation: delete, resource: File, controls: [authn]}
      - {route: "POST /files/{id}/purge", operation: delete, resource: File, controls: [authn, admin_only]}
resources:
  File: {owner: user, ids: random}
flows:
  - {from: browser, to: api, kind: request, carries: [auth_token]}
"""
    cli = _validate(tmp_path / "files.yaml", text)
    notes = _notes_about(cli, "claims no object_ownership_check")
    assert notes == [
        f"note: {tmp_path / 'files.yaml'}: line 9: components.api.endpoints[1]: 'api DELETE /files/{{id}}' names a File but "
        "claims no object_ownership_check, which 'GET /files/{id}' on the same File claims: if the same check runs here, "
        "declare it; if not, the findings here take it as missing"
    ]
    same = _validate(tmp_path / "same.yaml", text.replace("controls: [authn]}", "controls: [authn, object_ownership_check]}"))
    assert "claims no" not in same.stderr


def test_an_admin_route_without_a_tenant_scope_is_a_validate_note(tmp_path) -> None:
    text = """\
name: Workspaces
tenancy: multi
components:
  browser: {type: client}
  api:
    type: api
    endpoints:
      - {route: "PATCH /members/{member_id}", operation: update, resource: Member, controls: [authn, admin_only]}
      - {route: "DELETE /portals/{portal_id}", operation: delete, resource: Portal, controls: [authn, admin_only, tenant_scoped_queries]}
      - {route: "POST /members", operation: create, resource: Member, controls: [authn, admin_only]}
resources:
  Member: {owner: tenant, ids: sequential}
  Portal: {owner: tenant, ids: sequential}
flows:
  - {from: browser, to: api, kind: request, carries: [auth_token]}
"""
    cli = _validate(tmp_path / "ws.yaml", text)
    notes = _notes_about(cli, "claims admin_only")
    assert notes == [
        f"note: {tmp_path / 'ws.yaml'}: line 8: components.api.endpoints[0]: 'api PATCH /members/{{member_id}}' claims "
        "admin_only but no tenant_scoped_queries: admin_only means the role may act on every record of the caller's own "
        "tenant, so the object-level patterns take the route as scoped to it; declare tenant_scoped_queries where the "
        "sources show that scope, or drop admin_only where they show only the role check"
    ]
    single = _validate(tmp_path / "single.yaml", text.replace("tenancy: multi", "tenancy: single"))
    assert "claims admin_only" not in single.stderr


def test_a_request_handing_customers_addresses_a_payload_is_a_validate_note(tmp_path) -> None:
    text = """\
name: Invoices
tenancy: multi
components:
  api: {type: api, controls: [authn]}
  sender: {type: worker}
  hooks: {type: external_service, facts: {customer_endpoint: true}}
  erp: {type: external_service, facts: {customer_endpoint: true}}
flows:
  - {from: api, to: sender, kind: invoke}
  - {from: sender, to: hooks, kind: request, carries: [payload]}
  - {from: sender, to: erp, kind: request, carries: [auth_token, payload]}
"""
    cli = _validate(tmp_path / "invoices.yaml", text)
    notes = _notes_about(cli, "TMKB-WEBHOOK-008 judges")
    assert notes == [
        f"note: {tmp_path / 'invoices.yaml'}: line 10: flows[1]: 'sender' sends a payload to 'hooks' (addresses customers "
        "chose) as a request: if it delivers the system's events to URLs customers registered (outgoing webhooks), draw "
        "it as kind: webhook, so TMKB-WEBHOOK-008 judges whether each delivery is signed over its body and send time; a "
        "call to the customer's own API or server stays a request"
    ]
    drawn = _validate(tmp_path / "drawn.yaml", text.replace("to: hooks, kind: request", "to: hooks, kind: webhook"))
    assert "TMKB-WEBHOOK-008 judges" not in drawn.stderr
    fixed = _validate(tmp_path / "fixed.yaml", text.replace("hooks: {type: external_service, facts: {customer_endpoint: true}}", "hooks: {type: external_service, technology: stripe}"))
    assert "TMKB-WEBHOOK-008 judges" not in fixed.stderr


def test_a_signed_delivery_without_a_timestamp_is_a_validate_note(tmp_path) -> None:
    text = """\
name: Invoices
tenancy: multi
components:
  sender: {type: worker}
  hooks: {type: external_service, facts: {customer_endpoint: true}}
flows:
  - {from: sender, to: hooks, kind: webhook, carries: [payload, signature]}
"""
    cli = _validate(tmp_path / "signed.yaml", text)
    notes = _notes_about(cli, "carries no timestamp")
    assert notes == [
        f"note: {tmp_path / 'signed.yaml'}: line 7: flows[0]: 'sender' signs its deliveries to 'hooks' but the flow carries "
        "no timestamp: if the signature covers the send time (a signed timestamp header, or a time inside the signed body "
        "or token), add timestamp to carries; TMKB-WEBHOOK-008 takes it as missing otherwise"
    ]
    timed = _validate(tmp_path / "timed.yaml", text.replace("signature]", "signature, timestamp]"))
    assert "carries no timestamp" not in timed.stderr


def test_the_platforms_own_identity_provider_is_asked_about_its_deliveries_and_a_third_partys_is_not(tmp_path) -> None:
    text = """\
name: Sign-in
tenancy: multi
zones: {auth: internal}
components:
  idp: {type: identity_provider, zone: auth}
  hooks: {type: external_service, facts: {customer_endpoint: true}}
flows:
  - {from: idp, to: hooks, kind: webhook, carries: [payload, signature]}
"""
    own = _validate(tmp_path / "own.yaml", text)
    assert len(_notes_about(own, "carries no timestamp")) == 1
    theirs = _validate(tmp_path / "theirs.yaml", text.replace("{auth: internal}", "{auth: third_party}"))
    assert "carries no timestamp" not in theirs.stderr


def test_a_request_naming_its_tenant_to_an_api_without_the_check_is_a_validate_note(tmp_path) -> None:
    text = """\
name: Books
tenancy: multi
components:
  app: {type: client}
  api: {type: api, controls: [authn]}
flows:
  - {from: app, to: api, kind: request, carries: [auth_token, tenant_id]}
  - {from: app, to: api, kind: request, carries: [auth_token, tenant_id, payload]}
"""
    cli = _validate(tmp_path / "books.yaml", text)
    notes = _notes_about(cli, "names the tenant it acts in")
    assert notes == [
        f"note: {tmp_path / 'books.yaml'}: line 7: flows[0]: 'app' names the tenant it acts in to 'api' (carries "
        "tenant_id): if 'api' checks it against the tenants the credential was granted (a refusal for a tenant the token "
        "was not given), claim tenant_scoped_queries there, and if every credential it accepts belongs to one tenant (a "
        "key issued to one account, a token signed with one project's key), declare facts: {one_tenant_credentials: "
        "true}; TMKB-AUTHZ-017 takes the check as missing otherwise"
    ]
    assert "'each credential belongs to one tenant' is taken not to hold" in cli.stderr
    checked = _validate(tmp_path / "checked.yaml", text.replace("controls: [authn]}", "controls: [authn, tenant_scoped_queries]}"))
    assert "names the tenant it acts in" not in checked.stderr
    one = _validate(tmp_path / "one.yaml", text.replace("controls: [authn]}", "controls: [authn], facts: {one_tenant_credentials: true}}"))
    assert "names the tenant it acts in" not in one.stderr and "belongs to one tenant' is taken" not in one.stderr


def test_a_fact_no_framework_sets_is_asked_without_naming_the_framework(tmp_path) -> None:
    # field_binding has known framework defaults, open_settings has none: only the design can say it
    cli = _validate(tmp_path / "settings.yaml", """\
name: Settings
tenancy: multi
components:
  browser: {type: client}
  api:
    type: api
    framework: fastapi
    controls: [authn]
    endpoints:
      - {route: "POST /webhooks", operation: create, resource: Webhook}
resources:
  Webhook: {owner: tenant, ids: random}
flows:
  - {from: browser, to: api, kind: request, carries: [auth_token, payload]}
""")
    (settings,) = _notes_about(cli, "TMKB-AUTHZ-018 cannot judge")
    assert settings.endswith("does not say 'settings open to every member' true or false; declare facts: {open_settings: true|false}")
    (binding,) = _notes_about(cli, "TMKB-AUTHZ-006 cannot judge")
    assert "(its framework 'fastapi' is not one whose default is known)" in binding


def test_the_delivery_and_tenant_notes_follow_the_roles_of_the_patterns_they_ask_for(tmp_path) -> None:
    # the notes admit what TMKB-WEBHOOK-008's and TMKB-AUTHZ-017's roles admit; a library without
    # those patterns judges neither, so validate has nothing to ask
    from tmkb_graph.library import PatternLibrary, load_library
    from tmkb_graph.validation import validate_paths

    path = tmp_path / "both.yaml"
    path.write_text("""\
name: Both
tenancy: multi
components:
  app: {type: client}
  api: {type: api, controls: [authn]}
  sender: {type: worker}
  hooks: {type: external_service, facts: {customer_endpoint: true}}
flows:
  - {from: app, to: api, kind: request, carries: [auth_token, tenant_id]}
  - {from: api, to: sender, kind: invoke}
  - {from: sender, to: hooks, kind: request, carries: [payload]}
""", encoding="utf-8")
    needles = ("TMKB-WEBHOOK-008 judges", "names the tenant it acts in")

    def asked(library: PatternLibrary) -> list[str]:
        return sorted(n for n in needles for p in validate_paths([path], library).problems if n in str(p))

    shipped = load_library()
    assert asked(shipped) == sorted(needles)
    without = {k: v for k, v in shipped.patterns.items() if k not in ("TMKB-WEBHOOK-008", "TMKB-AUTHZ-017")}
    assert asked(PatternLibrary(without)) == []
