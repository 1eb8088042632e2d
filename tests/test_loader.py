"""Bad architecture files get one clear, located error each: never a traceback, never a hang."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tmkb_graph.architecture import load_architecture, parse_architecture
from tmkb_graph.errors import InputError
from tmkb_graph.safe_yaml import MAX_DEPTH, MAX_FILE_BYTES

GOOD = """\
name: Shop
tenancy: multi
components:
  web: {type: api, controls: [authn]}
  jobs: {type: queue}
  worker: {type: worker}
flows:
  - {from: web, to: jobs, kind: enqueue}
  - {from: jobs, to: worker, kind: deliver}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_architecture(text, "arch.yaml")
    return [str(p) for p in caught.value.problems]


def test_a_good_file_loads_with_lines() -> None:
    arch = parse_architecture(GOOD, "arch.yaml")
    assert arch.model.components["worker"].type == "worker"
    assert arch.line_of(("flows", 1)) == 9


def test_unknown_component_type_names_line_field_and_nearest_word() -> None:
    text = GOOD.replace("{type: worker}", "{type: wroker}")
    assert problems(text) == [
        "arch.yaml: line 6: components.worker.type: unknown component type 'wroker' (did you mean 'worker'?)"
    ]


def test_unknown_field_suggests_the_field() -> None:
    text = GOOD.replace("controls: [authn]", "contols: [authn]")
    assert problems(text) == ["arch.yaml: line 4: components.web.contols: unknown field 'contols' (did you mean 'controls'?)"]


def test_unknown_control_in_a_list_points_at_the_item() -> None:
    text = GOOD.replace("controls: [authn]", "controls: [authn, tenant_scoped_query]")
    assert problems(text) == [
        "arch.yaml: line 4: components.web.controls[1]: unknown control 'tenant_scoped_query' "
        "(did you mean 'tenant_scoped_queries'?)"
    ]


def test_flow_to_a_missing_component_is_an_error() -> None:
    text = GOOD.replace("{from: jobs, to: worker", "{from: jobs, to: workr")
    assert problems(text) == ["arch.yaml: line 9: flows[1].to: no component 'workr' (did you mean 'worker'?)"]


def test_duplicate_component_id_is_an_error() -> None:
    text = GOOD.replace("  worker: {type: worker}", "  worker: {type: worker}\n  worker: {type: function}")
    assert problems(text) == ["arch.yaml: line 7: components.worker: duplicate key 'worker' (first defined on line 6)"]


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="the file is empty"):
        load_architecture(path)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the file"):
        load_architecture(tmp_path / "nope.yaml")


def test_top_level_list_is_an_error() -> None:
    assert "an architecture is a mapping" in problems("- a\n- b\n")[0]


def test_missing_components_is_an_error() -> None:
    assert problems("name: x\n") == ["arch.yaml: line 1: components: this field is required"]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]" for i in range(1, 10)]
    start = time.perf_counter()
    assert "aliases" in problems("\n".join(lines))[0]
    assert time.perf_counter() - start < 5  # a guard against expansion, not a performance figure


def test_absurd_nesting_is_refused() -> None:
    text = "name: x\ncomponents: " + "[" * 10_000 + "]" * 10_000
    (problem,) = problems(text)
    # newer libyaml refuses first with its own wording; either way one located error, no RecursionError
    assert problem.startswith("arch.yaml: line 2:") and ("nested more than" in problem or "nesting depth" in problem)


def test_nesting_just_past_the_limit_is_refused() -> None:
    deep = "x: " + "{a: " * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
    assert f"nested more than {MAX_DEPTH} levels" in problems("name: x\ncomponents: {}\n" + deep)[0]


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES)
    with pytest.raises(InputError, match="the limit is"):
        load_architecture(path)


def test_python_tags_are_refused() -> None:
    assert "python/object/apply" in problems("name: !!python/object/apply:os.system ['true']\ncomponents: {}\n")[0]
    assert problems("name: x\ncomponents: !!python/object:os.system {}\n")[0].startswith("arch.yaml: line 2")


def test_invalid_yaml_reports_the_line() -> None:
    assert problems("name: x\ncomponents: [\n")[0].startswith("arch.yaml: line 3: invalid YAML")


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not valid UTF-8"):
        load_architecture(path)


