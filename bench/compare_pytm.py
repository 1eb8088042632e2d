#!/usr/bin/env python3
"""tmkb-graph against OWASP pytm on the same generated model, end to end (a script, not a test).

For each size it generates one multi-tenant architecture with bench/benchmark.py's generator (cells
of 12 components: client, gateway, two APIs with endpoints, queue, worker, event bus, subscriber
function, database, cache, webhook receiver and the third party that calls it; flows between them
and between neighbouring cells), writes it twice:

  bench/.models/synthetic-N.yaml         the tmkb architecture
  bench/.models/synthetic-N.pytm.json    the same components, zones and flows for pytm
                                          (one element per component, one Dataflow per flow,
                                          one Boundary per zone; built by bench/pytm_driver.py)

and times, as subprocesses, in ABBA order (tmkb, pytm, pytm, tmkb, ...) after one untimed warm-up
run of each:

  tmkb   tmkb-graph analyze FILE --format json --fail-on none > /dev/null
         (the console script of the current checkout, from the virtualenv this script runs in)
  pytm   bench/.venv-pytm/bin/python bench/pytm_driver.py FILE.pytm.json
         (pytm from PyPI in its own virtualenv, created on first use: import, build the model,
          check(), resolve())

It prints the median wall time of each, each one's peak resident memory (os.wait4's ru_maxrss of
that very process), pytm's own split (build, check + resolve), and the ratio pytm / tmkb: the goal
in issue 10 is 10 or more. It flags whether tmkb stays under 1 GB at the largest size.

Beside them, after each ABBA pair, it times two floors, so that the goal can be weighed against what
no analysis can avoid on this stack:

  floor  the interpreter, importing typer, pydantic and PyYAML (the CLI's given dependencies),
         building one pydantic model (its first model loads pydantic's plugin machinery), and
         libyaml's C scanner reading FILE's events and doing nothing with them
  tiny   tmkb-graph analyze on a one-cell model (12 components) of the same generator: the fixed
         cost of the real CLI

and prints the budget the goal leaves (pytm end to end / 10, and pytm's check()+resolve() / 10)
with each floor's share of it.

Usage:
  python bench/compare_pytm.py [--sizes 1000,8000,80000] [--reps N] [--big-reps N] [--seed 7]
                               [--pytm-version 1.4.0] [--strict-input-limit] [--regenerate]

--reps is the number of ABBA pairs (so each tool runs 2*reps times) below 20,000 components;
--big-reps applies at 20,000 and above (default 1: A B B A).
tmkb refuses files larger than its input limit (safe_yaml.MAX_FILE_BYTES). When a generated model is
larger, the tmkb run goes through a two-line launcher that lifts the limit for that run only, and
the row says so; --strict-input-limit runs the plain CLI instead (and reports the refusal).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import benchmark  # noqa: E402  (the shared generator)

MODELS = BENCH / ".models"
PYTM_VENV = BENCH / ".venv-pytm"
DRIVER = BENCH / "pytm_driver.py"
GB = 1024**3
# Both tools run with their .pyc files written and used, as an installed tool is: a
# PYTHONDONTWRITEBYTECODE in the caller's environment would make the editable tmkb checkout
# recompile every module on every run while pytm's site-packages have theirs from pip.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

# The launcher used only when a model is larger than tmkb's input limit: the same CLI, same code,
# with load_yaml_file's size limit raised for this one process.
_LIFTED = (
    "import sys, tmkb_graph.safe_yaml as s\n"
    "s.MAX_FILE_BYTES = 1 << 40\n"
    "s.load_yaml_file.__defaults__ = (1 << 40,)\n"
    "from tmkb_graph.cli import main\n"
    "sys.argv[0] = 'tmkb-graph'\n"
    "main()\n"
)

# The floor: what any command on this stack pays before analysing anything (see the docstring).
_FLOOR = (
    "import sys, typer, pydantic, yaml\n"
    "class _M(pydantic.BaseModel):\n"
    "    x: int\n"
    "_M(x=1)\n"
    "loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)\n"
    "with open(sys.argv[1], 'rb') as fh:\n"
    "    text = fh.read()\n"
    "for _ in yaml.parse(text, Loader=loader):\n"
    "    pass\n"
)

# ---------------------------------------------------------------------------------------------
# The same model for pytm
# ---------------------------------------------------------------------------------------------

# component type -> pytm element kind and attributes
_PYTM_KIND: dict[str, tuple[str, dict[str, Any]]] = {
    "client": ("external", {}),
    "gateway": ("server", {"protocol": "HTTPS", "port": 443}),
    "api": ("server", {"protocol": "HTTPS", "port": 443, "handlesResources": True}),
    "webhook_receiver": ("server", {"protocol": "HTTPS", "port": 443}),
    "queue": ("datastore", {"isSQL": False, "isShared": True}),
    "event_bus": ("datastore", {"isSQL": False, "isShared": True}),
    "worker": ("process", {"handlesResources": True}),
    "function": ("lambda", {"handlesResources": True}),
    "database": ("datastore", {"isSQL": True, "isShared": True, "storesPII": True,
                               "storesSensitiveData": True, "hasWriteAccess": True}),
    "cache": ("datastore", {"isSQL": False, "isShared": True, "storesSensitiveData": True}),
    "external_service": ("external", {}),
}
_DEFAULT_ZONE = {"client": "internet", "external_service": "third_party"}

# tmkb control -> the nearest pytm control
_PYTM_CONTROL = {
    "authn": "authenticatesSource",
    "object_ownership_check": "authorizesSource",
    "service_layer_authorization": "authorizesSource",
    "job_reauthorization": "authorizesSource",
    "tenant_scoped_queries": "hasAccessControl",
    "storage_tenant_isolation": "hasAccessControl",
    "mass_assignment_allowlist": "validatesInput",
    "webhook_payload_verification": "validatesInput",
    "service_authentication": "implementsAuthenticationScheme",
    "method_override_disabled": "implementsStrictHTTPValidation",
    "webhook_signature_verification": "providesIntegrity",
    "replay_protection": "implementsNonce",
    "idempotent_processing": "implementsNonce",
}

_PROTOCOL = {
    "request": "HTTPS", "webhook": "HTTPS", "callback": "HTTPS", "invoke": "HTTPS",
    "enqueue": "AMQP", "deliver": "AMQP", "publish": "Kafka", "subscribe": "Kafka",
    "read": "SQL", "write": "SQL",
}

_DATA = {
    "user_id": {"classification": "RESTRICTED", "pii": True, "credentials": False},
    "tenant_id": {"classification": "RESTRICTED", "pii": False, "credentials": False},
    "resource_id": {"classification": "RESTRICTED", "pii": False, "credentials": False},
    "payload": {"classification": "SENSITIVE", "pii": True, "credentials": False},
    "signature": {"classification": "RESTRICTED", "pii": False, "credentials": True},
    "auth_token": {"classification": "SECRET", "pii": False, "credentials": True},
    "idempotency_key": {"classification": "PUBLIC", "pii": False, "credentials": False},
    "timestamp": {"classification": "PUBLIC", "pii": False, "credentials": False},
    "event_id": {"classification": "PUBLIC", "pii": False, "credentials": False},
}


def pytm_description(data: dict[str, Any]) -> dict[str, Any]:
    """The generated architecture as pytm elements, boundaries and dataflows."""
    zones = data.get("zones", {})
    elements: dict[str, Any] = {}
    for cid, comp in data["components"].items():
        kind, attrs = _PYTM_KIND[comp["type"]]
        zone = comp.get("zone") or _DEFAULT_ZONE.get(comp["type"], "internal")
        controls = set(comp.get("controls") or ())
        for endpoint in comp.get("endpoints") or ():
            controls.update(endpoint.get("controls") or ())
        elements[cid] = {
            "kind": kind,
            "attrs": {**attrs, "description": f"{comp['type']} {cid}"},
            "boundary": zones.get(zone, zone),
            "controls": sorted({_PYTM_CONTROL[c] for c in controls if c in _PYTM_CONTROL}),
        }
    flows = []
    for i, flow in enumerate(data["flows"]):
        https = _PROTOCOL[flow["kind"]] == "HTTPS"
        flows.append({
            "from": flow["from"],
            "to": flow["to"],
            "name": f"{flow['kind']} {i}",
            "protocol": _PROTOCOL[flow["kind"]],
            "attrs": {"dstPort": 443 if https else 5432},
            "data": [c for c in flow.get("carries") or () if c in _DATA],
            "controls": ["isEncrypted"] if https else [],
        })
    boundaries = sorted({e["boundary"] for e in elements.values()})
    return {"name": data["name"], "description": data["description"], "boundaries": boundaries,
            "data": _DATA, "elements": elements, "flows": flows}


def models_for(size: int, seed: int, regenerate: bool) -> tuple[Path, Path, dict[str, int]]:
    MODELS.mkdir(exist_ok=True)
    yaml_path = MODELS / f"synthetic-{size}-s{seed}.yaml"
    pytm_path = MODELS / f"synthetic-{size}-s{seed}.pytm.json"
    meta_path = MODELS / f"synthetic-{size}-s{seed}.meta.json"
    if regenerate or not (yaml_path.exists() and pytm_path.exists() and meta_path.exists()):
        data = benchmark.generate(size, seed)
        benchmark.write_yaml(data, yaml_path)
        pytm_path.write_text(json.dumps(pytm_description(data)), encoding="utf-8")
        meta = {
            "components": len(data["components"]),
            "flows": len(data["flows"]),
            "endpoints": sum(len(c.get("endpoints") or ()) for c in data["components"].values()),
        }
        meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return yaml_path, pytm_path, json.loads(meta_path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def tiny_model(seed: int) -> Path:
    """One cell of the generator (12 components), for the CLI's fixed cost."""
    path = MODELS / f"synthetic-{benchmark.CELL_SIZE}-s{seed}.yaml"
    if not path.exists():
        MODELS.mkdir(exist_ok=True)
        benchmark.write_yaml(benchmark.generate(benchmark.CELL_SIZE, seed), path)
    return path


