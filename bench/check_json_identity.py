#!/usr/bin/env python3
"""Check that render.json_out.analysis_json, and write_analysis_json (streamed, what the CLI writes),
give the bytes the standard library would (run by hand).

The reference is what json_out did before it used pydantic's serializer:
json.dumps(result.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\\n".
It compares both on every architecture in examples/ and tests/fixtures/ that analyses, and on the
files given on the command line (e.g. bench/.models/synthetic-8000-s7.yaml), and times both.

  python bench/check_json_identity.py [FILE.yaml ...]
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmkb_graph.analysis import analyze  # noqa: E402
from tmkb_graph.architecture import load_architecture  # noqa: E402
from tmkb_graph.errors import InputError  # noqa: E402
from tmkb_graph.findings import AnalysisResult  # noqa: E402
from tmkb_graph.library import load_library  # noqa: E402
from tmkb_graph.render import json_out  # noqa: E402


def reference(result) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(result.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    library = load_library()
    serializer = json_out._sorted_serializer(AnalysisResult)
    print("fast path:", "yes" if serializer is not None else "NO (falls back to json.dumps)")
    files = sorted(ROOT.glob("examples/**/*.yaml")) + sorted(ROOT.glob("tests/fixtures/**/*.yaml"))
    files += [Path(a) for a in argv]
    checked = differ = 0
    for path in files:
        try:
            result = analyze(load_architecture(path), library)
        except InputError:
            continue
        except Exception:  # noqa: BLE001 - expectation files and the like are not architectures
            continue
        t0 = time.perf_counter()
        old = reference(result)
        t1 = time.perf_counter()
        new = json_out.analysis_json(result)
        t2 = time.perf_counter()
        stream = io.BytesIO()
        json_out.write_analysis_json(result, stream)
        checked += 1
        if stream.getvalue() != new.encode("utf-8"):
            differ += 1
            print(f"DIFFERENT: {path}: the streamed JSON differs from analysis_json")
        if old != new:
            differ += 1
            i = next((k for k, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            print(f"DIFFERENT: {path} at char {i}: {old[i - 60:i + 60]!r} vs {new[i - 60:i + 60]!r}")
        if path in files[-len(argv):] if argv else False:
            print(f"{path}: {len(new) / 2**20:.1f} MB, json.dumps {t1 - t0:.2f} s, pydantic {t2 - t1:.2f} s")
    print(f"{checked} architectures, {differ} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
