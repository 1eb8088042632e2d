"""Analysis as a whole: statuses, acceptances, not-assessable patterns, stable ids, determinism."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import TODAY
from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import parse_architecture
from tmkb_graph.errors import InputError
from tmkb_graph.render import analysis_json

BASE = """\
name: Files
tenancy: multi
components:
  web: {type: api, controls: [authn]}
  jobs: {type: queue}
  worker: {type: worker, controls: [WORKER_CONTROLS]}
flows:
  - {from: web, to: jobs, kind: enqueue, carries: [CARRIES]}
  - {from: jobs, to: worker, kind: deliver}
"""


def run(controls: str = "", carries: str = "resource_id", extra: str = "", today: dt.date = TODAY):
    text = BASE.replace("WORKER_CONTROLS", controls).replace("CARRIES", carries) + extra
    return analyze(parse_architecture(text, "files.yaml"), today=today)


def authz_001(result):
    return [f for f in result.findings if f.pattern == "TMKB-AUTHZ-001"]


def test_worker_without_reauthorization_is_open() -> None:
    (finding,) = authz_001(run())
    assert finding.status == "open"
    assert {g.control for g in finding.missing} == {"job_reauthorization", "authorization_context_propagation"}
    # located where the fix belongs: the consumer, not the first flow
    assert finding.location == "worker" and finding.location_line == 6 and finding.file == "files.yaml"


def test_worker_with_reauthorization_and_context_is_mitigated() -> None:
    (finding,) = authz_001(run("job_reauthorization", "resource_id, user_id, tenant_id"))
    assert finding.status == "mitigated" and finding.missing == []
    assert {g.control for g in finding.present} == {"job_reauthorization", "authorization_context_propagation"}


def test_context_without_tenant_id_stays_open_in_multi_tenant() -> None:
    (finding,) = authz_001(run("job_reauthorization", "user_id"))
    (gap,) = finding.missing
    assert gap.control == "authorization_context_propagation" and gap.carries == ["tenant_id"]


def test_a_finding_missing_only_what_a_severity_rule_names_takes_its_lower_severity() -> None:
    (lost,) = authz_001(run())
    assert (lost.severity, lost.severity_because) == ("high", None)
    (carried,) = authz_001(run(carries="resource_id, user_id, tenant_id"))
    assert [g.control for g in carried.missing] == ["job_reauthorization"]
    assert carried.severity == "medium" and "revoked between enqueue and run" in (carried.severity_because or "")
    (mitigated,) = authz_001(run("job_reauthorization", "resource_id, user_id, tenant_id"))
    assert (mitigated.severity, mitigated.severity_because) == ("high", None)


def test_acceptance_makes_the_finding_accepted_until_it_expires() -> None:
    acceptance = "accepted:\n  - {pattern: TMKB-AUTHZ-001, component: worker, reason: migration, expires: 2027-01-31}\n"
    (finding,) = authz_001(run(extra=acceptance))
    assert finding.status == "accepted" and finding.acceptance.reason == "migration"
    later = run(extra=acceptance, today=dt.date(2027, 2, 1))
    (finding,) = authz_001(later)
    assert finding.status == "open" and finding.acceptance.expired
    assert any("expired on 2027-01-31" in w for w in later.warnings)


def test_acceptance_by_finding_id() -> None:
    (finding,) = authz_001(run())
    result = run(extra=f"accepted:\n  - {{pattern: TMKB-AUTHZ-001, finding: '{finding.id}', reason: r, expires: 2030-01-01}}\n")
    assert authz_001(result)[0].status == "accepted"


def test_acceptance_that_matches_nothing_warns_and_unknown_pattern_fails() -> None:
    result = run(extra="accepted:\n  - {pattern: TMKB-AUTHZ-001, component: web, reason: r, expires: 2030-01-01}\n")
    assert authz_001(result)[0].status == "accepted"  # web is the producer: it is bound
    result = run(extra="accepted:\n  - {pattern: TMKB-WEBHOOK-001, component: web, reason: r, expires: 2030-01-01}\n")
    assert any("matches no finding" in w for w in result.warnings)
    with pytest.raises(InputError, match=r"accepted\[0\].pattern: unknown pattern 'TMKB-AUTHZ-01' \(did you mean"):
        run(extra="accepted:\n  - {pattern: TMKB-AUTHZ-01, component: web, reason: r, expires: 2030-01-01}\n")


def test_finding_id_is_stable_across_unrelated_edits() -> None:
    (before,) = authz_001(run())
    text = "# a comment that shifts every line\n\n" + BASE.replace("WORKER_CONTROLS", "").replace("CARRIES", "resource_id")
    text = text.replace("  jobs: {type: queue}", "  jobs: {type: queue, technology: redis}\n  cache: {type: cache}")
    (after,) = authz_001(analyze(parse_architecture(text, "files.yaml"), today=TODAY))
    assert before.id == after.id and before.location_line != after.location_line


def test_endpoint_patterns_on_an_architecture_without_endpoints_are_not_assessable() -> None:
    result = run()
    assert any(n.component == "web" and "declares no endpoints" in n.reason for n in result.not_assessable)
    assert result.summary.not_assessable


def test_same_input_gives_the_same_bytes() -> None:
    assert analysis_json(run()) == analysis_json(run())


def test_findings_are_sorted_by_severity_then_pattern() -> None:
    result = run()
    from tmkb_graph.vocabulary import load_vocabulary

    ranks = [-load_vocabulary().rank("severities", f.severity) for f in result.findings]
    assert ranks == sorted(ranks)


def test_a_token_in_the_path_makes_no_nesting_to_ask_about() -> None:
    # /public/dashboards/{access_token}/panels/{panel_id}: the token is the dashboard's credential,
    # so one id is left and nothing is nested, whether or not the resource declares a parent
    text = """\
