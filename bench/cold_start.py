#!/usr/bin/env python3
"""Cold start of `tmkb-graph list` and `get` (a script, not a test): medians of fresh processes.

Each command runs as a new process of this virtualenv's console script, --runs times, and prints
the median and minimum wall time and the median CPU time (user + system, from ``os.wait4``):

  kept answers   one earlier `list` has checked the library; each request timed is made for the
                 first time (another pattern, another format) in a fresh cache folder
  first call     an empty cache folder for every run (the first call after installing or changing
                 the library: the library is checked and every answer kept)
  caching off    TMKB_GRAPH_CACHE_DIR= (nothing kept: every call checks the library)

and the floor of this machine: an interpreter doing nothing, importing PyYAML (all a cold `list` or
`get` imports beyond the standard library), and importing typer and pydantic.

Usage:  nice python3 bench/cold_start.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = str(Path(sys.executable).parent / "tmkb-graph")
COMMANDS = {
    "list": [SCRIPT, "list"],
    "get TMKB-AUTHZ-001": [SCRIPT, "get", "TMKB-AUTHZ-001"],
    "get tmkb-webhook-001 --format json": [SCRIPT, "get", "tmkb-webhook-001", "--format", "json"],
}


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env, cwd=REPO)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return wall, usage.ru_utime + usage.ru_stime


def report(label: str, runs: list[tuple[float, float]]) -> None:
    walls = [wall for wall, _ in runs]
    cpu = statistics.median(cpu for _, cpu in runs)
    print(f"  {label:<40} wall median {statistics.median(walls):.3f} s, min {min(walls):.3f} s; CPU median {cpu:.3f} s")


def in_fresh_caches(runs: int, after_list: bool) -> None:
    """Each request timed ``runs`` times, each in a new cache folder (filled first by one untimed
    `list` when ``after_list``)."""
    for label, command in COMMANDS.items():
        results = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as cache:
                env = {**os.environ, "TMKB_GRAPH_CACHE_DIR": cache}
                if after_list:
                    timed(COMMANDS["list"], env)
                results.append(timed(command, env))
        report(label, results)


def kept_answers(runs: int) -> None:
    print("kept answers (each run: a new cache folder filled by one untimed `list`, then the request):")
    in_fresh_caches(runs, after_list=True)


def first_call(runs: int) -> None:
    print("first call (an empty cache folder each run):")
    in_fresh_caches(runs, after_list=False)


def caching_off(runs: int) -> None:
    print("caching off (TMKB_GRAPH_CACHE_DIR=):")
    env = {**os.environ, "TMKB_GRAPH_CACHE_DIR": ""}
    for label, command in COMMANDS.items():
        report(label, [timed(command, env) for _ in range(runs)])


def floor(runs: int) -> None:
    print("floor of this machine:")
    for label, code in (("python -c pass", "pass"), ("import yaml", "import yaml"),
                        ("import typer, pydantic", "import typer, pydantic; pydantic.BaseModel")):
        report(label, [timed([sys.executable, "-c", code], dict(os.environ)) for _ in range(runs)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    timed(COMMANDS["list"], {**os.environ, "TMKB_GRAPH_CACHE_DIR": ""})  # .pyc files written before timing
    kept_answers(args.runs)
    first_call(args.runs)
    caching_off(args.runs)
    floor(args.runs)


if __name__ == "__main__":
    main()
