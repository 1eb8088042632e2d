"""`tmkb-graph eval`: apps leaving each pattern open per group, with 95% Wilson intervals."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from tmkb_graph.cli import app
from tmkb_graph.scan.evaluate import newcombe_difference, wilson_interval

APPS = FIXTURES / "apps"
CHOSEN = ("flask_org_unchecked", "flask_single_rq", "stripe_webhook")
runner = CliRunner()


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [(3, 10, 0.1078, 0.6032), (0, 20, 0.0, 0.1611), (5, 5, 0.5655, 1.0), (50, 100, 0.4038, 0.5962), (1, 1, 0.2065, 1.0)],
)
def test_wilson_interval_matches_published_values(successes, trials, low, high):
    got = wilson_interval(successes, trials)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_newcombe_difference_matches_the_published_example():
    # Newcombe (1998), method 10: 56/70 against 48/80 gives 0.2000 (0.0524, 0.3339)
    assert newcombe_difference(56, 70, 48, 80) == pytest.approx((0.2, 0.0524, 0.3339), abs=5e-5)
    assert newcombe_difference(5, 5, 0, 5) == pytest.approx((1.0, 0.3855, 1.0), abs=5e-5)


def test_wilson_interval_without_trials_says_nothing():
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.fixture(scope="module")
def groups(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    for group, version in (("baseline", "vulnerable"), ("enhanced", "hardened")):
        for name in CHOSEN:
            shutil.copytree(APPS / name / version, root / group / name, ignore=shutil.ignore_patterns("expected.yaml"))
    (root / "enhanced" / "empty_app").mkdir()
    (root / "enhanced" / "empty_app" / "util.py").write_text("def f():\n    return 1\n")
    return root


def test_eval_json_counts_apps_leaving_each_pattern_open(groups):
    result = runner.invoke(app, ["eval", str(groups / "baseline"), str(groups / "enhanced"), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    rows = {r["pattern"]: r for r in data["patterns"]}
    # the two Flask apps leave AUTHZ-001 open; the Stripe receiver has no request-started job
    assert rows["TMKB-AUTHZ-001"]["baseline"] == {"open": 2, "apps": 3, "rate": 0.6667, "low": 0.2077, "high": 0.9385}
    assert rows["TMKB-AUTHZ-001"]["enhanced"]["open"] == 0 and rows["TMKB-AUTHZ-001"]["enhanced"]["apps"] == 4
    assert rows["TMKB-WEBHOOK-001"]["baseline"]["open"] == 1
    assert data["overall"]["baseline"]["open"] == 3
    # three apps against four cannot exclude no effect: the interval reaches just below zero
    assert rows["TMKB-AUTHZ-001"]["reduction"] == {"value": 0.6667, "low": -0.0047, "high": 0.9385}
    assert data["overall"]["enhanced"]["open"] == 2  # org_unchecked and stripe keep AUTHZ-004 (and 007) open
    assert data["enhanced"]["open_by_app"]["empty_app"] == []
    assert any("empty_app: nothing inferred" in n for n in data["enhanced"]["notes"])


def test_eval_table_shows_counts_and_intervals(groups):
    result = runner.invoke(app, ["eval", str(groups / "baseline"), str(groups / "enhanced")])
    assert result.exit_code == 0
    line = next(l for l in result.output.splitlines() if l.startswith("TMKB-AUTHZ-001"))
    assert "2/3  66.7% [ 20.8,  93.9]" in line and "0/4   0.0% [  0.0,  49.0]" in line
    assert line.endswith("+66.7 [  -0.5,  +93.9]")
    assert result.output.splitlines()[-1].startswith("  enhanced empty_app")


def test_eval_needs_two_directories(tmp_path):
    result = runner.invoke(app, ["eval", str(tmp_path), str(tmp_path / "missing")])
    assert result.exit_code == 2 and "ENHANCED_DIR" in result.output