def ensure_pytm(version: str) -> Path:
    python = PYTM_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {PYTM_VENV} with pytm=={version} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PYTM_VENV)], check=True)
    probe = subprocess.run([str(python), "-c", "import importlib.metadata as m; print(m.version('pytm'))"],
                           capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip() != version:
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"pytm=={version}"], check=True)
    return python


def tmkb_command(yaml_path: Path, lift: bool) -> list[str]:
    args = ["analyze", str(yaml_path), "--format", "json", "--fail-on", "none"]
    if lift:
        return [sys.executable, "-c", _LIFTED, *args]
    exe = shutil.which("tmkb-graph", path=str(Path(sys.executable).parent)) or shutil.which("tmkb-graph")
    if exe is None:
        raise SystemExit("tmkb-graph is not installed in this environment: pip install -e '.[test]'")
    return [exe, *args]


def run(cmd: list[str], stdout: Any = subprocess.DEVNULL) -> dict[str, Any]:
    """Run ``cmd``; wall time, peak RSS of that process (wait4), exit code, its stdout if asked (PIPE)."""
    capture = stdout is subprocess.PIPE
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_file if capture else stdout, stderr=err_file, env=CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        out = out_file.read() if capture else b""
        err = err_file.read()
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return {"wall": wall, "rss": rss, "rc": proc.returncode, "out": out, "err": err.decode(errors="replace")}


