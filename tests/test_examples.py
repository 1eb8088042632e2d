"""Every bundled example gives exactly the open and related findings its review file lists, with a reason each."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, TODAY
from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import load_architecture

ARCHITECTURES = sorted(p for p in EXAMPLES.glob("*.yaml") if not p.name.endswith(".expected.yaml"))


def _review(example: Path) -> dict:
    return yaml.safe_load(example.with_suffix(".expected.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("example", ARCHITECTURES, ids=[p.stem for p in ARCHITECTURES])
def test_open_findings_are_exactly_the_reviewed_ones(example: Path) -> None:
    review = _review(example)
    result = analyze(load_architecture(example), today=TODAY)
    got = sorted((f.pattern, f.location, tuple(sorted({g.control for g in f.missing}))) for f in result.findings if f.status == "open")
    want = sorted((r["pattern"], r["at"], tuple(sorted(r["missing"]))) for r in review["open"])
    assert got == want


@pytest.mark.parametrize("example", ARCHITECTURES, ids=[p.stem for p in ARCHITECTURES])
def test_related_findings_are_exactly_the_reviewed_ones(example: Path) -> None:
    review = _review(example)
    result = analyze(load_architecture(example), today=TODAY)
    by_id = {f.id: f.pattern for f in result.findings}
    got = sorted(
        (f.pattern, f.location, tuple(sorted(by_id[i] for i in f.related_to))) for f in result.findings if f.status == "related"
    )
    want = sorted((r["pattern"], r["at"], (r["related_to"],)) for r in review.get("related") or [])
    assert got == want


@pytest.mark.parametrize("example", ARCHITECTURES, ids=[p.stem for p in ARCHITECTURES])
def test_every_reviewed_finding_says_why_it_stands(example: Path) -> None:
    review = _review(example)
    for entry in (review["open"] or []) + (review.get("related") or []):
        assert len(entry.get("reason", "").split()) >= 6, entry


def test_validate_checks_review_files_by_content(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tmkb_graph.cli import app

    review = tmp_path / "x.expected.yaml"
    review.write_text(
        "open:\n  - {pattern: TMKB-AUTHZ-01, at: worker, missing: [job_reauthorization], reason: the worker re-checks nothing at all}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(review)])
    assert result.exit_code == 2 and "unknown pattern 'TMKB-AUTHZ-01'" in result.stderr
