#!/usr/bin/env python3
"""Benchmark the agent interface (a script, not a test): query latency, cold start, token costs.

  relevance  precision at 1, recall at 3 and unrelated hits over tests/relevance_set.yaml
  warm    the context query in one process with the knowledge base loaded: p50 / p99 / max over
          every request of tests/relevance_set.yaml, --rounds times (target p50 under 2 ms)
  cold    a fresh process answering one query end to end, median of --cold-runs:
          `tmkb-graph query` (the console script), and the same through the Python API alone
          (`python -c`), both with the token and index caches warm; and once with empty caches;
          beside the floor of this machine: an interpreter importing typer and defining one
          pydantic model (target under 0.4 s)
  tokens  what each delivery path costs an agent, in real cl100k_base tokens, beside the 500 cap:
          query answers (median / max over the relevance set), rules files per example and target,
          hook answers (prompt and post-edit), and MCP tool answers (the text the agent reads)

Usage:  nice python3 bench/agent_benchmark.py [--rounds 20] [--cold-runs 5] [--skip-cold]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
CAP = 500


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def contexts() -> list[dict[str, Any]]:
    import yaml

    data = yaml.safe_load((REPO / "tests" / "relevance_set.yaml").read_text(encoding="utf-8"))
    return list(data["relevant"]) + [{"context": text} for text in data["unrelated"]]


def warm(kb: Any, rounds: int) -> None:
    cases = contexts()
    for case in cases:  # warm-up: token pieces memoised, index built
        kb.query(case["context"], files=case.get("files", ()), language=case.get("language"), framework=case.get("framework"))
    times = []
    for _ in range(rounds):
        for case in cases:
            start = time.perf_counter()
            kb.query(case["context"], files=case.get("files", ()), language=case.get("language"), framework=case.get("framework"))
            times.append((time.perf_counter() - start) * 1000)
    print(f"warm query ({len(times)} queries): p50 {percentile(times, 0.5):.2f} ms, p99 {percentile(times, 0.99):.2f} ms, max {max(times):.2f} ms (target p50 < 2 ms)")


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env, cwd=REPO)
    return time.perf_counter() - start


def cold(runs: int) -> None:
    script = Path(sys.executable).parent / "tmkb-graph"
    context = "add a Celery task that processes the uploaded file"
    api = f"from tmkb_graph import KnowledgeBase; print(KnowledgeBase.load().query({context!r}).to_json())"
    env = dict(os.environ)
    floor = "import typer\nfrom pydantic import BaseModel\nclass A(BaseModel):\n    x: int"
    commands = {
        "tmkb-graph query (console script)": [str(script), "query", "--context", context],
        "Python API only (python -c)": [sys.executable, "-c", api],
        "floor: python + typer + one pydantic model": [sys.executable, "-c", floor],
    }
    for label, command in commands.items():
        _timed(command, env)  # warm the .pyc files and the token cache
        times = [_timed(command, env) for _ in range(runs)]
        print(f"cold {label}: median {statistics.median(times):.3f} s, min {min(times):.3f} s over {runs} runs (target < 0.4 s)")
    with tempfile.TemporaryDirectory() as empty:
        first = _timed(commands["tmkb-graph query (console script)"], {**env, "TMKB_GRAPH_CACHE_DIR": empty})
        print(f"cold tmkb-graph query with an empty token cache (first run on a machine): {first:.3f} s")


def _row(label: str, counts: list[int]) -> str:
    if not counts:
        return f"  {label:<44} -"
    return f"  {label:<44} median {statistics.median(counts):>6.0f}  max {max(counts):>6}  (n={len(counts)})"


def token_costs(kb: Any) -> None:
    from tmkb_graph.agent.hooks import PostToolUsePayload, UserPromptPayload, on_post_edit, on_user_prompt
    from tmkb_graph.agent.rules import TARGETS
    from tmkb_graph.tokens import count_tokens

    examples = sorted(p for p in (REPO / "examples").glob("*.yaml") if not p.name.endswith(".expected.yaml"))
    answers = [kb.query(c["context"], files=c.get("files", ())).token_count for c in contexts()]
    print(f"\ntokens per delivery path (cap {CAP} for query, hook and MCP query answers)")
    print(_row("query answer (JSON)", answers))
    prompt_hook = []
    for case in contexts():
        out = on_user_prompt(kb, UserPromptPayload(prompt=case["context"]))
        if out:
            prompt_hook.append(count_tokens(json.dumps(out)))
    print(_row("hook user-prompt (relevant prompts; others 0)", prompt_hook))
    with tempfile.TemporaryDirectory() as state:
        os.environ["TMKB_GRAPH_CACHE_DIR"] = state  # first edit of each: every open finding is new
        edits = [on_post_edit(kb, PostToolUsePayload(tool_input={"file_path": str(p)}), "high") for p in examples]
        os.environ.pop("TMKB_GRAPH_CACHE_DIR")
    print(_row("hook post-edit (first edit of each example)", [count_tokens(json.dumps(e)) for e in edits if e]))
    print("  rules files (budget 1200):")
    for path in examples:
        costs = {t: kb.rules(path, t).token_count for t in sorted(TARGETS)}
        print(f"    {path.stem:<24} " + "  ".join(f"{t} {n}" for t, n in costs.items()))
    mcp_costs(kb, examples)


def mcp_costs(kb: Any, examples: list[Path]) -> None:
    import anyio
    from mcp import Client

    from tmkb_graph.agent.mcp_server import build_server
    from tmkb_graph.tokens import count_tokens

    async def main() -> dict[str, list[int]]:
        out: dict[str, list[int]] = {"query_threats": [], "analyze_architecture": [], "get_pattern": [], "list_patterns": []}
        async with Client(build_server(kb, REPO)) as client:
            for case in contexts():
                result = await client.call_tool("query_threats", {"context": case["context"]})
                out["query_threats"].append(count_tokens(result.content[0].text))
            for path in examples:
                result = await client.call_tool("analyze_architecture", {"path": str(path.relative_to(REPO))})
                out["analyze_architecture"].append(count_tokens(result.content[0].text))
            for pattern in kb.list():
                result = await client.call_tool("get_pattern", {"pattern_id": pattern.id})
                out["get_pattern"].append(count_tokens(result.content[0].text))
            result = await client.call_tool("list_patterns", {})
            out["list_patterns"].append(count_tokens(result.content[0].text))
        return out

    print("  MCP tool answers (the text content an agent reads):")
    for tool, counts in anyio.run(main).items():
        print("  " + _row(tool, counts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args()
    from tmkb_graph import KnowledgeBase

    start = time.perf_counter()
    kb = KnowledgeBase.load()
    kb.index  # noqa: B018 - build it now, so its cost is counted here and not in the first query
    print(f"load the knowledge base and build the index: {(time.perf_counter() - start) * 1000:.0f} ms")
    from test_agent_relevance import relevance_figures

    figures = relevance_figures()
    print(
        f"relevance on tests/relevance_set.yaml ({figures['cases']} requests): precision at 1 {figures['p_at_1']:.3f}, "
        f"recall at 3 {figures['r_at_3']:.3f}, answer precision {figures['answer_precision']:.3f}, "
        f"unrelated requests answered {figures['unrelated_hits']}"
    )
    warm(kb, args.rounds)
    if not args.skip_cold:
        cold(args.cold_runs)
    token_costs(kb)


if __name__ == "__main__":
    main()