def bench_size(size: int, reps: int, seed: int, pytm_python: Path, args: argparse.Namespace) -> dict[str, Any]:
    t = time.perf_counter()
    yaml_path, pytm_path, meta = models_for(size, seed, args.regenerate)
    row: dict[str, Any] = {"size": size, **meta, "yaml_mb": yaml_path.stat().st_size / 2**20}
    print(f"[{size}] {meta['components']} components, {meta['flows']} flows, {meta['endpoints']} endpoints, "
          f"{row['yaml_mb']:.1f} MB YAML (models ready in {time.perf_counter() - t:.1f} s)", file=sys.stderr)

    from tmkb_graph import safe_yaml

    limit = safe_yaml.MAX_FILE_BYTES
    row["lifted"] = yaml_path.stat().st_size > limit and not args.strict_input_limit
    if row["lifted"]:
        print(f"[{size}] note: the YAML is over tmkb's {limit / 2**20:.0f} MiB input limit; "
              "tmkb runs with the limit lifted for this size", file=sys.stderr)
    tmkb_cmd = tmkb_command(yaml_path, row["lifted"])
    pytm_cmd = [str(pytm_python), str(DRIVER), str(pytm_path)]

    # Untimed warm-up of each (page cache, .pyc files); tmkb's output is checked, pytm's split kept.
    warm = MODELS / f"out-{size}.json"
    with warm.open("wb") as fh:
        first = run(tmkb_cmd, stdout=fh)
    if first["rc"] != 0:
        row["tmkb_error"] = first["err"].strip().splitlines()[-1:] or [f"exit {first['rc']}"]
        print(f"[{size}] tmkb failed: {row['tmkb_error'][0]}", file=sys.stderr)
    else:
        row["json_mb"] = warm.stat().st_size / 2**20
        try:
            with warm.open("rb") as fh:
                result = json.load(fh)
            row["tmkb_findings"] = len(result["findings"])
            row["tmkb_open"] = result["summary"]["by_status"].get("open")
            del result
        except (ValueError, KeyError) as exc:
            row["tmkb_error"] = [f"output is not the expected JSON: {exc}"]
    warm.unlink(missing_ok=True)
    print(f"[{size}] warm-up tmkb {first['wall']:.2f} s, {first['rss'] / 2**20:.0f} MB", file=sys.stderr)
    pfirst = run(pytm_cmd, stdout=subprocess.PIPE)
    if pfirst["rc"] != 0:
        row["pytm_error"] = pfirst["err"].strip().splitlines()[-1:] or [f"exit {pfirst['rc']}"]
        print(f"[{size}] pytm failed: {row['pytm_error'][0]}", file=sys.stderr)
        return row
    print(f"[{size}] warm-up pytm {pfirst['wall']:.2f} s, {pfirst['rss'] / 2**20:.0f} MB", file=sys.stderr)

    floor_cmd = [sys.executable, "-c", _FLOOR, str(yaml_path)]
    tiny_cmd = tmkb_command(tiny_model(seed), False)
    tmkb_runs: list[dict[str, Any]] = []
    pytm_runs: list[dict[str, Any]] = []
    floor_runs: list[dict[str, Any]] = []
    tiny_runs: list[dict[str, Any]] = []
    for i in range(reps):
        # ABBA for the two tools (drift hits both alike), then the two floors once per pair
        for tool in ("tmkb", "pytm", "pytm", "tmkb", "floor", "tiny"):
            if tool == "tmkb":
                r = run(tmkb_cmd)
                tmkb_runs.append(r)
            elif tool == "pytm":
                r = run(pytm_cmd, stdout=subprocess.PIPE)
                r["split"] = json.loads(r["out"].decode().strip().splitlines()[-1])
                pytm_runs.append(r)
            else:
                r = run(floor_cmd if tool == "floor" else tiny_cmd)
                (floor_runs if tool == "floor" else tiny_runs).append(r)
            print(f"[{size}] pair {i + 1}/{reps} {tool} {r['wall']:.2f} s, {r['rss'] / 2**20:.0f} MB"
                  + (f" (exit {r['rc']})" if r["rc"] else ""), file=sys.stderr)
    row["floor_s"] = statistics.median(r["wall"] for r in floor_runs)
    row["tiny_s"] = statistics.median(r["wall"] for r in tiny_runs)
    row["floor_failed"] = sum(1 for r in floor_runs + tiny_runs if r["rc"] != 0)
    row["tmkb_s"] = statistics.median(r["wall"] for r in tmkb_runs)
    row["pytm_s"] = statistics.median(r["wall"] for r in pytm_runs)
    row["pytm_cr_s"] = statistics.median(r["split"]["check_s"] + r["split"]["resolve_s"] for r in pytm_runs)
    row["pytm_build_s"] = statistics.median(r["split"]["build_s"] for r in pytm_runs)
    row["pytm_findings"] = pytm_runs[-1]["split"]["findings"]
    row["tmkb_rss"] = max(r["rss"] for r in tmkb_runs + [first])
    row["pytm_rss"] = max(r["rss"] for r in pytm_runs + [pfirst])
    row["tmkb_runs"] = len(tmkb_runs)
    row["tmkb_failed"] = sum(1 for r in tmkb_runs if r["rc"] != 0)
    row["spread"] = (min(r["wall"] for r in tmkb_runs), max(r["wall"] for r in tmkb_runs),
                     min(r["wall"] for r in pytm_runs), max(r["wall"] for r in pytm_runs))
    return row


