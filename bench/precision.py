#!/usr/bin/env python3
"""Precision of tmkb-graph's open findings against reviewers' verdicts (a script, not a test).

`bench/review/` keeps the architectures that independent authors wrote from published designs
(each with its notes and sources) and the verdicts that independent reviewers gave on the open
findings of a pinned version:

  bench/review/<round>/<arch>.yaml          the architecture, as its author wrote it
  bench/review/<round>/<arch>.notes.md      sources, boundaries, the threats the author expected
  bench/review/<round>/verdicts-<judge>.yaml one entry per open finding the judge saw:
      {arch, id, pattern, location, verdict: accept|reject, kind, reason}

This script analyses every architecture with the installed `tmkb-graph` (or `--binary`), takes
its open findings, and looks each one up by its stable id among the verdicts of that round. It
prints, per round and per pattern, how many open findings are accepted, rejected (and how many of
those the judge called a modelling omission: the source has the control, the author did not claim
it) and not judged (a finding the judged version did not make), and the precision over judged
findings, with and without the omissions. A finding that the judged version made and this one does
not is counted as gone, by verdict. A finding that groups routes a judge saw one at a time (one
finding per resource) carries their verdicts: accepted when one of them was accepted or called a
duplicate, and it is counted as carried.

The figure for a round judged at the current version is an unseen measure; for earlier rounds it
is not, because their verdicts drove later fixes: read it as a regression check.

Usage:
  python bench/precision.py [--rounds r53,r54] [--binary PATH] [--by-arch] [--list KIND]

--list accept|reject|unjudged|gone prints those findings with the judge's reason.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

REVIEW = Path(__file__).resolve().parent / "review"


def _binary(given: str | None) -> str:
    if given:
        return given
    beside = Path(sys.executable).parent / "tmkb-graph"
    if beside.exists():
        return str(beside)
    found = shutil.which("tmkb-graph")
    if found is None:
        raise SystemExit("precision.py: no tmkb-graph found; install the project or pass --binary")
    return found


def open_findings(binary: str, path: Path) -> list[dict[str, Any]]:
    """The open findings of one architecture, from the CLI's JSON."""
    done = subprocess.run(
        [binary, "analyze", str(path), "--format", "json", "--fail-on", "none"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"  {path.name}: analyze exited {done.returncode}: {done.stderr.strip()[:300]}")
        return []
    return [f for f in json.loads(done.stdout)["findings"] if f["status"] == "open"]


def verdicts_of(round_dir: Path) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every judge's verdicts of a round, keyed by (architecture, finding id)."""
    table: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(round_dir.glob("verdicts*.yaml")):
        for entry in yaml.safe_load(path.read_text()) or []:
            entry = dict(entry, judge=path.stem)
            table[(str(entry["arch"]), str(entry["id"]))].append(entry)
    return table


def _carried(table: dict[tuple[str, str], list[dict[str, Any]]], arch: str, finding: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Verdicts a judge gave one route at a time, carried to one finding that now groups those routes
    (same architecture and pattern, located at one of its paths' places): accepted when a judge
    accepted one of them or called it a duplicate of another (the threat stood), else rejected."""
    places = {value for path in finding.get("paths", []) for value in path.values()} | {finding.get("location")}
    old = [
        e
        for (name, _), entries in table.items()
        if name == arch
        for e in entries
        if e.get("pattern") == finding["pattern"] and e.get("location") in places
    ]
    if not old:
        return None
    stood = any(str(e.get("verdict")).lower() == "accept" or str(e.get("kind")).lower() == "duplicate" for e in old)
    return [{"verdict": "accept" if stood else "reject", "kind": "" if stood else old[0].get("kind"), "reason": "carried: " + "; ".join(str(e.get("reason", ""))[:80] for e in old)}]


def _verdict(entries: list[dict[str, Any]]) -> tuple[str, str]:
    """One verdict from one or more judges: accepted only when every judge accepted."""
    rejected = [e for e in entries if str(e.get("verdict")).lower() != "accept"]
    if not rejected:
        return "accept", ""
    return "reject", str(rejected[0].get("kind") or "other").lower()


def score_round(binary: str, round_dir: Path, listing: str | None, by_arch: bool) -> Counter[str]:
    """Print one round's figures and return its totals."""
    table = verdicts_of(round_dir)
    seen: set[tuple[str, str]] = set()
    per_pattern: dict[str, Counter[str]] = defaultdict(Counter)
    for path in sorted(round_dir.glob("*.yaml")):
        if path.name.startswith("verdicts"):
            continue
        arch = path.stem
        arch_counts: Counter[str] = Counter()
        for finding in open_findings(binary, path):
            key = (arch, finding["id"])
            seen.add(key)
            entries = table.get(key)
            pattern = finding["pattern"]
            if entries is None:
                entries = _carried(table, arch, finding)
                if entries:
                    per_pattern[pattern]["carried"] += 1
            if entries is None:
                per_pattern[pattern]["unjudged"] += 1
                arch_counts["unjudged"] += 1
                _show(listing, "unjudged", arch, finding["id"], finding.get("location", ""), "")
                continue
            verdict, kind = _verdict(entries)
            per_pattern[pattern][verdict] += 1
            arch_counts[verdict] += 1
            if kind == "omission":
                per_pattern[pattern]["omission"] += 1
            reason = "; ".join(str(e.get("reason", "")) for e in entries)
            _show(listing, verdict, arch, finding["id"], finding.get("location", ""), reason)
        if by_arch:
            print(f"  {arch}: {dict(sorted(arch_counts.items()))}")
    for (arch, fid), entries in sorted(table.items()):
        if (arch, fid) not in seen:
            verdict, _ = _verdict(entries)
            pattern = str(entries[0].get("pattern", fid.split(":")[0]))
            per_pattern[pattern][f"gone_{verdict}"] += 1
            _show(listing, "gone", arch, fid, str(entries[0].get("location", "")), verdict)
    totals: Counter[str] = Counter()
    for pattern in sorted(per_pattern):
        counts = per_pattern[pattern]
        totals.update(counts)
        print(f"  {pattern:16} {_figures(counts)}")
    print(f"  {'total':16} {_figures(totals)}")
    return totals


def _show(listing: str | None, kind: str, arch: str, fid: str, location: str, reason: str) -> None:
    if listing == kind:
        print(f"    [{kind}] {arch} {fid} @ {location}\n        {reason}")


def _figures(counts: Counter[str]) -> str:
    accepted, rejected, omitted = counts["accept"], counts["reject"], counts["omission"]
    judged = accepted + rejected
    text = f"accepted {accepted}/{judged}"
    if judged:
        text += f" ({100 * accepted / judged:.0f}%"
        if omitted and judged - omitted:
            text += f"; {100 * accepted / (judged - omitted):.0f}% without {omitted} omissions"
        text += ")"
    if counts["carried"]:
        text += f" (of which {counts['carried']} carried from per-route verdicts)"
    if counts["unjudged"]:
        text += f", unjudged {counts['unjudged']}"
    gone = counts["gone_accept"] + counts["gone_reject"]
    if gone:
        text += f", gone {gone} (accepted {counts['gone_accept']}, rejected {counts['gone_reject']})"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", help="comma-separated round folders (default: all)")
    parser.add_argument("--binary", help="the tmkb-graph console script to measure")
    parser.add_argument("--by-arch", action="store_true", help="counts per architecture too")
    parser.add_argument("--list", choices=["accept", "reject", "unjudged", "gone"])
    args = parser.parse_args(argv)
    binary = _binary(args.binary)
    names = args.rounds.split(",") if args.rounds else sorted(p.name for p in REVIEW.iterdir() if p.is_dir())
    grand: Counter[str] = Counter()
    for name in names:
        round_dir = REVIEW / name
        if not round_dir.is_dir():
            raise SystemExit(f"precision.py: no round {name!r} in {REVIEW}")
        print(f"{name}:")
        grand.update(score_round(binary, round_dir, args.list, args.by_arch))
    if len(names) > 1:
        print(f"all rounds: {_figures(grand)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
