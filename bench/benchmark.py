#!/usr/bin/env python3
"""Benchmark tmkb-graph on synthetic architectures of growing size (a script, not a test).

It generates multi-tenant architectures of N components built from "cells" of 12 components
(client, gateway, two APIs with 3-6 endpoints each, a queue, a worker, an event bus, a subscriber
function, a database, a cache, a webhook receiver and the external service that feeds it), writes
them as YAML to a temporary directory, and times three phases separately:

  load     tmkb_graph.architecture.load_architecture(path)
  infer    tmkb_graph.boundaries.infer_boundaries(loaded)
  analyze  tmkb_graph.analysis.analyze(loaded, library)    (calls infer_boundaries itself)

Each figure is the best of --repeat runs. The design asks that matching grow about linearly with
the flows, so the table ends with the ratio of each phase between consecutive sizes (10k/1k is the
one to watch: ~10x is linear). Peak memory is reported two ways: the process's maximum resident
set size (resource.getrusage) and, in a separate traced pass, tracemalloc's peak of Python
allocations while loading and analysing each size (skip it with --no-trace).

Usage:
  python3 bench/benchmark.py [--sizes 100,1000,10000] [--repeat 3] [--seed 7] [--wait SECONDS]
                             [--patterns DIR] [--keep DIR] [--no-trace] [--no-gc]

--wait polls until tmkb_graph.boundaries and tmkb_graph.analysis import (they may still be being
written); without them only load is timed. If the shipped pattern library does not load (a pattern
being edited), the patterns that do load are used and the skipped files are named.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """Writes shared lists out in full: the loader refuses YAML aliases, as it should."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

CELL_SIZE = 12

# ---------------------------------------------------------------------------------------------
# Synthetic architectures
# ---------------------------------------------------------------------------------------------

_API_CONTROLS = [
    "authn",
    "object_ownership_check",
    "tenant_scoped_queries",
    "mass_assignment_allowlist",
    "service_authentication",
    "service_layer_authorization",
    "method_override_disabled",
]
_WORKER_CONTROLS = ["job_reauthorization", "tenant_scoped_queries", "idempotent_processing",
                    "webhook_payload_verification"]
_HOOK_CONTROLS = ["webhook_signature_verification", "replay_protection"]
_STORE_CONTROLS = ["storage_tenant_isolation"]
_ENDPOINT_EXTRA = {
    "list": ["tenant_scoped_queries", "soft_delete_filtering"],
    "read": ["object_ownership_check", "soft_delete_filtering", "non_enumerable_ids"],
    "create": ["mass_assignment_allowlist", "tenant_scoped_queries"],
    "update": ["object_ownership_check", "mass_assignment_allowlist"],
    "delete": ["object_ownership_check"],
    "bulk": ["bulk_item_authorization", "tenant_scoped_queries"],
    "transition": ["state_transition_authorization", "restore_authorization", "object_ownership_check"],
    "action": ["object_ownership_check"],
}
_FRAMEWORKS = [("python", "flask"), ("python", "fastapi"), ("python", "django"),
               ("typescript", "express"), ("go", None), ("java", "spring")]


def _some(rng: random.Random, pool: list[str], p: float) -> list[str]:
    """Each control of ``pool`` with probability ``p`` (so findings mix open and mitigated)."""
    return [c for c in pool if rng.random() < p]