def tmkb_version() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "tmkb_graph"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def print_table(rows: list[dict[str, Any]], pytm_version: str) -> None:
    print(f"\ntmkb-graph {tmkb_version()} vs pytm {pytm_version}: median wall time of whole processes, "
          f"ABBA order, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    header = (f"{'components':>10} {'flows':>7} {'YAML MB':>7} {'runs':>4} {'tmkb s':>8} {'pytm s':>8} "
              f"{'pytm c+r s':>10} {'ratio':>6} {'ratio c+r':>9} {'tmkb MB':>8} {'pytm MB':>8} "
              f"{'JSON MB':>8} {'tmkb findings':>13} {'pytm findings':>13}")
    print(header)
    print("-" * len(header))
    for r in rows:
        if "tmkb_s" not in r:
            problem = (r.get("tmkb_error") or r.get("pytm_error") or ["?"])[0]
            print(f"{r['components']:>10} {r['flows']:>7} {r['yaml_mb']:>7.1f}  failed: {problem}")
            continue
        ratio = r["pytm_s"] / r["tmkb_s"]
        ratio_cr = r["pytm_cr_s"] / r["tmkb_s"]
        print(f"{r['components']:>10} {r['flows']:>7} {r['yaml_mb']:>7.1f} {r['tmkb_runs']:>4} {r['tmkb_s']:>8.2f} "
              f"{r['pytm_s']:>8.2f} {r['pytm_cr_s']:>10.2f} {ratio:>6.1f} {ratio_cr:>9.1f} "
              f"{r['tmkb_rss'] / 2**20:>8.0f} {r['pytm_rss'] / 2**20:>8.0f} {r.get('json_mb', 0):>8.1f} "
              f"{r.get('tmkb_findings', 0):>13} {r['pytm_findings']:>13}"
              + ("  (tmkb input limit lifted)" if r["lifted"] else "")
              + (f"  ({r['tmkb_failed']} tmkb runs failed)" if r["tmkb_failed"] else ""))
    print("\nratio = pytm end to end / tmkb end to end (goal: >= 10); ratio c+r = pytm check()+resolve() only"
          " / tmkb end to end.")
    print("\nWhat the goal leaves, and what no analysis on this stack avoids (medians):")
    print(f"{'components':>10} {'budget s':>9} {'budget c+r s':>12} {'floor s':>8} {'floor/budget':>12} "
          f"{'tiny s':>7} {'tiny/budget':>11}")
    for r in rows:
        if "floor_s" not in r:
            continue
        budget = r["pytm_s"] / 10
        print(f"{r['components']:>10} {budget:>9.3f} {r['pytm_cr_s'] / 10:>12.3f} {r['floor_s']:>8.3f} "
              f"{r['floor_s'] / budget:>11.0%} {r['tiny_s']:>7.3f} {r['tiny_s'] / budget:>10.0%}"
              + (f"  ({r['floor_failed']} floor runs failed)" if r["floor_failed"] else ""))
    print("budget = pytm end to end / 10, the time within which tmkb must finish for a ratio of 10 (budget c+r:"
          " the same against pytm's check()+resolve() alone, the stricter reading); floor = interpreter +"
          " typer + pydantic's first model + libyaml's events of the file; tiny = tmkb-graph analyze on a"
          " 12-component model.")
    print("Peak memory: the largest ru_maxrss of any run of that tool at that size.")
    big = max(rows, key=lambda r: r["components"])
    if "tmkb_rss" in big:
        verdict = "under" if big["tmkb_rss"] < GB else "OVER"
        print(f"At {big['components']} components tmkb peaks at {big['tmkb_rss'] / 2**20:.0f} MB: {verdict} 1 GB.")
    for r in rows:
        if "spread" in r:
            a, b, c, d = r["spread"]
            print(f"  {r['components']:>6}: tmkb {a:.2f}-{b:.2f} s, pytm {c:.2f}-{d:.2f} s; "
                  f"pytm build {r['pytm_build_s']:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,8000,80000", help="component counts, comma-separated")
    parser.add_argument("--reps", type=int, default=3, help="ABBA pairs per size below 20,000 components")
    parser.add_argument("--big-reps", type=int, default=1, help="ABBA pairs per size at 20,000 components and above")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pytm-version", default="1.4.0")
    parser.add_argument("--strict-input-limit", action="store_true",
                        help="never lift tmkb's input size limit (a model over it is reported as refused)")
    parser.add_argument("--regenerate", action="store_true", help="write the models again even if cached")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "").replace("k", "000")) for s in args.sizes.split(",") if s.strip()]

    pytm_python = ensure_pytm(args.pytm_version)
    rows = []
    for size in sizes:
        reps = max(1, args.reps if size < 20_000 else args.big_reps)
        rows.append(bench_size(size, reps, args.seed, pytm_python, args))
    print_table(rows, args.pytm_version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