def test_bad_route_and_method() -> None:
    text = GOOD.replace("{type: api, controls: [authn]}", "{type: api, endpoints: [{route: 'FETCH /x', operation: read}]}")
    assert "unknown HTTP method 'FETCH'" in problems(text)[0]


def test_undeclared_resource_with_resources_section_is_an_error() -> None:
    text = GOOD.replace(
        "{type: api, controls: [authn]}", "{type: api, endpoints: [{route: 'GET /f/{id}', operation: read, resource: Fiel}]}"
    ) + "resources:\n  File: {owner: tenant}\n"
    assert "unknown resource 'Fiel' (did you mean 'File'?)" in problems(text)[0]


def test_undeclared_resource_without_resources_section_is_a_warning() -> None:
    text = GOOD.replace("{type: api, controls: [authn]}", "{type: api, endpoints: [{route: 'GET /f/{id}', operation: read, resource: File}]}")
    arch = parse_architecture(text, "arch.yaml")
    assert "not declared under resources" in str(arch.warnings[0])


def test_reversed_store_flow_is_an_error() -> None:
    text = GOOD + "  - {from: db, to: worker, kind: read}\n"
    text = text.replace("  worker: {type: worker}", "  worker: {type: worker}\n  db: {type: database}")
    assert "drawn from the component that reads or writes" in problems(text)[0]


def test_unknown_zone_suggests_and_free_zones_map_to_kinds() -> None:
    assert "did you mean 'internal'" in problems(GOOD.replace("{type: queue}", "{type: queue, zone: internl}"))[0]
    arch = parse_architecture(GOOD.replace("{type: queue}", "{type: queue, zone: corp}") + "zones: {corp: restricted}\n")
    assert arch.zone_kind("jobs") == "restricted"


def test_acceptance_without_expiry_warns() -> None:
    arch = parse_architecture(GOOD + "accepted:\n  - {pattern: TMKB-AUTHZ-001, component: worker, reason: legacy}\n")
    assert "no expires" in str(arch.warnings[0])


def test_bad_date_names_the_field() -> None:
    text = GOOD + "accepted:\n  - {pattern: TMKB-AUTHZ-001, component: worker, reason: r, expires: 2027-13-01}\n"
    assert problems(text)[0].startswith("arch.yaml: line 11: accepted[0].expires: invalid date '2027-13-01'")


def test_a_topic_is_for_flows_through_a_channel() -> None:
    assert parse_architecture(GOOD.replace("kind: enqueue}", "kind: enqueue, topic: exports}")).model.flows[0].topic == "exports"
    text = GOOD.replace("flows:\n", "flows:\n  - {from: web, to: worker, kind: request, topic: exports}\n")
    assert problems(text) == [
        "arch.yaml: line 8: flows[0].topic: topic names the topic or queue of a publish, subscribe, enqueue, deliver or invoke flow; "
        "this is a request flow"
    ]


def test_a_flow_names_a_route_of_the_component_it_reaches() -> None:
    api = "{type: api, endpoints: [{route: 'POST /hooks/stripe', operation: action}, {route: 'GET /files', operation: list}]}"
    text = GOOD.replace("web: {type: api, controls: [authn]}", "web: " + api + "\n  stripe: {type: external_service}")
    flow = "  - {from: stripe, to: web, kind: webhook, route: 'post /hooks/stripe'}\n"
    assert parse_architecture(text.replace("flows:\n", "flows:\n" + flow)).model.flows[0].route == "post /hooks/stripe"
    typo = text.replace("flows:\n", "flows:\n" + flow.replace("stripe'", "strip'"))
    assert problems(typo) == ["arch.yaml: line 9: flows[0].route: 'web' has no route 'post /hooks/strip' (did you mean 'POST /hooks/stripe'?)"]
    no_routes = GOOD.replace("kind: enqueue}", "kind: enqueue, route: 'POST /jobs'}")
    assert problems(no_routes) == [
        "arch.yaml: line 8: flows[0].route: route names the route a request, webhook, callback or redirect flow reaches; "
        "this flow is of kind enqueue"
    ]
    to_worker = GOOD.replace("flows:\n", "flows:\n  - {from: web, to: worker, kind: request, route: 'POST /run'}\n")
    assert problems(to_worker) == [
        "arch.yaml: line 8: flows[0].route: route 'POST /run' names a route of 'worker', which declares no endpoints"
    ]