def _endpoints(rng: random.Random, resources: list[str], count: int) -> list[dict[str, Any]]:
    """``count`` endpoints over ``resources``: list, read, update, delete, bulk, nested, transition..."""
    res, child = resources[0], resources[1]
    base = res.lower() + "s"
    catalogue = [
        ("GET", f"/{base}", "list", res),
        ("GET", f"/{base}/{{id}}", "read", res),
        ("PATCH", f"/{base}/{{id}}", "update", res),
        ("DELETE", f"/{base}/{{id}}", "delete", res),
        ("POST", f"/{base}", "create", res),
        ("POST", f"/{base}/bulk", "bulk", res),
        ("GET", f"/{base}/{{id}}/{child.lower()}s/{{child_id}}", "read", child),
        ("POST", f"/{base}/{{id}}/restore", "transition", res),
        ("POST", f"/{base}/{{id}}/export", "action", res),
    ]
    chosen = catalogue[:2] + rng.sample(catalogue[2:], count - 2)
    out = []
    for method, path, operation, resource_name in chosen:
        endpoint: dict[str, Any] = {"route": f"{method} {path}", "operation": operation, "resource": resource_name}
        if rng.random() < 0.7:  # most endpoints declare their own controls; the rest inherit
            endpoint["controls"] = ["authn"] + _some(rng, _ENDPOINT_EXTRA[operation], 0.5)
        out.append(endpoint)
    return out


