"""The MCP server: tools with schemas and structured output, resources, a prompt; errors never kill it."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from agent_support import knowledge_base
from conftest import EXAMPLES
from tmkb_graph.agent.mcp_server import build_server
from tmkb_graph.tokens import count_tokens

TOOLS = {"query_threats", "analyze_architecture", "get_pattern", "list_patterns", "run_sparql"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(EXAMPLES / "webhook-processor.yaml", root / "architecture.yaml")
    (tmp_path / "secret.yaml").write_text((EXAMPLES / "event-driven.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    return root


def run_with_client(server: Any, steps: Any) -> Any:
    async def main() -> Any:
        async with Client(server) as client:
            return await steps(client)

    return anyio.run(main)


def text_of(result: Any) -> str:
    return result.content[0].text


def test_tools_are_listed_with_schemas_and_read_only(project: Path) -> None:
    async def steps(client: Any) -> Any:
        return (await client.list_tools()).tools

    tools = {t.name: t for t in run_with_client(build_server(knowledge_base(), project), steps)}
    assert set(tools) == TOOLS
    query = tools["query_threats"]
    assert query.input_schema["required"] == ["context"] and "max_tokens" in query.input_schema["properties"]
    assert "patterns" in query.output_schema["properties"] and query.description.startswith("The threat patterns")
    assert all(t.annotations.read_only_hint for t in tools.values())


def test_a_session_gets_the_pattern_then_nothing_then_an_analysis(project: Path) -> None:
    async def steps(client: Any) -> Any:
        relevant = await client.call_tool("query_threats", {"context": "add a Celery task that processes the uploaded file"})
        unrelated = await client.call_tool("query_threats", {"context": "add a dark mode toggle"})
        by_path = await client.call_tool("analyze_architecture", {"path": "architecture.yaml"})
        by_text = await client.call_tool("analyze_architecture", {"yaml_text": (project / "architecture.yaml").read_text(encoding="utf-8")})
        return relevant, unrelated, by_path, by_text

    relevant, unrelated, by_path, by_text = run_with_client(build_server(knowledge_base(), project), steps)
    assert not relevant.is_error and relevant.structured_content["patterns"][0]["id"] == "TMKB-AUTHZ-001"
    assert json.loads(text_of(relevant))["token_count"] == count_tokens(text_of(relevant)) <= 500
    assert unrelated.structured_content["patterns"] == []
    assert by_path.structured_content["by_status"]["open"] == len(by_path.structured_content["open"]) == 5
    assert [f["id"] for f in by_text.structured_content["open"]] == [f["id"] for f in by_path.structured_content["open"]]


def test_paths_outside_the_working_directory_are_refused(project: Path) -> None:
    async def steps(client: Any) -> Any:
        out = []
        for path in ["../secret.yaml", str(project.parent / "secret.yaml"), "link.yaml", "missing.yaml", "."]:
            out.append(await client.call_tool("analyze_architecture", {"path": path}))
        out.append(await client.call_tool("query_threats", {"context": "Kafka consumer", "arch": "../secret.yaml"}))
        return out

    results = run_with_client(build_server(knowledge_base(), project), steps)
    assert all(r.is_error for r in results)
    assert all("outside the server's working directory" in text_of(r) for r in results[:3] + results[5:])
    assert "no such file" in text_of(results[3]) and "not a regular file" in text_of(results[4])


def test_bad_arguments_are_tool_errors_and_the_server_keeps_serving(project: Path) -> None:
    async def steps(client: Any) -> Any:
        errors = [
            await client.call_tool("query_threats", {"context": ""}),
            await client.call_tool("query_threats", {"context": "x", "max_tokens": 5000}),
            await client.call_tool("get_pattern", {"pattern_id": "TMKB-AUTHZ-0001"}),
            await client.call_tool("analyze_architecture", {}),
            await client.call_tool("analyze_architecture", {"yaml_text": "name: x\ncomponents: {a: {type: wizard}}\n"}),
        ]
        after = await client.call_tool("get_pattern", {"pattern_id": "tmkb-webhook-001"})
        return errors, after

    errors, after = run_with_client(build_server(knowledge_base(), project), steps)
    assert all(e.is_error for e in errors)
    assert "did you mean 'TMKB-AUTHZ-001'" in text_of(errors[2])
    assert "exactly one of yaml_text" in text_of(errors[3]) and "wizard" in text_of(errors[4])
    assert not after.is_error and after.structured_content["id"] == "TMKB-WEBHOOK-001"


def test_patterns_are_resources_and_a_prompt_says_when_to_call_which_tool(project: Path) -> None:
    async def steps(client: Any) -> Any:
        resources = (await client.list_resources()).resources
        content = await client.read_resource("tmkb://patterns/TMKB-AUTHZ-001")
        prompt = await client.get_prompt("threat_aware_coding")
        catalogue = await client.call_tool("list_patterns", {})
        return resources, content, prompt, catalogue

    resources, content, prompt, catalogue = run_with_client(build_server(knowledge_base(), project), steps)
    assert len(resources) == len(knowledge_base().list())
    assert json.loads(content.contents[0].text)["id"] == "TMKB-AUTHZ-001"
    text = prompt.messages[0].content.text
    assert all(name in text for name in TOOLS)
    assert [p["id"] for p in catalogue.structured_content["patterns"]] == sorted(knowledge_base().library.patterns)


def test_run_sparql_answers_a_select(project: Path) -> None:
    pytest.importorskip("tmkb_graph.rdf.query")

    async def steps(client: Any) -> Any:
        good = await client.call_tool("run_sparql", {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"})
        bad = await client.call_tool("run_sparql", {"query": "DELETE WHERE { ?s ?p ?o }"})
        return good, bad

    good, bad = run_with_client(build_server(knowledge_base(), project), steps)
    assert not good.is_error and len(good.structured_content["results"]["bindings"]) <= 3
    assert bad.is_error


def configured_command() -> tuple[str, list[str]]:
    """The command examples/agents/ configures, run from this interpreter's installation."""
    server = json.loads((EXAMPLES / "agents" / "claude-code" / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]["tmkb-graph"]
    installed = Path(sys.executable).parent / server["command"]
    if installed.is_file():
        return str(installed), server["args"]
    return sys.executable, ["-m", "tmkb_graph.cli", *server["args"]]  # a checkout run without installing


def test_serve_over_stdio_in_a_subprocess(project: Path) -> None:
    command, args = configured_command()
    params = StdioServerParameters(command=command, args=args, cwd=str(project))

    async def steps(client: Any) -> Any:
        tools = {t.name for t in (await client.list_tools()).tools}
        answer = await client.call_tool("query_threats", {"context": "add a Celery task that processes the uploaded file"})
        error = await client.call_tool("analyze_architecture", {"path": "../secret.yaml"})
        review = await client.call_tool("analyze_architecture", {"path": "architecture.yaml"})
        return tools, answer, error, review

    with open(project.parent / "server.log", "w", encoding="utf-8") as errlog:
        async def main() -> Any:
            from mcp.client.stdio import stdio_client

            async with Client(stdio_client(params, errlog=errlog)) as client:
                return await steps(client)

        tools, answer, error, review = anyio.run(main)
    assert tools == TOOLS
    assert answer.structured_content["patterns"][0]["id"] == "TMKB-AUTHZ-001"
    assert error.is_error and not review.is_error and review.structured_content["open"]


class _FakeSparqlResult:
    truncated = True

    def to_sparql_json(self) -> str:
        return json.dumps({"head": {"vars": ["p"]}, "results": {"bindings": [{"p": {"type": "literal", "value": "TMKB-AUTHZ-001"}}]}})


def test_run_sparql_adapts_the_rdf_modules_call_and_errors(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapter alone, over a stand-in for tmkb_graph.rdf.query (the real one is tested above)."""
    import types

    from tmkb_graph.errors import InputError, Problem

    calls = []

    def fake_run_sparql(query=None, *, name=None, arch_files=(), params=None, max_rows=1000, **_: Any):
        calls.append({"query": query, "name": name, "arch_files": list(arch_files), "params": params, "max_rows": max_rows})
        if query and query.startswith("DELETE"):
            raise InputError([Problem("<query>", 1, "", "only SELECT and ASK queries are answered")])
        return _FakeSparqlResult()

    package, module = types.ModuleType("tmkb_graph.rdf"), types.ModuleType("tmkb_graph.rdf.query")
    module.run_sparql = fake_run_sparql  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tmkb_graph.rdf", package)
    monkeypatch.setitem(sys.modules, "tmkb_graph.rdf.query", module)

    async def steps(client: Any) -> Any:
        good = await client.call_tool("run_sparql", {"name": "open-findings", "params": {"severity": "high"}, "arch_paths": ["architecture.yaml"], "max_rows": 5})
        refused = await client.call_tool("run_sparql", {"query": "DELETE WHERE { ?s ?p ?o }"})
        outside = await client.call_tool("run_sparql", {"name": "x", "arch_paths": ["../secret.yaml"]})
        return good, refused, outside

    good, refused, outside = run_with_client(build_server(knowledge_base(), project), steps)
    assert not good.is_error and good.structured_content["results"]["bindings"][0]["p"]["value"] == "TMKB-AUTHZ-001"
    assert good.structured_content["truncated"] is True
    assert calls[0] == {"query": None, "name": "open-findings", "arch_files": [project / "architecture.yaml"], "params": {"severity": "high"}, "max_rows": 5}
    assert refused.is_error and "only SELECT and ASK" in text_of(refused)
    assert outside.is_error and "outside the server's working directory" in text_of(outside) and len(calls) == 2


def test_run_sparql_without_the_rdf_module_is_a_clear_tool_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tmkb_graph.rdf.query", None)  # an import of it now fails

    async def steps(client: Any) -> Any:
        return await client.call_tool("run_sparql", {"name": "x"})

    result = run_with_client(build_server(knowledge_base(), project), steps)
    assert result.is_error and "SPARQL is not available" in text_of(result)
