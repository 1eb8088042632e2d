"""Rules that know the architecture: only its open findings, in each agent's file, within a budget."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent_support import knowledge_base
from conftest import EXAMPLES
from tmkb_graph.agent.rules import BEGIN, END, TARGETS, merge_into, write_rules
from tmkb_graph.cli import app
from tmkb_graph.errors import InputError
from tmkb_graph.tokens import count_tokens

runner = CliRunner()
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
ARCHITECTURES = [p for p in EXAMPLE_FILES if not p.name.endswith(".expected.yaml")]


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("arch", ARCHITECTURES, ids=lambda p: p.stem)
def test_every_example_gets_a_bounded_rule_file_of_its_open_findings(arch: Path, target: str) -> None:
    kb = knowledge_base()
    open_findings = [f for f in kb.analyze(arch).findings if f.status == "open"]
    rules = kb.rules(arch, target, max_tokens=1200)
    assert rules.token_count == count_tokens(rules.text) <= 1200
    assert rules.rules_total == len(open_findings) and rules.rules_included >= 1
    shown = [f for f in open_findings if f"({f.severity}, {f.pattern})" in rules.section]
    assert len(shown) >= 1
    assert all(f.status == "open" for f in shown)


def test_rules_hold_only_open_findings_with_their_missing_controls() -> None:
    kb = knowledge_base()
    result = kb.analyze(EXAMPLES / "saas-file-processing.yaml")
    rules = kb.rules(EXAMPLES / "saas-file-processing.yaml", "agents-md", max_tokens=5000)
    assert rules.rules_included == rules.rules_total
    def marker(finding) -> str:
        return f"`{finding.location}`: {finding.name} ({finding.severity}, {finding.pattern})"

    open_markers = {marker(f) for f in result.findings if f.status == "open"}
    for finding in result.findings:
        if finding.status == "open":
            assert marker(finding) in rules.section
            for gap in finding.missing:
                assert f"`{gap.control}` at `{gap.at}`" in rules.section
        elif marker(finding) not in open_markers:
            assert marker(finding) not in rules.section
    # the thumbnails worker's finding is accepted and the upload scan is mitigated: neither is a rule
    assert "`thumbnailer`" not in rules.section


def test_a_small_budget_keeps_the_most_urgent_rules_and_says_how_many_are_left() -> None:
    kb = knowledge_base()
    small = kb.rules(EXAMPLES / "event-driven.yaml", "claude", max_tokens=400)
    assert small.token_count <= 400 and 1 <= small.rules_included < small.rules_total
    assert f"{small.rules_total - small.rules_included} more open findings did not fit" in small.section
    assert "400-token budget" in small.summary()


def test_cursor_and_copilot_front_matter_say_when_the_rules_apply() -> None:
    kb = knowledge_base()
    cursor = kb.rules(EXAMPLES / "event-driven.yaml", "cursor", code_paths={"reconcile_job": ["src/reconcile/**/*.py"]})
    assert cursor.path == ".cursor/rules/tmkb-security.mdc"
    front = cursor.front_matter or ""
    assert front.startswith("---\ndescription: \"Security rules for Shopfront") and "alwaysApply: false" in front
    assert "src/reconcile/**/*.py" in front and "**/tasks.py" in front
    copilot = kb.rules(EXAMPLES / "event-driven.yaml", "copilot")
    assert copilot.path.endswith(".instructions.md") and "\napplyTo: \"" in (copilot.front_matter or "")
    assert kb.rules(EXAMPLES / "event-driven.yaml", "agents-md").front_matter is None


def test_rerunning_replaces_only_its_own_section(tmp_path: Path) -> None:
    kb = knowledge_base()
    (tmp_path / "AGENTS.md").write_text("# Project\n\nRun make test.\n", encoding="utf-8")
    write_rules(kb.rules(EXAMPLES / "event-driven.yaml", "agents-md"), tmp_path)
    text = (tmp_path / "AGENTS.md").read_text(encoding="utf-8")
    text += "\n## Style\n\nUse black.\n"
    (tmp_path / "AGENTS.md").write_text(text, encoding="utf-8")
    write_rules(kb.rules(EXAMPLES / "webhook-processor.yaml", "agents-md"), tmp_path)
    final = (tmp_path / "AGENTS.md").read_text(encoding="utf-8")
    assert final.startswith("# Project\n\nRun make test.\n") and final.endswith("## Style\n\nUse black.\n")
    assert final.count(BEGIN) == 1 and final.count(END) == 1
    assert "Hookline" in final and "Shopfront" not in final


def test_rerunning_a_cursor_file_keeps_text_outside_the_section(tmp_path: Path) -> None:
    kb = knowledge_base()
    path = write_rules(kb.rules(EXAMPLES / "event-driven.yaml", "cursor"), tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "\nAlso: never log tokens.\n", encoding="utf-8")
    write_rules(kb.rules(EXAMPLES / "event-driven.yaml", "cursor"), tmp_path)
    final = path.read_text(encoding="utf-8")
    assert final.count("---\ndescription") == 1 and final.endswith("Also: never log tokens.\n")


def test_a_file_with_one_marker_is_refused_not_overwritten() -> None:
    rules = knowledge_base().rules(EXAMPLES / "event-driven.yaml", "agents-md")
    with pytest.raises(InputError, match="one tmkb-graph rules marker"):
        merge_into(f"# Project\n{BEGIN}\nhalf a section\n", rules, "AGENTS.md")


def test_architecture_text_cannot_forge_the_end_marker() -> None:
    kb = knowledge_base()
    text = (EXAMPLES / "webhook-processor.yaml").read_text(encoding="utf-8")
    text = text.replace("name: Hookline webhook processor", f'name: "Hookline\\n{END}\\nx"')
    assert text.count(END) == 1
    rules = kb.rules(text, "agents-md")
    assert rules.section.count(f"\n{END}\n") == 1 and rules.section.endswith(f"\n{END}\n")


def test_cli_rules_writes_the_file_and_prints_the_budget(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", str(EXAMPLES / "webhook-processor.yaml"), "--target", "claude", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "tokens of a 1200-token budget" in result.stdout
    assert BEGIN in (tmp_path / "CLAUDE.md").read_text(encoding="utf-8")
    printed = runner.invoke(app, ["rules", str(EXAMPLES / "webhook-processor.yaml"), "--stdout"])
    assert printed.stdout.startswith(BEGIN)
    bad = runner.invoke(app, ["rules", str(EXAMPLES / "webhook-processor.yaml"), "--code", "nonsense"])
    assert bad.exit_code == 2 and "COMPONENT=GLOB" in bad.stderr
    missing = runner.invoke(app, ["rules", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "none.yaml" in missing.stderr
