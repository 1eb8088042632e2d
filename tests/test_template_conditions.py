"""Template conditions: `unless` (all hold), `unless_any` (one is enough) and a condition's `lacks`."""

from __future__ import annotations

from pathlib import Path

import pytest

from typer.testing import CliRunner

from conftest import REPO
from tmkb_graph.cli import app

runner = CliRunner()
SOURCE = (REPO / "patterns" / "authorization" / "TMKB-AUTHZ-015.yaml").read_text(encoding="utf-8")
CAPABILITY = "- {endpoint: target, controls: [non_enumerable_ids], lacks: [authn]}"


def _validate(tmp_path: Path, text: str, name: str = "TMKB-AUTHZ-015.yaml", category: str = "authorization") -> tuple[int, str]:
    folder = tmp_path / category
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    return result.exit_code, result.stderr


def test_the_shipped_pattern_uses_unless_any_with_lacks(tmp_path: Path) -> None:
    assert CAPABILITY in SOURCE
    assert _validate(tmp_path, SOURCE)[0] == 0


def test_unless_any_naming_an_undefined_endpoint_is_located(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, CAPABILITY.replace("endpoint: target", "endpoint: targt")))
    line = next(i for i, text in enumerate(SOURCE.splitlines(), 1) if CAPABILITY in text)
    assert code == 2
    assert "unless_any names endpoint 'targt', which the template does not define" in stderr
    assert f"line {line}: template.unless_any[0].endpoint:" in stderr


def test_a_condition_must_say_something(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {endpoint: target}"))
    assert code == 2 and "a condition lists controls, carries, lacks, owners, operations, types or several of them" in stderr


def _validate_shipped(tmp_path: Path, category: str, name: str, shipped: str, old: str, new: str) -> tuple[int, str]:
    """Validate a copy of a shipped pattern in which ``old`` became ``new``; the shipped file must
    hold ``shipped`` (what the test is about), so the case cannot pass by the text having moved."""
    source = (REPO / "patterns" / category / name).read_text(encoding="utf-8")
    assert shipped in source and old in source
    return _validate(tmp_path, source.replace(old, new), name, category)


def test_only_when_names_a_role_of_the_template(tmp_path: Path) -> None:
    code, stderr = _validate_shipped(
        tmp_path, "webhook", "TMKB-WEBHOOK-003.yaml",
        "only_when: {role: provider, facts: {signs_timestamp: true}}", "only_when: {role: provider,", "only_when: {role: provder,",
    )
    assert code == 2 and "is only_when role 'provder', which the template does not define" in stderr


def test_a_group_needs_two_conditions(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- all: [" + CAPABILITY[2:] + "]"))
    assert code == 2 and "a group lists two or more conditions under all, none of them a group" in stderr


def test_a_group_says_nothing_beside_its_conditions(tmp_path: Path) -> None:
    group = "- {endpoint: target, all: [" + CAPABILITY[2:] + ", {endpoint: target, owners: [shared]}]}"
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, group))
    assert code == 2 and "a group lists its conditions under all and nothing else" in stderr


def test_a_group_member_naming_an_undefined_role_is_reported(tmp_path: Path) -> None:
    group = "- all: [" + CAPABILITY[2:] + ", {role: servce, reachable: false}]"
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, group))
    assert code == 2 and "unless_any names role 'servce', which the template does not define" in stderr


def test_reachable_is_said_of_roles_only(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {endpoint: target, reachable: false}"))
    assert code == 2 and "only a role condition can list types, facts, not_facts, flows_out, no_flows_out, written_only_by, sends_only_to, started_with, sends_carrying, sends_without, reachable or resources_apart_from" in stderr


@pytest.mark.parametrize("said", ["sends_only_to: [client]", "sends_carrying: [tenant_id]", "sends_without: [payload]"])
def test_what_a_component_sends_is_said_of_roles_only(tmp_path: Path, said: str) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, f"- {{endpoint: target, {said}}}"))
    assert code == 2 and "only a role condition can list types, facts, not_facts, flows_out, no_flows_out, written_only_by, sends_only_to, started_with, sends_carrying, sends_without, reachable or resources_apart_from" in stderr


def test_sends_carrying_names_context_items(tmp_path: Path) -> None:
    code, stderr = _validate_shipped(
        tmp_path, "authorization", "TMKB-AUTHZ-014.yaml", "sends_carrying: [tenant_id]", "sends_carrying: [tenant_id]", "sends_carrying: [tenant_di]"
    )
    assert code == 2 and "sends_carrying" in stderr and "'tenant_id'" in stderr and "line " in stderr


def test_sends_only_to_lists_component_types(tmp_path: Path) -> None:
    code, stderr = _validate_shipped(
        tmp_path, "authorization", "TMKB-AUTHZ-001.yaml", "sends_only_to: [client,", "sends_only_to: [client,", "sends_only_to: [clent,"
    )
    assert code == 2 and "sends_only_to" in stderr and "line " in stderr and "client" in stderr