def test_a_token_in_the_path_is_a_credential_not_an_object_id() -> None:
    routes = "[{route: 'DELETE /tokens/{token}', operation: delete}, {route: 'DELETE /tokens/{token_id}', operation: delete}]"
    model = parse_architecture(GOOD.replace("{type: api, controls: [authn]}", "{type: api, endpoints: " + routes + "}")).model
    secret, record = model.components["web"].endpoints
    assert (secret.path_params, secret.id_params, record.id_params) == (1, 0, 1)


def test_a_token_named_for_its_own_resource_is_an_id_where_the_caller_signs_in() -> None:
    routes = (
        "[{route: 'GET /v1/cards/{card_token}', operation: read, resource: Card},"
        " {route: 'GET /v1/cards/{share_token}', operation: read, resource: Card},"
        " {route: 'GET /v1/account_holders/{account_holder_token}', operation: read, resource: AccountHolder},"
        " {route: 'PUT /v1/cards/{card_token}', operation: update}]"
    )
    signed_in = "{type: api, controls: [authn], endpoints: " + routes + "}"
    card, shared, holder, unnamed = parse_architecture(GOOD.replace("{type: api, controls: [authn]}", signed_in)).model.components["web"].endpoints
    assert [e.id_params for e in (card, shared, holder, unnamed)] == [1, 0, 1, 0]
    assert (card.token_link, card.credential_params, shared.token_link) == (False, 0, True)
    anonymous = parse_architecture(GOOD.replace("{type: api, controls: [authn]}", "{type: api, endpoints: " + routes + "}"))
    assert [e.id_params for e in anonymous.model.components["web"].endpoints] == [0, 0, 0, 0]


def test_id_in_names_where_an_rpc_route_takes_its_id() -> None:
    route = "{type: api, endpoints: [{route: 'POST /rpc/files.get', operation: read, id_in: body}]}"
    endpoint = parse_architecture(GOOD.replace("{type: api, controls: [authn]}", route)).model.components["web"].endpoints[0]
    assert (endpoint.path_params, endpoint.id_params) == (0, 1)
    assert problems(GOOD.replace("{type: api, controls: [authn]}", route.replace("body", "bdy"))) == [
        "arch.yaml: line 4: components.web.endpoints[0].id_in: unknown id place 'bdy' (did you mean 'body'?)"
    ]
    assert problems(GOOD.replace("{type: api, controls: [authn]}", route.replace("body", "path"))) == [
        "arch.yaml: line 4: components.web.endpoints[0].id_in: id_in is path, but route 'POST /rpc/files.get' has no path "
        "parameter: say query or body, or add the parameter"
    ]


def test_body_says_whether_a_route_binds_fields_or_keeps_raw_content() -> None:
    route = "{type: api, endpoints: [{route: 'POST /uploads/{path}', operation: create, body: raw}]}"
    assert parse_architecture(GOOD.replace("{type: api, controls: [authn]}", route)).model.components["web"].endpoints[0].body == "raw"
    assert problems(GOOD.replace("{type: api, controls: [authn]}", route.replace("raw", "rwa"))) == [
        "arch.yaml: line 4: components.web.endpoints[0].body: unknown body 'rwa' (did you mean 'raw'?)"
    ]


def test_workflow_says_whether_a_resource_has_guarded_state_changes() -> None:
    text = GOOD.replace("flows:\n", "resources:\n  Expense: {owner: user, workflow: guarded}\nflows:\n")
    assert parse_architecture(text).model.resources["Expense"].workflow == "guarded"
    assert problems(text.replace("workflow: guarded", "workflow: gaurded")) == [
        "arch.yaml: line 8: resources.Expense.workflow: unknown workflow 'gaurded' (did you mean 'guarded'?)"
    ]


def test_a_route_may_declare_its_own_workflow() -> None:
    route = "{type: api, endpoints: [{route: 'POST /mrs/{id}/close', operation: transition, workflow: free}]}"
    assert parse_architecture(GOOD.replace("{type: api, controls: [authn]}", route)).model.components["web"].endpoints[0].workflow == "free"
    assert problems(GOOD.replace("{type: api, controls: [authn]}", route.replace("free", "fre"))) == [
        "arch.yaml: line 4: components.web.endpoints[0].workflow: unknown workflow 'fre' (did you mean 'free'?)"
    ]