name: Shared dashboards
tenancy: multi
components:
  browser: {type: client}
  api:
    type: api
    endpoints:
      - {route: "POST /public/dashboards/{access_token}/panels/{panel_id}/query", operation: action, resource: Board}
      - {route: "GET /teams/{team_id}/boards/{board_id}", operation: read, resource: Board, controls: [authn]}
resources:
  Board: {owner: tenant, ids: random PARENT}
flows:
  - {from: browser, to: api, kind: request}
"""
    for parent in ("", ", parent: Team"):
        result = analyze(parse_architecture(text.replace(" PARENT", parent).replace("Team}", "Team}\n  Team: {owner: tenant, ids: random}"), "boards.yaml"), today=TODAY)
        reasons = [item.reason for item in result.not_assessable if item.pattern == "TMKB-AUTHZ-010"]
        assert not [r for r in reasons if "access_token" in r], reasons
    # the real pair of pairs with no parent declared is still not assessable, never guessed
    result = analyze(parse_architecture(text.replace(" PARENT", ""), "boards.yaml"), today=TODAY)
    assert any("GET /teams/{team_id}/boards/{board_id}" in item.reason for item in result.not_assessable if item.pattern == "TMKB-AUTHZ-010")


def test_two_pairs_on_a_tenant_scoped_tenant_record_leave_nothing_to_declare() -> None:
    # /sites/{site_id}/workbooks/{workbook_id} with no parent declared: whether the first pair is the
    # tenant or a parent, a tenant-owned record looked up within the caller's tenant is covered
    text = """\
name: Sites
tenancy: multi
components:
  browser: {type: client}
  api:
    type: api
    endpoints:
      - {route: "GET /sites/{site_id}/workbooks/{workbook_id}", operation: read, resource: Workbook, controls: [authn, CONTROLS]}
resources:
  Workbook: {owner: OWNER, ids: random}
flows:
  - {from: browser, to: api, kind: request, carries: [auth_token]}
"""

    def reasons(controls: str, owner: str) -> list[str]:
        arch = parse_architecture(text.replace("CONTROLS", controls).replace("OWNER", owner), "sites.yaml")
        return [item.reason for item in analyze(arch, today=TODAY).not_assessable if item.pattern == "TMKB-AUTHZ-010"]

    assert reasons("tenant_scoped_queries", "tenant") == []
    assert reasons("object_ownership_check", "user")  # a user's record: which pair is the parent still matters