def test_a_severity_rule_names_required_controls_and_lowers_the_severity(tmp_path: Path) -> None:
    shipped = "  - only_missing: [job_reauthorization]\n    severity: medium"
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-001.yaml", shipped, "only_missing: [job_reauthorization]", "only_missing: [tenant_scoped_queries]")
    assert code == 2 and "severity_when lists 'tenant_scoped_queries', which no required mitigation of the pattern asks for" in stderr
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-001.yaml", shipped, shipped, shipped.replace("medium", "critical"))
    assert code == 2 and "severity_when gives 'critical', which is not lower than the pattern's severity 'high'" in stderr
    line = next(i for i, text in enumerate((REPO / "patterns" / "authorization" / "TMKB-AUTHZ-001.yaml").read_text().splitlines(), 1) if "severity: medium" in text)
    assert f"line {line}:" in stderr


def test_only_a_role_place_widens_to_endpoints_or_downstream_jobs(tmp_path: Path) -> None:
    shipped = "where: [{role: receiver, or_endpoints: true, or_downstream: true}, {flow: ingest}]"
    code, stderr = _validate_shipped(tmp_path, "webhook", "TMKB-WEBHOOK-003.yaml", shipped, shipped, "where: [{role: receiver}, {flow: ingest, or_downstream: true}]")
    assert code == 2 and "only a role place can say or_endpoints, or_every_endpoint or or_downstream" in stderr


def test_in_front_compares_endpoint_roles_only(tmp_path: Path) -> None:
    code, stderr = _validate_shipped(
        tmp_path, "authorization", "TMKB-AUTHZ-008.yaml", "in_front: true", "    - weaker: reader", "    - weaker: api"
    )
    assert code == 2
    assert "compare in_front names 'api', which is not an endpoint role: only routes have gateways in front" in stderr


def test_every_shipped_pattern_survives_its_own_json_dump() -> None:
    """What the MCP server and the JSON output hand out validates again: a group's empty fields are
    not taken for something it says."""
    from tmkb_graph.library import load_library
    from tmkb_graph.pattern import Pattern

    for pattern in load_library().sorted():
        assert Pattern.model_validate(pattern.model_dump(mode="json", by_alias=True)) == pattern


@pytest.mark.parametrize(
    ("field", "word", "pattern", "shipped", "typo"),
    [
        ("workflows", "free", "TMKB-AUTHZ-003.yaml", "workflows: [free], controls: [object_ownership_check]}", "fre"),
    ],
)
def test_endpoint_words_are_said_of_endpoints_only_and_name_a_word(
    tmp_path: Path, field: str, word: str, pattern: str, shipped: str, typo: str
) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, f"- {{role: service, {field}: [{word}]}}"))
    assert code == 2 and "only an endpoint condition can list owners, workflows, route_words, not_route_words or as_strong_as_siblings" in stderr
    code, stderr = _validate_shipped(tmp_path, "authorization", pattern, shipped, f"{field}: [{word}]", f"{field}: [{typo}]")
    assert code == 2 and field in stderr and f"'{word}'" in stderr and "line " in stderr


ENDPOINT_OR_ROLE = "only an endpoint or role condition can list ids, bodies, operations or reached_by"


@pytest.mark.parametrize(
    ("field", "word", "pattern", "shipped", "typo", "named"),
    [
        ("ids", "random", "TMKB-AUTHZ-015.yaml", "- {endpoint: target, ids: [random], lacks: [authn]}", "randm", "'random'"),
        ("bodies", "raw", "TMKB-AUTHZ-006.yaml", "- {endpoint: write, bodies: [raw]}", "rae", "'raw'"),
        ("reached_by", "redirect", "TMKB-AUTHZ-015.yaml", "- {endpoint: target, reached_by: [redirect]}", "redirct",
         "unknown flow kind 'redirct' (did you mean 'redirect'?)"),
    ],
)
def test_route_words_are_said_of_endpoints_or_roles_and_name_a_word(
    tmp_path: Path, field: str, word: str, pattern: str, shipped: str, typo: str, named: str
) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, f"- {{flow: call, {field}: [{word}]}}"))
    assert code == 2 and ENDPOINT_OR_ROLE in stderr
    code, stderr = _validate_shipped(tmp_path, "authorization", pattern, shipped, f"{field}: [{word}]", f"{field}: [{typo}]")
    assert code == 2 and field in stderr and named in stderr and "line " in stderr