def generate(n_components: int, seed: int = 7) -> dict[str, Any]:
    """A multi-tenant architecture of exactly ``n_components`` components, as plain data."""
    rng = random.Random(seed * 1_000_003 + n_components)
    components: dict[str, dict[str, Any]] = {}
    resources: dict[str, dict[str, Any]] = {}
    flows: list[dict[str, Any]] = []
    cells = -(-n_components // CELL_SIZE)

    for i in range(cells):
        p = f"c{i}_"
        res_a, res_b = f"Doc{i}", f"Item{i}"
        for name in (res_a, res_b):
            resource: dict[str, Any] = {
                "owner": rng.choice(["tenant", "user", "user", "shared"]),
                "soft_delete": rng.random() < 0.4,
            }
            if rng.random() < 0.85:  # a few leave the id scheme undeclared (not assessable)
                resource["ids"] = rng.choice(["sequential", "random"])
            resources[name] = resource
        lang1, fw1 = rng.choice(_FRAMEWORKS)
        lang2, fw2 = rng.choice(_FRAMEWORKS)

        cell: dict[str, dict[str, Any]] = {
            p + "client": {"type": "client", "zone": "internet"},
            p + "gw": {"type": "gateway", "zone": "edge", "technology": "envoy",
                       "controls": _some(rng, ["authn", "method_override_disabled"], 0.7)},
            p + "api1": {"type": "api", "zone": "internal", "language": lang1,
                         "controls": _some(rng, _API_CONTROLS, 0.5),
                         "endpoints": _endpoints(rng, [res_a, res_b], rng.randint(3, 6))},
            p + "api2": {"type": "api", "zone": "internal", "language": lang2,
                         "controls": _some(rng, _API_CONTROLS, 0.5),
                         "endpoints": _endpoints(rng, [res_b, res_a], rng.randint(3, 6))},
            p + "queue": {"type": "queue", "technology": rng.choice(["redis", "sqs", "rabbitmq"])},
            p + "worker": {"type": "worker", "language": lang1,
                           "controls": _some(rng, _WORKER_CONTROLS, 0.45)},
            p + "bus": {"type": "event_bus", "technology": "kafka"},
            p + "fn": {"type": "function", "controls": _some(rng, _WORKER_CONTROLS[:2], 0.5)},
            p + "db": {"type": "database", "zone": rng.choice(["internal", "restricted"]),
                       "technology": "postgres", "controls": _some(rng, _STORE_CONTROLS, 0.3)},
            p + "cache": {"type": "cache", "technology": "redis",
                          "controls": _some(rng, _STORE_CONTROLS, 0.2)},
            p + "hook": {"type": "webhook_receiver", "zone": "edge",
                         "controls": _some(rng, _HOOK_CONTROLS, 0.6),
                         "endpoints": [{"route": f"POST /webhooks/provider{i}", "operation": "create"}]},
            p + "ext": {"type": "external_service", "zone": "third_party"},
        }
        if fw1:
            cell[p + "api1"]["framework"] = fw1
            cell[p + "worker"]["framework"] = "celery" if lang1 == "python" else fw1
        if fw2:
            cell[p + "api2"]["framework"] = fw2
        components.update(cell)

        ctx_full = ["resource_id", "user_id", "tenant_id"]
        ctx = ctx_full if rng.random() < 0.5 else ["resource_id"]
        flows += [
            {"from": p + "client", "to": p + "gw", "kind": "request", "carries": ["auth_token", "payload"]},
            {"from": p + "gw", "to": p + "api1", "kind": "request", "carries": ["auth_token", "user_id"]},
            {"from": p + "gw", "to": p + "api2", "kind": "request", "carries": ["auth_token", "user_id"]},
            {"from": p + "api1", "to": p + "api2", "kind": "request", "carries": ["user_id", "resource_id"]},
            {"from": p + "api1", "to": p + "db", "kind": "read", "carries": ["tenant_id", "resource_id"]},
            {"from": p + "api1", "to": p + "db", "kind": "write", "carries": ["tenant_id", "resource_id"]},
            {"from": p + "api2", "to": p + "db", "kind": "read", "carries": ["resource_id"]},
            {"from": p + "api1", "to": p + "cache", "kind": "read", "carries": ["resource_id"]},
            {"from": p + "api1", "to": p + "cache", "kind": "write", "carries": ["resource_id", "payload"]},
            {"from": p + "api1", "to": p + "queue", "kind": "enqueue", "carries": ctx},
            {"from": p + "queue", "to": p + "worker", "kind": "deliver", "carries": ctx},
            {"from": p + "worker", "to": p + "db", "kind": "write", "carries": ["resource_id"]},
            {"from": p + "api2", "to": p + "bus", "kind": "publish", "carries": ["payload", "tenant_id"]},
            {"from": p + "bus", "to": p + "fn", "kind": "subscribe", "carries": ["payload", "tenant_id"]},
            {"from": p + "fn", "to": p + "db", "kind": "write", "carries": ["tenant_id", "payload"]},
            {"from": p + "ext", "to": p + "hook", "kind": "webhook",
             "carries": rng.choice([["payload", "signature"], ["payload", "signature", "timestamp", "event_id"]])},
            {"from": p + "hook", "to": p + "queue", "kind": "enqueue", "carries": ["payload"]},
        ]
        if i > 0:  # services of neighbouring cells call each other, and publish to a shared bus
            q = f"c{i - 1}_"
            flows.append({"from": p + "api2", "to": q + "api1", "kind": "request", "carries": ["user_id"]})
            flows.append({"from": p + "worker", "to": q + "bus", "kind": "publish", "carries": ["payload"]})

    # Trim the last cell to the exact size asked for, and drop flows that lost an end.
    for cid in list(components)[n_components:]:
        del components[cid]
    flows = [f for f in flows if f["from"] in components and f["to"] in components]
    return {
        "version": 1,
        "name": f"Synthetic {n_components}",
        "description": f"{cells} cells of up to {CELL_SIZE} components, generated by bench/benchmark.py",
        "tenancy": "multi",
        "zones": {"edge": "dmz"},
        "components": components,
        "resources": resources,
        "flows": flows,
        "boundaries": [{"name": "vpc", "kind": "network",
                        "contains": [c for c, v in components.items() if v.get("zone") in ("internal", "restricted")
                                     or v["type"] in ("queue", "event_bus")]}],
        "accepted": [{"pattern": "TMKB-AUTHZ-001", "component": "c0_worker",
                      "reason": "benchmark acceptance", "expires": "2027-06-30"}]
        if "c0_worker" in components else [],
    }


def write_yaml(data: dict[str, Any], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh, Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=200)


# ---------------------------------------------------------------------------------------------
# The library under test
# ---------------------------------------------------------------------------------------------


class Engine:
    """The tmkb_graph entry points, or why they could not be imported."""

    def __init__(self) -> None:
        from tmkb_graph.architecture import load_architecture

        self.load = load_architecture
        self.infer: Callable[[Any], Any] | None = None
        self.analyze: Callable[..., Any] | None = None
        self.library: Any = None
        self.problem: str | None = None

    def try_engine(self, patterns: Path | None = None) -> bool:
        try:
            for name in ("tmkb_graph.boundaries", "tmkb_graph.analysis"):
                if name in sys.modules:
                    importlib.reload(sys.modules[name])
            self.infer = importlib.import_module("tmkb_graph.boundaries").infer_boundaries
            self.analyze = importlib.import_module("tmkb_graph.analysis").analyze
        except Exception as exc:  # noqa: BLE001 - a module still being written can fail any way
            self.problem = f"{type(exc).__name__}: {exc}"
            self.infer = self.analyze = None
            return False
        self.problem = None
        self.library = self._library(patterns)
        return self.library is not None

    def _library(self, patterns: Path | None) -> Any:
        """The pattern library; while patterns are being edited, the files that load today."""
        lib = importlib.import_module("tmkb_graph.library")
        try:
            return lib.load_library(patterns)
        except Exception as exc:  # noqa: BLE001
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        root = patterns or Path(importlib.import_module("tmkb_graph.resources").data_dir("patterns"))
        loaded, skipped = {}, []
        for path in sorted(Path(root).glob("*/*.y*ml")):
            try:
                pattern = lib.load_pattern_file(path)
            except Exception:  # noqa: BLE001
                skipped.append(path.name)
                continue
            loaded[pattern.id] = pattern
        if not loaded:
            self.problem = f"no pattern loads ({first})"
            return None
        self.problem = f"pattern library incomplete, skipped {', '.join(skipped)} ({first})"
        return lib.PatternLibrary(loaded, {})


def wait_for_engine(engine: Engine, seconds: float, patterns: Path | None) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        if engine.try_engine(patterns):
            return True
        if time.monotonic() >= deadline:
            return False
        print(f"  waiting for the engine: {engine.problem}", file=sys.stderr)
        time.sleep(min(15.0, max(0.5, deadline - time.monotonic())))


NO_GC = False  # --no-gc: time with the cyclic collector off, to separate algorithm from GC cost


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        if NO_GC:
            gc.disable()
        try:
            start = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best, result


def max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def traced_peak_mb(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


def status_counts(result: Any) -> str:
    counts: dict[str, int] = {}
    for finding in getattr(result, "findings", []):
        status = str(getattr(finding, "status", "?"))
        counts[status] = counts.get(status, 0) + 1
    text = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    na = len(getattr(result, "not_assessable", []) or [])
    return f"{text}; not assessable {na}" if text else f"none; not assessable {na}"


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="component counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per phase; the best is reported")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--wait", type=float, default=0.0,
                        help="seconds to wait for tmkb_graph.boundaries/analysis to become importable")
    parser.add_argument("--keep", type=Path, help="write the YAML here and keep it (default: a temp dir)")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument("--no-gc", action="store_true",
                        help="disable the cyclic garbage collector while timing (shows the algorithm's own growth)")
    parser.add_argument("--patterns", type=Path, help="pattern directory (default: the shipped library)")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    repeat = max(1, args.repeat)
    global NO_GC
    NO_GC = args.no_gc

    engine = Engine()
    have_engine = wait_for_engine(engine, args.wait, args.patterns)
    if not have_engine:
        print(f"note: inference/analysis unavailable ({engine.problem}); timing load only", file=sys.stderr)
    elif engine.problem:
        print(f"note: {engine.problem}", file=sys.stderr)
    if have_engine:
        print(f"patterns: {len(engine.library.patterns)} ({', '.join(sorted(engine.library.patterns))})",
              file=sys.stderr)

    tmp = None
    if args.keep:
        out_dir = args.keep
        out_dir.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="tmkb-bench-")
        out_dir = Path(tmp.name)

    rows: list[dict[str, Any]] = []
    try:
        for size in sizes:
            data = generate(size, args.seed)
            path = out_dir / f"synthetic-{size}.yaml"
            write_yaml(data, path)
            row: dict[str, Any] = {
                "size": size,
                "components": len(data["components"]),
                "flows": len(data["flows"]),
                "endpoints": sum(len(c.get("endpoints", ())) for c in data["components"].values()),
                "mb": path.stat().st_size / (1024 * 1024),
            }
            del data
            print(f"[{size}] {row['components']} components, {row['flows']} flows, "
                  f"{row['endpoints']} endpoints, {row['mb']:.2f} MB YAML", file=sys.stderr)

            row["load"], loaded = best_of(repeat, lambda: engine.load(path))
            print(f"[{size}] load     {row['load']:.3f} s", file=sys.stderr)
            if have_engine:
                try:
                    row["infer"], graph = best_of(repeat, lambda: engine.infer(loaded))
                    print(f"[{size}] infer    {row['infer']:.3f} s", file=sys.stderr)
                    del graph
                    row["analyze"], result = best_of(
                        repeat, lambda: engine.analyze(loaded, library=engine.library)
                    )
                    print(f"[{size}] analyze  {row['analyze']:.3f} s", file=sys.stderr)
                    row["findings"] = len(result.findings)
                    row["statuses"] = status_counts(result)
                    del result
                except Exception as exc:  # noqa: BLE001 - report, keep the figures gathered so far
                    row["statuses"] = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                    print(f"[{size}] {row['statuses']}", file=sys.stderr)
            del loaded
            row["rss"] = max_rss_mb()
            if not args.no_trace:
                def traced() -> None:
                    arch = engine.load(path)
                    if have_engine and "analyze" in row:
                        engine.analyze(arch, library=engine.library)
                row["traced"] = traced_peak_mb(traced)
            rows.append(row)
    finally:
        if tmp is not None:
            tmp.cleanup()

    patterns = len(engine.library.patterns) if have_engine else 0
    print_table(rows, have_engine, not args.no_trace, repeat, patterns)
    if NO_GC:
        print("\n(timed with the cyclic garbage collector disabled: --no-gc)")
    return 0


