"""The MCP server: the same library calls as the CLI, as a few well-described tools over stdio.

Tools answer with structured output (JSON schemas come from the type hints and the pydantic
models). Bad arguments become a tool error that says what was wrong; the server keeps serving.
Paths given to a tool must lie inside the server's working directory: they are resolved (symlinks
followed) and refused when they end up outside it.
"""

from __future__ import annotations

import inspect
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tmkb_graph.agent.api import KnowledgeBase
from tmkb_graph.agent.query import HARD_TOKEN_CAP, MIN_TOKENS, ContextAnswer, FindingBrief, finding_brief, serialize
from tmkb_graph.agent.rules import urgent_open_findings
from tmkb_graph.errors import InputError, report_lines
from tmkb_graph.findings import AnalysisResult
from tmkb_graph.pattern import Pattern

MAX_YAML_CHARS = 2_000_000
READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)

INSTRUCTIONS = """\
tmkb-graph knows the authorization threats at trust boundaries: async jobs and consumers, webhooks,
tenant-shared stores, service-to-service calls, object access by id. Call query_threats BEFORE you
write code that crosses one of them (it answers in at most 500 tokens, and with nothing when nothing
applies). Call analyze_architecture AFTER you change the architecture file, to see open findings.
Call get_pattern for one pattern in full, list_patterns for the catalogue, run_sparql for questions
about the whole knowledge graph."""

WORKFLOW = """\
How to use tmkb-graph while you code:
1. Before writing a job, worker, consumer, scheduled task, webhook handler, an endpoint that takes an
   object id, a bulk action, or a call to another service: call query_threats with one sentence
   describing the change (add language, framework and the files you will edit when you know them).
   Apply each returned pattern's check and fix in the code you write. An empty list means go ahead.
2. If the project has an architecture file (YAML with components and flows), pass it as `arch` to
   query_threats to get its open findings that the change touches.
3. After you edit the architecture file, call analyze_architecture with its path: each open finding
   names the control that is missing and where it belongs. Fix the code, then declare the control.
4. Call get_pattern when you need the full pattern (attack scenario, code examples, references).
5. Call list_patterns to see the catalogue, and run_sparql (a named query, or a read-only SELECT or
   ASK) for questions across patterns, controls and findings.
"""


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class PatternListing(_Out):
    """One pattern in the catalogue."""

    id: str
    name: str
    severity: str
    boundary: str
    category: str


class PatternCatalogue(_Out):
    """Every pattern in the library, in id order."""

    patterns: list[PatternListing]


class ArchitectureReview(_Out):
    """An architecture's analysis as an agent needs it: counts, and each open finding with its fix."""

    architecture: str
    file: str
    by_status: dict[str, int]
    open_by_severity: dict[str, int]
    open: list[FindingBrief]
    not_assessable: int
    warnings: list[str]


def review_of(result: AnalysisResult) -> ArchitectureReview:
    """The compact review of an analysis: open findings most urgent first."""
    return ArchitectureReview(
        architecture=result.architecture.name,
        file=result.architecture.file,
        by_status=result.summary.by_status,
        open_by_severity=result.summary.open_by_severity,
        open=[finding_brief(f) for f in urgent_open_findings(result)],
        not_assessable=len(result.not_assessable),
        warnings=result.warnings,
    )


def inside(root: Path, given: str) -> Path:
    """``given`` as a file inside ``root`` (symlinks followed); ToolError when it is not."""
    if not given.strip() or "\x00" in given:
        raise ToolError("path is empty or holds a NUL character")
    candidate = Path(given)
    candidate = candidate if candidate.is_absolute() else root / candidate
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        raise ToolError(f"no such file inside the server's working directory: {given}") from None
    if not resolved.is_relative_to(root):
        raise ToolError(f"{given} is outside the server's working directory ({root}); only files inside it can be read")
    if not resolved.is_file():
        raise ToolError(f"{given} is not a regular file")
    return resolved


def compact(model: BaseModel) -> Any:
    """A tool result whose text is compact JSON (what a model reads costs fewer tokens) beside the
    same data as structured content; the SDK would otherwise indent the text."""
    text = serialize(model.model_dump(mode="json", by_alias=True, exclude_none=True))
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=model.model_dump(mode="json", by_alias=True))


def _input_error(error: InputError) -> ToolError:
    return ToolError("; ".join(report_lines(error.problems)))


def _validation_error(error: ValidationError) -> ToolError:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "input"
    return ToolError(f"{where}: {first.get('msg', 'invalid value')}")