def test_operations_are_said_of_endpoints_or_roles_and_a_role_may_list_them(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {flow: call, operations: [create]}"))
    assert code == 2 and ENDPOINT_OR_ROLE in stderr
    assert _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {role: service, operations: [create], bodies: [raw]}"))[0] == 0


def test_secondary_to_names_a_pattern_of_the_library(tmp_path: Path) -> None:
    shipped = "secondary_to: [TMKB-AUTHZ-015]"
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-009.yaml", shipped, shipped, "secondary_to: [TMKB-AUTHZ-051]")
    assert code == 2 and "unknown pattern id 'TMKB-AUTHZ-051'" in stderr and "secondary_to[0]" in stderr
    line = next(i for i, text in enumerate((REPO / "patterns" / "authorization" / "TMKB-AUTHZ-009.yaml").read_text().splitlines(), 1) if shipped in text)
    assert f"line {line}" in stderr
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-009.yaml", shipped, shipped, "secondary_to: [TMKB-AUTHZ-009]")
    assert code == 2 and "secondary_to names the pattern itself" in stderr


def test_started_with_is_said_of_roles_only_and_names_context_items(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {endpoint: target, started_with: [tenant_id]}"))
    assert code == 2 and "only a role condition can list types, facts, not_facts, flows_out, no_flows_out, written_only_by, sends_only_to, started_with, sends_carrying, sends_without, reachable or resources_apart_from" in stderr
    shipped = "started_with: [tenant_id]"
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-014.yaml", shipped, shipped, "started_with: [tennant_id]")
    assert code == 2 and "'tenant_id'" in stderr and "line " in stderr


def test_or_endpoints_belongs_to_a_role_condition_with_controls(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {endpoint: target, controls: [authn], or_endpoints: true}"))
    assert code == 2 and "only a role condition that lists controls can say or_endpoints" in stderr
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {role: service, reachable: true, or_endpoints: true}"))
    assert code == 2 and "only a role condition that lists controls can say or_endpoints" in stderr


def test_presumption_noted_belongs_to_a_condition_that_lists_facts(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {role: service, reachable: true, presumption_noted: true}"))
    assert code == 2 and "only a condition that lists facts can say presumption_noted" in stderr
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {role: service, facts: {staff_only: true}, presumption_noted: true}"))
    assert code == 0, stderr


def test_not_route_words_belong_to_endpoint_conditions(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {role: service, not_route_words: [restore]}"))
    assert code == 2 and "only an endpoint condition can list owners, workflows, route_words, not_route_words or as_strong_as_siblings" in stderr


def test_resources_apart_from_names_another_role_of_the_template(tmp_path: Path) -> None:
    shipped = "- {role: other, resources_apart_from: entry}"
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-011.yaml", shipped, "resources_apart_from: entry", "resources_apart_from: entri")
    assert code == 2 and "resources_apart_from names 'entri', which is not another role of the template" in stderr and "line " in stderr
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-011.yaml", shipped, shipped, "- {endpoint: other, resources_apart_from: entry}")
    assert code == 2 and "only a role condition can list" in stderr


def test_a_unit_groups_routes_by_resource_only_for_an_endpoint_role(tmp_path: Path) -> None:
    shipped = "unit: [target.owner_rule]"
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-015.yaml", shipped, shipped, "unit: [service.resource]")
    assert code == 2 and "only an endpoint role can be followed by .resource" in stderr and "line " in stderr
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-015.yaml", shipped, shipped, "unit: [service.owner_rule]")
    assert code == 2 and "unit entry 'service.owner_rule'" in stderr and ".owner_rule (the same" in stderr and "line " in stderr
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-015.yaml", shipped, shipped, "unit: [target.owner]")
    assert code == 2 and "unit entry 'target.owner'" in stderr
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-015.yaml", shipped, shipped, "unit: [targt.resource]")
    assert code == 2 and "unit names 'targt'" in stderr


def test_token_link_belongs_to_flow_conditions_and_is_a_flag(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {role: service, token_link: true}"))
    assert code == 2 and "only a flow condition can list carries, carries_none, kinds or token_link" in stderr
    code, stderr = _validate(tmp_path, SOURCE.replace(CAPABILITY, "- {flow: call, token_link: maybe}"))
    assert code == 2 and "token_link" in stderr and "line " in stderr


def test_endpoint_specs_say_token_link_and_parent_lookups_as_flags(tmp_path: Path) -> None:
    code, stderr = _validate(tmp_path, SOURCE.replace("min_path_params: 1", "min_path_params: 1\n      parent_lookups: sometimes", 1))
    assert code == 2 and "parent_lookups" in stderr and "line " in stderr


def test_a_unit_groups_components_by_what_they_are_bound_with_only_for_a_role(tmp_path: Path) -> None:
    shipped = "unit: [sender.shared]"
    code, stderr = _validate_shipped(tmp_path, "webhook", "TMKB-WEBHOOK-007.yaml", shipped, shipped, "unit: [send.shared]")
    assert code == 2 and "unit names 'send'" in stderr and "line " in stderr
    code, stderr = _validate_shipped(tmp_path, "authorization", "TMKB-AUTHZ-015.yaml", "unit: [target.owner_rule]", "unit: [target.owner_rule]", "unit: [target.shared]")
    assert code == 2 and "only a role can be followed by .shared" in stderr and "line " in stderr
    code, stderr = _validate_shipped(tmp_path, "webhook", "TMKB-WEBHOOK-007.yaml", shipped, shipped, "unit: [sender.resource]")
    assert code == 2 and "only an endpoint role can be followed by .resource" in stderr
