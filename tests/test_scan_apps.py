"""The app corpus: each generated-style app, vulnerable and hardened, gives exactly the findings its
expected.yaml lists (pattern and the code file:line it points at), open and mitigated."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, TODAY
from tmkb_graph.library import load_library
from tmkb_graph.scan import scan_directory
from tmkb_graph.scan.locate import location_of

APPS = FIXTURES / "apps"
CASES = sorted(p.parent for p in APPS.glob("*/*/expected.yaml"))


@pytest.fixture(scope="module")
def library():
    return load_library()


def _found(case: Path, library) -> dict[str, list[dict[str, str]]]:
    result = scan_directory(case, library, today=TODAY, progress=False).result
    assert result is not None, f"{case}: nothing inferred"
    out: dict[str, list[dict[str, str]]] = {"open": [], "mitigated": []}
    for finding in result.findings:
        if finding.status in out:
            out[finding.status].append({"pattern": finding.pattern, "at": location_of(finding)})
    return {status: sorted(items, key=lambda i: (i["pattern"], i["at"])) for status, items in out.items()}


def _expected(case: Path) -> dict[str, list[dict[str, str]]]:
    data = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8")) or {}
    return {status: sorted(data.get(status) or [], key=lambda i: (i["pattern"], i["at"])) for status in ("open", "mitigated")}


def test_corpus_has_twelve_apps_each_vulnerable_and_hardened():
    apps = {case.parent.name for case in CASES}
    assert len(apps) >= 12
    for app in apps:
        assert (APPS / app / "vulnerable" / "expected.yaml").is_file()
        assert (APPS / app / "hardened" / "expected.yaml").is_file()


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_scan_gives_exactly_the_expected_findings(case: Path, library):
    assert _found(case, library) == _expected(case)


@pytest.mark.parametrize("app", sorted({c.parent.name for c in CASES}))
def test_hardened_version_leaves_fewer_patterns_open(app: str):
    vulnerable = _expected(APPS / app / "vulnerable")["open"]
    hardened = _expected(APPS / app / "hardened")["open"]
    assert {i["pattern"] for i in hardened} < {i["pattern"] for i in vulnerable}