def build_server(kb: KnowledgeBase | None = None, root: Path | str | None = None) -> MCPServer:
    """The tmkb-graph MCP server over ``kb`` (the shipped library by default), reading files under ``root``."""
    kb = kb or KnowledgeBase.load()
    base = Path(root or Path.cwd()).resolve()
    server = MCPServer(name="tmkb-graph", instructions=INSTRUCTIONS, version=_version())

    def tool(fn: Any) -> Any:
        return server.tool(annotations=READ_ONLY, description=inspect.cleandoc(fn.__doc__ or ""))(fn)

    def architecture_from(yaml_text: str | None, path: str | None) -> Any:
        if (yaml_text is None) == (path is None):
            raise ToolError("give exactly one of yaml_text (the architecture's YAML) or path (a file inside the working directory)")
        try:
            if yaml_text is not None:
                from tmkb_graph.architecture import parse_architecture

                return parse_architecture(yaml_text, "<yaml_text>")
            return kb.architecture(inside(base, path or ""))
        except InputError as error:
            raise _input_error(error) from None

    @tool
    def query_threats(
        context: Annotated[str, Field(description="The change you are about to make, in one or two sentences.", min_length=1, max_length=20_000)],
        language: Annotated[str | None, Field(description="Programming language (a boost, never a filter).")] = None,
        framework: Annotated[str | None, Field(description="Framework, e.g. celery, fastapi, rails (a boost).")] = None,
        files: Annotated[list[str] | None, Field(description="Paths of the files you will edit.", max_length=200)] = None,
        arch: Annotated[str | None, Field(description="Path of the architecture YAML inside the working directory: adds its open findings the change touches.")] = None,
        max_tokens: Annotated[int, Field(ge=MIN_TOKENS, le=HARD_TOKEN_CAP, description="Token budget for the whole answer.")] = HARD_TOKEN_CAP,
    ) -> ContextAnswer:
        """The threat patterns that apply to a change you are about to make, in at most 500 tokens.

        Call it before writing code for jobs, workers, consumers, scheduled tasks, webhooks, routes that
        take an object id, bulk actions or calls between services. An empty pattern list means nothing applies.
        """
        loaded = None if arch is None else architecture_from(None, arch)
        try:
            answer = kb.query(context, language=language, framework=framework, files=files or [], arch=loaded, max_tokens=max_tokens)
            return compact(answer)
        except ValidationError as error:
            raise _validation_error(error) from None
        except InputError as error:
            raise _input_error(error) from None

    @tool
    def analyze_architecture(
        yaml_text: Annotated[str | None, Field(description="The architecture as YAML text.", max_length=MAX_YAML_CHARS)] = None,
        path: Annotated[str | None, Field(description="Or: the architecture file's path, inside the server's working directory.")] = None,
    ) -> ArchitectureReview:
        """Analyse an architecture (YAML text, or a file inside the working directory) and list its open findings.

        Each open finding names the missing control, where it belongs, and the fix.
        """
        try:
            return compact(review_of(kb.analyze(architecture_from(yaml_text, path))))
        except InputError as error:
            raise _input_error(error) from None

    @tool
    def get_pattern(pattern_id: Annotated[str, Field(description="A pattern id, such as TMKB-AUTHZ-001.", max_length=100)]) -> Pattern:
        """One threat pattern in full: description, attack scenario, mitigations with code, references, template."""
        try:
            return compact(kb.get(pattern_id))
        except KeyError as error:
            raise ToolError(str(error.args[0])) from None

    @tool
    def list_patterns() -> PatternCatalogue:
        """The catalogue: every pattern's id, name, severity, boundary kind and category."""
        listing = [PatternListing(id=p.id, name=p.name, severity=p.severity, boundary=p.template.boundary, category=p.category) for p in kb.list()]
        return compact(PatternCatalogue(patterns=listing))

    @tool
    def run_sparql(
        query: Annotated[str | None, Field(description="A read-only SPARQL SELECT or ASK query.", max_length=100_000)] = None,
        name: Annotated[str | None, Field(description="Or: the name of a shipped query from queries/.", max_length=200)] = None,
        params: Annotated[dict[str, str] | None, Field(description="Values for a named query's parameters.")] = None,
        arch_paths: Annotated[list[str] | None, Field(description="Architecture files (inside the working directory) whose findings join the graph.", max_length=20)] = None,
        max_rows: Annotated[int, Field(ge=1, le=1000, description="At most this many rows.")] = 200,
    ) -> dict[str, Any]:
        """Ask the knowledge graph (patterns, controls, findings) in SPARQL: a named query or a read-only SELECT/ASK."""
        try:
            from tmkb_graph.rdf.query import run_sparql as sparql
        except ImportError:
            raise ToolError("SPARQL is not available in this installation of tmkb-graph (tmkb_graph.rdf.query is missing)") from None
        arch_files = [inside(base, p) for p in arch_paths or []]
        try:
            result = sparql(query, name=name, arch_files=arch_files, params=params, max_rows=max_rows)
        except InputError as error:
            raise _input_error(error) from None
        data = result.to_sparql_json()
        data = json.loads(data) if isinstance(data, (str, bytes)) else json.loads(json.dumps(data))
        if isinstance(data, dict) and getattr(result, "truncated", False):
            data["truncated"] = True  # the agent must know it sees only the first max_rows rows
        return data

    for pattern in kb.list():
        _add_pattern_resource(server, kb, pattern)

    @server.prompt(name="threat_aware_coding", description="When to call which tmkb-graph tool while writing code.")
    def threat_aware_coding() -> str:
        return WORKFLOW

    return server


def _add_pattern_resource(server: MCPServer, kb: KnowledgeBase, pattern: Pattern) -> None:
    pattern_id = pattern.id

    def read() -> str:
        from tmkb_graph.render import pattern_json

        return pattern_json(kb.get(pattern_id))

    server.resource(
        f"tmkb://patterns/{pattern_id}", name=pattern_id, title=pattern.name, description=pattern.agent_summary.threat, mime_type="application/json"
    )(read)


def _version() -> str:
    try:
        return version("tmkb-graph")
    except PackageNotFoundError:  # pragma: no cover - a checkout that was never installed
        return "0"


def serve(root: Path | str | None = None) -> None:
    """Run the server over stdio until the client closes it."""
    build_server(root=root).run("stdio")
