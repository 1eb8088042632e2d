"""Input written by a stranger: no traceback, no unbounded work, nothing raw echoed, errors a screen long."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, REPO
from tmkb_graph.architecture import parse_architecture
from tmkb_graph.errors import MAX_REPORTED_PROBLEMS, InputError
from tmkb_graph.safe_yaml import MAX_FILE_BYTES
from tmkb_graph.text import escaped, shown
from tmkb_graph.cli import app

runner = CliRunner()
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
RAW_CONTROLS = [chr(c) for c in range(0x20) if c != 0x0A] + ["\x7f", "\x9b", "\u202e", "\u2066", "\u2028"]


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_architecture(text, "arch.yaml")
    return [str(p) for p in caught.value.problems]


def invoke(*args: str, stdin: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin)


def write(tmp_path: Path, text: str, name: str = "arch.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_clean_error(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) <= MAX_REPORTED_PROBLEMS + 1
    assert not any(c in stderr for c in RAW_CONTROLS)


# 1. explicit tags: refused with file, line and field, never trusted and never a traceback


@pytest.mark.parametrize(
    "value",
    ["!!timestamp x", "!!bool x", '!!int ""', "!!seq x", "!!binary aGVsbG8=", "!!python/name:os.system", "!custom x", "!!str Shop"],
)
def test_explicit_tags_are_refused_with_their_field(value: str) -> None:
    (problem,) = problems(GOOD.replace("name: Shop", f"name: {value}"))
    assert problem.startswith("arch.yaml: line 1: name: explicit YAML tags are not accepted")


def test_a_tag_on_a_collection_or_a_key_is_refused() -> None:
    assert "explicit YAML tags" in problems(GOOD.replace("{type: queue}", "!!map {type: queue}"))[0]
    assert "explicit YAML tags" in problems(GOOD + "? !!str zones\n: {}\n")[0]


def test_a_tag_on_the_first_key_is_reported_on_the_key_not_the_mapping() -> None:
    assert problems("!!str name: Shop\n") == ["arch.yaml: line 1: explicit YAML tags are not accepted (found '!!str' on a key)"]


def test_an_anchor_written_twice_is_refused_before_the_data_is_checked() -> None:
    (problem,) = problems(GOOD.replace("{type: queue}", "&x {type: queue}").replace("{type: worker}", "&x {type: worker}"))
    assert problem == "arch.yaml: line 6: invalid YAML: an anchor (&name) written twice; anchors are not needed here"


def test_tags_in_a_pattern_file_are_refused_by_validate(tmp_path: Path) -> None:
    folder = tmp_path / "authorization"
    folder.mkdir()
    source = (REPO / "patterns" / "authorization" / "TMKB-AUTHZ-001.yaml").read_text(encoding="utf-8")
    (folder / "TMKB-AUTHZ-001.yaml").write_text(re.sub(r"(?m)^version: .*$", "version: !!timestamp x", source, count=1), encoding="utf-8")
    result = invoke("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "TMKB-AUTHZ-001.yaml: line 3: version: explicit YAML tags are not accepted" in result.stderr


def test_a_bool_is_not_a_version_number() -> None:
    (problem,) = problems("version: true\n" + GOOD)
    assert problem == "arch.yaml: line 1: version: expected a whole number, got true"


# 2. unbounded reads


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_symlink_to_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    result = invoke("analyze", str(link))
    assert result.exit_code == 2 and "not a regular file" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = invoke("validate", str(fifo))
    assert result.exit_code == 2 and "not a regular file" in result.stderr


def test_stdin_is_read_with_a_dash_and_bounded() -> None:
    example = (EXAMPLES / "webhook-processor.yaml").read_text(encoding="utf-8")
    result = invoke("analyze", "-", "--format", "json", "--fail-on", "none", stdin=example)
    assert result.exit_code == 0 and json.loads(result.stdout)["architecture"]["file"] == "<stdin>"
    assert invoke("validate", "-", stdin=example).exit_code == 0
    big = invoke("analyze", "-", stdin=b"#" * (MAX_FILE_BYTES + 10))
    assert big.exit_code == 2 and "<stdin>: the input is too large" in big.stderr


# 3. super-linear work


def test_a_route_of_many_braces_is_answered_at_once() -> None:
    start = time.process_time()
    route = "GET /" + "{" * 19_000
    assert "routes are limited to" in problems(GOOD.replace("{type: api,", f"{{type: api, endpoints: [{{route: '{route}', operation: read}}],"))[0]
    arch = parse_architecture(GOOD.replace("{type: api,", "{type: api, endpoints: [{route: 'GET /" + "{" * 990 + "', operation: read}],"))
    assert arch.model.components["web"].endpoints[0].path_params == 0  # type: ignore[index]
    assert time.process_time() - start < 5  # a guard against quadratic scans, not a performance figure


def test_thousands_of_mistyped_references_are_answered_quickly_and_briefly(tmp_path: Path) -> None:
    ids = [f"service_{i:04d}" for i in range(2000)]
    text = "name: big\ncomponents:\n" + "".join(f"  {c}: {{type: worker}}\n" for c in ids)
    text += "flows:\n" + "".join(f"  - {{from: {c}x, to: {ids[0]}, kind: invoke}}\n" for c in ids)
    start = time.process_time()
    result = invoke("analyze", str(write(tmp_path, text)))
    assert time.process_time() - start < 10  # CPU seconds, so a busy machine does not fail it; was about a minute
    assert result.exit_code == 2
    assert_clean_error(result.stderr)
    assert "no component 'service_0000x' (did you mean 'service_0000'?)" in result.stderr
    assert result.stderr.rstrip().endswith("and 1,980 more problems")


def test_over_long_keys_and_values_are_refused_clearly() -> None:
    assert "keys and ids are limited to 200" in problems(GOOD.replace("  jobs:", "  " + "j" * 300 + ":"))[0]
    assert "YAML reads keys of at most 1,024 characters" in problems(GOOD.replace("  jobs:", "  " + "j" * 1100 + ":"))[0]
    assert "the limit is 20,000" in problems(GOOD.replace("name: Shop", "name: " + "n" * 30_000))[0]
    assert "at most 200 characters" in problems(GOOD.replace("name: Shop", "name: " + "n" * 300))[0]


# 4 and 5. nothing raw on the terminal, every value cut, at most a screen of problems


def test_escaping_writes_controls_as_escapes_and_cuts_long_values() -> None:
    assert escaped("a\x1b]0;t\x07b\u202ec\nd\x00") == "a\\x1b]0;t\\x07b\\u202ec\\nd\\x00"
    assert shown("é" * 100, 10) == "é" * 10 + "… (100 characters)"


def test_control_characters_are_escaped_in_errors() -> None:
    (problem,) = problems(GOOD.replace("{type: queue}", '{type: "que\\x1b]0;owned\\x07ue\\u202e"}'))
    assert "que\\x1b]0;owned\\x07ue\\u202e" in problem
    assert not any(c in problem for c in RAW_CONTROLS)


def test_control_characters_are_escaped_in_table_and_markdown_but_exact_in_json(tmp_path: Path) -> None:
    text = GOOD.replace("name: Shop", 'name: "Shop\\x1b[2J\\u202eevil\\nline"')
    path = write(tmp_path, text)
    for fmt in ("table", "markdown"):
        out = invoke("analyze", str(path), "--format", fmt, "--fail-on", "none").stdout
        # Markdown also backslash-escapes its own specials ('[' here)
        assert "Shop\\x1b[2J\\u202eevil\\nline" in out.replace("\\[", "[")
        assert not any(c in out for c in RAW_CONTROLS if c != "\n")
    data = json.loads(invoke("analyze", str(path), "--format", "json", "--fail-on", "none").stdout)
    assert data["architecture"]["name"] == "Shop\x1b[2J\u202eevil\nline"


def test_a_huge_value_is_cut_in_the_error() -> None:
    (problem,) = problems(GOOD.replace("{type: queue}", "{type: " + "q" * 10_000 + "}"))
    assert "… (10,000 characters)" in problem and len(problem) < 400


def test_errors_stop_after_twenty_with_a_count(tmp_path: Path) -> None:
    text = "name: x\ncomponents:\n" + "".join(f"  c{i}: {{type: wroker}}\n" for i in range(500))
    result = invoke("analyze", str(write(tmp_path, text)))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == MAX_REPORTED_PROBLEMS + 1 and lines[-1] == "... and 480 more problems"


# 6. validate agrees with analyze; no raw parser wording


def test_validate_refuses_an_acceptance_of_a_missing_pattern_as_analyze_does(tmp_path: Path) -> None:
    text = GOOD + "accepted:\n  - {pattern: TMKB-AUTHZ-999, component: worker, reason: r, expires: 2030-01-01}\n"
    path = write(tmp_path, text)
    analyzed, validated = invoke("analyze", str(path)), invoke("validate", str(path))
    assert analyzed.exit_code == validated.exit_code == 2
    assert "accepted[0].pattern: unknown pattern 'TMKB-AUTHZ-999'" in analyzed.stderr
    assert analyzed.stderr.strip() in validated.stderr


@pytest.mark.parametrize(
    ("text", "expected", "leak"),
    [
        ("name: x\ncomponents:\n  a: {type: api}\n b: 1\n", "invalid YAML: a ", "not allowed in this context"),
        ("name: x\ncomponents:\n  a:\n    type: api\n   b: 1\n", "check the indentation", "while parsing a block mapping"),
        ("name: yes\ncomponents: {a: {type: api}}\n", "expected text, got true (YAML reads yes", "valid string"),
        ("name: x\ncomponents: {a: {type: api}}\naccepted:\n  - {pattern: TMKB-AUTHZ-001, component: a, reason: r, expires: 1700000000}\n",
         "expires must be a date written YYYY-MM-DD", "zero time"),
        ("name: x\ncomponents: {a: {type: api}}\naccepted:\n  - {pattern: TMKB-AUTHZ-001, component: a, reason: r, expires: 2027-01-01 10:00:00}\n",
         None, None),
    ],
)
def test_errors_are_in_our_words(text: str, expected: str | None, leak: str | None) -> None:
    if expected is None:
        parse_architecture(text)  # a date and time is taken as its date
        return
    found = " ".join(problems(text))
    assert expected in found and (leak is None or leak not in found)


def test_pattern_errors_point_at_the_value_they_name(tmp_path: Path) -> None:
    folder = tmp_path / "authorization"
    folder.mkdir()
    source = (REPO / "patterns" / "authorization" / "TMKB-AUTHZ-001.yaml").read_text(encoding="utf-8")
    broken = source.replace("  - id: TMKB-AUTHZ-001-M2", "  - id: TMKB-AUTHZ-00X-M2")
    broken = broken.replace("to: consumer, kinds: [deliver", "to: consumr, kinds: [deliver")
    broken = broken.replace('url: "https://cwe.mitre.org/data/definitions/862.html"', 'url: "http://x y"')
    (folder / "TMKB-AUTHZ-001.yaml").write_text(broken, encoding="utf-8")
    stderr = invoke("validate", str(tmp_path)).stderr
    lines = source.splitlines()
    flow_line = next(i for i, line in enumerate(lines, 1) if "to: consumer, kinds: [deliver" in line)
    assert f"line {flow_line}: template.flows[1].to: flow 'pickup' names role 'consumr'" in stderr
    assert "references.sources[0].url: should be an https:// address without spaces, got 'http://x y'" in stderr
    assert "^https" not in stderr
    (folder / "TMKB-AUTHZ-001.yaml").write_text(source.replace("  - id: TMKB-AUTHZ-001-M2", "  - id: TMKB-AUTHZ-00X-M2"), encoding="utf-8")
    stderr = invoke("validate", str(tmp_path)).stderr
    mitigation_line = next(i for i, line in enumerate(lines, 1) if "- id: TMKB-AUTHZ-001-M2" in line)
    assert f"line {mitigation_line}: mitigations[1].id: mitigation id 'TMKB-AUTHZ-00X-M2'" in stderr


def test_a_duplicate_pattern_id_names_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "authorization"
    folder.mkdir()
    shutil.copy(REPO / "patterns" / "authorization" / "TMKB-AUTHZ-001.yaml", folder / "TMKB-AUTHZ-001.yaml")
    shutil.copy(REPO / "patterns" / "authorization" / "TMKB-AUTHZ-001.yaml", folder / "TMKB-AUTHZ-001.yml")
    result = invoke("validate", str(tmp_path))
    assert result.exit_code == 2 and "TMKB-AUTHZ-001.yml: line 1: id: pattern id TMKB-AUTHZ-001 is also used by" in result.stderr


# 7. newcomer friction


def test_validate_a_directory_of_examples_checks_each_architecture() -> None:
    result = invoke("validate", str(EXAMPLES))
    assert result.exit_code == 0, result.stderr
    assert f"ok: {len(list(EXAMPLES.glob('*.yaml')))} files valid" in result.stdout


def test_a_file_named_like_a_pattern_is_judged_by_what_it_holds(tmp_path: Path) -> None:
    assert invoke("validate", str(write(tmp_path, GOOD, "TMKB-AUTHZ-001.yaml"))).exit_code == 0


def test_version_option() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("tmkb-graph ")


def test_fail_on_accepts_any_case() -> None:
    path = str(REPO / "tests" / "fixtures" / "TMKB-AUTHZ-001" / "applies.yaml")
    assert invoke("analyze", path, "--fail-on", "HIGH").exit_code == invoke("analyze", path, "--fail-on", "high").exit_code
    assert invoke("analyze", path, "--fail-on", "None").exit_code == 0


def test_list_accepts_the_table_format_like_analyze() -> None:
    assert invoke("list", "--format", "table").stdout == invoke("list", "--format", "text").stdout == invoke("list").stdout


@pytest.mark.parametrize("command", [[], ["analyze"], ["validate"], ["list"], ["get"]])
def test_help_shows_metavars_not_python_types(command: list[str]) -> None:
    out = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"}).stdout
    assert not any(artefact in out for artefact in ("<bool>", "<list[Path]>", "<path>", "{file}", "<str>"))


def test_a_long_table_repeats_the_summary_at_the_bottom() -> None:
    out = invoke("analyze", str(EXAMPLES / "saas-file-processing.yaml"), "--fail-on", "none").stdout
    summary = out.splitlines()[1]
    assert out.rstrip().splitlines()[-1].endswith(summary)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_a_directory_given_as_an_architecture_is_refused(tmp_path: Path) -> None:
    result = invoke("analyze", str(tmp_path))
    assert result.exit_code == 2 and "a directory" in result.stderr


def test_a_path_too_long_for_the_system_is_an_error_not_a_traceback() -> None:
    for command in ("analyze", "validate"):
        result = invoke(command, "a" * 5000)
        assert result.exit_code == 2 and "cannot read the file" in result.stderr and len(result.stderr) < 400


def test_markdown_output_writes_user_text_as_text_not_markup() -> None:
    from tmkb_graph.analysis import analyze
    from tmkb_graph.architecture import parse_architecture
    from tmkb_graph.render import analysis_markdown

    text = (
        'name: "[click](javascript:alert(1)) <script>x</script>"\n'
        "components:\n  web: {type: api, controls: [authn]}\n  q: {type: queue}\n  w: {type: worker}\n"
        "flows:\n  - {from: web, to: q, kind: enqueue}\n  - {from: q, to: w, kind: deliver}\n"
    )
    page = analysis_markdown(analyze(parse_architecture(text, "a`b.yaml")))
    assert "<script>" not in page and "](javascript:" not in page
    assert "\\<script\\>" in page and "`a'b.yaml`" in page