def _fmt(value: Any, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def print_table(rows: list[dict[str, Any]], have_engine: bool, traced: bool, repeat: int, patterns: int) -> None:
    print(f"\ntmkb-graph benchmark: best of {repeat}, {patterns} patterns, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs\n")
    header = (f"{'components':>10} {'flows':>7} {'endpoints':>9} {'YAML MB':>8} {'load s':>8} "
              f"{'infer s':>8} {'analyze s':>9} {'findings':>8} {'maxRSS MB':>9}"
              + (f" {'traced peak MB':>14}" if traced else ""))
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['components']:>10} {r['flows']:>7} {r['endpoints']:>9} {r['mb']:>8.2f} {r['load']:>8.3f} "
              f"{_fmt(r.get('infer'), '.3f'):>8} {_fmt(r.get('analyze'), '.3f'):>9} "
              f"{_fmt(r.get('findings'), 'd'):>8} {r['rss']:>9.0f}"
              + (f" {r['traced']:>14.1f}" if traced else ""))
    if have_engine:
        print()
        for r in rows:
            print(f"  {r['components']:>6} components: {r['statuses']}")
    if len(rows) > 1:
        print("\nGrowth between consecutive sizes (time ratio; ~equal to the size ratio is linear):")
        for prev, cur in zip(rows, rows[1:]):
            size_ratio = cur["components"] / prev["components"]
            flow_ratio = cur["flows"] / prev["flows"]
            parts = [f"{cur['components']}/{prev['components']} (components x{size_ratio:.1f}, flows x{flow_ratio:.1f}):"]
            for phase in ("load", "infer", "analyze"):
                a, b = prev.get(phase), cur.get(phase)
                ratio = f"x{b / a:.1f}" if a and b else "n/a"
                parts.append(f"{phase} {ratio}")
            if traced and prev.get("traced"):
                parts.append(f"traced peak x{cur['traced'] / prev['traced']:.1f}")
            print("  " + "  ".join(parts))
    if not have_engine:
        print("\ninfer/analyze: n/a (tmkb_graph.boundaries or tmkb_graph.analysis not importable yet)")


if __name__ == "__main__":
    sys.exit(main())
