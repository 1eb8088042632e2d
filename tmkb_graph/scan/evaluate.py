"""Baseline versus enhanced: how many generated apps leave each pattern open, with 95% Wilson intervals.

Each group is a folder with one app per subfolder. Every app is scanned like `tmkb-graph scan`; an
app leaves a pattern open when the scan reports an open finding of it. An app where nothing could be
inferred counts as leaving nothing open, and the notes say so.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

Z_95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a proportion; (0, 1) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_difference(k1: int, n1: int, k2: int, n2: int, z: float = Z_95) -> tuple[float, float, float]:
    """p1 - p2 and its 95% interval by Newcombe's hybrid score method (from the two Wilson intervals)."""
    p1 = k1 / n1 if n1 else 0.0
    p2 = k2 / n2 if n2 else 0.0
    l1, u1 = wilson_interval(k1, n1, z)
    l2, u2 = wilson_interval(k2, n2, z)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return difference, max(-1.0, low), min(1.0, high)


@dataclass
class Group:
    """One folder of apps: which patterns each app leaves open."""

    directory: str
    open_by_app: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def apps(self) -> int:
        """How many apps were scanned."""
        return len(self.open_by_app)

    def leaving_open(self, pattern: str | None) -> int:
        """How many apps leave ``pattern`` open (any pattern when None)."""
        if pattern is None:
            return sum(1 for found in self.open_by_app.values() if found)
        return sum(1 for found in self.open_by_app.values() if pattern in found)


@dataclass
class Evaluation:
    """Both groups and the patterns either leaves open."""

    baseline: Group
    enhanced: Group

    @property
    def patterns(self) -> list[str]:
        """Every pattern some app of either group leaves open, sorted."""
        found = {p for g in (self.baseline, self.enhanced) for ps in g.open_by_app.values() for p in ps}
        return sorted(found)


def scan_group(directory: Path) -> Group:
    """Scan every app (subfolder) of a group."""
    from tmkb_graph.errors import InputError
    from tmkb_graph.library import load_library
    from tmkb_graph.scan.report import scan_directory

    library = load_library()
    group = Group(str(directory))
    for app in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            scanned = scan_directory(app, library, progress=False)
        except (InputError, OSError) as error:
            group.notes.append(f"{app.name}: could not be analysed ({str(error).splitlines()[0][:200]}); left out")
            continue
        if scanned.result is None:
            group.notes.append(f"{app.name}: nothing inferred; counted as leaving nothing open")
            group.open_by_app[app.name] = []
            continue
        group.open_by_app[app.name] = sorted({f.pattern for f in scanned.result.findings if f.status == "open"})
    if not group.open_by_app:
        group.notes.append(f"{directory}: no app subfolders")
    return group


def evaluate(baseline: Path, enhanced: Path) -> Evaluation:
    """Scan both groups."""
    return Evaluation(scan_group(baseline), scan_group(enhanced))


def _cell(group: Group, pattern: str | None, digits: int | None = 4) -> dict[str, object]:
    """Apps leaving ``pattern`` open, the rate and its interval (rounded for JSON, exact for the table)."""
    count = group.leaving_open(pattern)
    low, high = wilson_interval(count, group.apps)
    rate = count / group.apps if group.apps else 0.0
    if digits is not None:
        rate, low, high = round(rate, digits), round(low, digits), round(high, digits)
    return {"open": count, "apps": group.apps, "rate": rate, "low": low, "high": high}


def evaluation_data(report: Evaluation) -> dict[str, object]:
    """The comparison as plain data: per pattern and overall, per group, with intervals."""
    def group_info(group: Group) -> dict[str, object]:
        return {"directory": group.directory, "apps": group.apps, "open_by_app": group.open_by_app, "notes": group.notes}

    def row(pattern: str | None) -> dict[str, object]:
        return {
            "baseline": _cell(report.baseline, pattern),
            "enhanced": _cell(report.enhanced, pattern),
            "reduction": _reduction(report, pattern),
        }

    return {
        "confidence": 0.95,
        "method": "wilson; reduction (baseline rate - enhanced rate) by Newcombe's hybrid score interval",
        "baseline": group_info(report.baseline),
        "enhanced": group_info(report.enhanced),
        "patterns": [{"pattern": p, **row(p)} for p in report.patterns],
        "overall": row(None),
    }


def _reduction(report: Evaluation, pattern: str | None, digits: int | None = 4) -> dict[str, float]:
    """How much lower the enhanced group's rate is than the baseline's, with its 95% interval."""
    b, e = report.baseline, report.enhanced
    value, low, high = newcombe_difference(b.leaving_open(pattern), b.apps, e.leaving_open(pattern), e.apps)
    if digits is not None:
        value, low, high = round(value, digits), round(low, digits), round(high, digits)
    return {"value": value, "low": low, "high": high}


def evaluation_json(report: Evaluation) -> str:
    """The comparison as JSON (sorted keys, two-space indent)."""
    return json.dumps(evaluation_data(report), indent=2, sort_keys=True) + "\n"


def _text(cell: dict[str, object]) -> str:
    return f"{cell['open']}/{cell['apps']} {100 * float(cell['rate']):5.1f}% [{100 * float(cell['low']):5.1f}, {100 * float(cell['high']):5.1f}]"  # type: ignore[arg-type]


def evaluation_table(report: Evaluation) -> str:
    """The comparison for a terminal: apps leaving each pattern open in each group, 95% Wilson intervals."""
    from tmkb_graph.text import escaped_lines

    rows = [("PATTERN", "BASELINE open (95% CI)", "ENHANCED open (95% CI)", "REDUCTION (95% CI)")]
    for pattern in [*report.patterns, None]:
        cells = (_text(_cell(report.baseline, pattern, None)), _text(_cell(report.enhanced, pattern, None)))
        cut = _reduction(report, pattern, None)
        rows.append((pattern or "any pattern", *cells, f"{100 * cut['value']:+6.1f} [{100 * cut['low']:+6.1f}, {100 * cut['high']:+6.1f}]"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [
        f"baseline: {report.baseline.directory} ({report.baseline.apps} apps); enhanced: {report.enhanced.directory} ({report.enhanced.apps} apps)",
        "apps leaving each pattern open, 95% Wilson score intervals in brackets; reduction in percentage points",
        "(baseline rate minus enhanced rate, Newcombe's interval: above 0 throughout means the enhanced apps leave it open less)",
        "",
    ]
    lines += [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}" for r in rows]
    notes = [f"baseline {n}" for n in report.baseline.notes] + [f"enhanced {n}" for n in report.enhanced.notes]
    if notes:
        lines += ["", "notes:"] + [f"  {n}" for n in notes]
    return escaped_lines(lines + [""])
