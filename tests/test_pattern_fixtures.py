"""Every pattern fires where its fixtures say it applies, and stays silent where they say it doesn't.

Fixtures live in tests/fixtures/<pattern-id>/: architecture files plus expected.yaml, which lists for
each file exactly the findings of that pattern it must produce (status, bindings, missing controls).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, TODAY
from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import load_architecture
from tmkb_graph.library import load_library

LIBRARY = load_library()


def _cases() -> list[tuple[str, str, list[dict]]]:
    cases = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("TMKB-")):
        if not (folder / "expected.yaml").is_file():
            continue  # reported by test_every_fixture_file_has_expectations
        expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8")) or {}
        for name, findings in sorted(expected.items()):
            cases.append((folder.name, name, findings or []))
    return cases


CASES = _cases()


def test_every_pattern_has_applies_and_silent_fixtures() -> None:
    for pattern_id in LIBRARY.patterns:
        folder = FIXTURES / pattern_id
        expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
        assert (folder / "applies.yaml").is_file() and (folder / "silent.yaml").is_file(), pattern_id
        # made and unmitigated: open, or related where another pattern's open finding at the same place
        # already carries its fix (enumerable ids on a route with no object check)
        made = [f for f in expected["applies.yaml"] if f["status"] in ("open", "related")]
        assert made and all(f["missing"] for f in made), f"{pattern_id}: applies.yaml must be open or related"
        assert expected["silent.yaml"] == [], f"{pattern_id}: silent.yaml must expect no finding"


def test_every_fixture_file_has_expectations() -> None:
    for folder in (p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("TMKB-")):
        assert (folder / "expected.yaml").is_file(), f"{folder.name} has no expected.yaml"
        expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8")) or {}
        files = {p.name for p in folder.glob("*.yaml")} - {"expected.yaml"}
        assert files == set(expected), f"{folder.name}: expected.yaml must list exactly {sorted(files)}"


@pytest.mark.parametrize(("pattern_id", "fixture", "expected"), CASES, ids=[f"{c[0]}/{c[1]}" for c in CASES])
def test_fixture_produces_exactly_the_expected_findings(pattern_id: str, fixture: str, expected: list[dict]) -> None:
    arch = load_architecture(Path(FIXTURES / pattern_id / fixture))
    result = analyze(arch, LIBRARY, today=TODAY)
    found = [f for f in result.findings if f.pattern == pattern_id]
    actual = sorted((f.status, tuple(sorted(f.bindings.items()))) for f in found)
    wanted = sorted((e["status"], tuple(sorted(e["bindings"].items()))) for e in expected)
    assert actual == wanted, f"{pattern_id}/{fixture}: got {actual}, expected {wanted}"
    missing = {tuple(sorted(f.bindings.items())): sorted({g.control for g in f.missing}) for f in found}
    for e in expected:
        if "missing" in e:
            key = tuple(sorted(e["bindings"].items()))
            assert missing[key] == sorted(e["missing"]), f"{pattern_id}/{fixture}: missing {missing[key]} for {key}"
