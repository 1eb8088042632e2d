"""The agent commands: query, rules, serve, hook. Only typer and the standard library load here;
each command imports what it needs, because an agent runs these as fresh processes."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from tmkb_graph.cli_help import PlainCommand, PlainGroup
from tmkb_graph.cli_options import error_lines, exit_bad_input


class QueryFormat(str, Enum):
    text = "text"
    json = "json"


class HookEvent(str, Enum):
    user_prompt = "user-prompt"
    post_edit = "post-edit"


class HookAgent(str, Enum):
    claude_code = "claude-code"


class BlockOn(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    none = "none"


class RulesTarget(str, Enum):
    agents_md = "agents-md"
    cursor = "cursor"
    copilot = "copilot"
    claude = "claude"


def _load_kb() -> Any:
    from tmkb_graph.agent.api import KnowledgeBase
    from tmkb_graph.errors import InputError

    try:
        return KnowledgeBase.load()
    except InputError as error:
        exit_bad_input(error)


def query_command(
    context: Annotated[str, typer.Option("--context", "-c", metavar="TEXT", help="What you are about to build or change, in your own words.")],
    language: Annotated[Optional[str], typer.Option(metavar="L", help="The language (a boost, never a filter).")] = None,
    framework: Annotated[Optional[str], typer.Option(metavar="F", help="The framework (a boost, never a filter).")] = None,
    files: Annotated[
        Optional[list[str]], typer.Option("--files", metavar="PATH", help="A file being edited; repeat for more. Matched against the patterns' file globs.")
    ] = None,
    arch: Annotated[
        Optional[Path], typer.Option(metavar="FILE", help="An architecture YAML file: also report its open findings that touch the request.")
    ] = None,
    max_tokens: Annotated[int, typer.Option(min=80, max=500, metavar="N", help="Token budget of the whole answer (80 to 500).")] = 500,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Full patterns for a person instead of the agent's short JSON.")] = False,
    output_format: Annotated[
        QueryFormat, typer.Option("--format", "-f", metavar="FORMAT", help="With --verbose: text or json.")
    ] = QueryFormat.text,
) -> None:
    """Which threat patterns apply to the work described by --context (JSON of at most 500 tokens)."""
    from pydantic import ValidationError

    from tmkb_graph.errors import InputError

    kb = _load_kb()
    try:
        answer = kb.query(context, language=language, framework=framework, files=files or [], arch=arch, max_tokens=max_tokens)
    except InputError as error:
        exit_bad_input(error)
    except ValidationError as error:
        exit_bad_input(_first_validation_message(error))
        return
    if not verbose:
        sys.stdout.write(answer.to_json() + "\n")
        return
    from tmkb_graph.agent.verbose import verbose_json, verbose_text

    render = verbose_json if output_format is QueryFormat.json else verbose_text
    sys.stdout.write(render(kb, context, answer, language=language, framework=framework, files=files or []))


def _first_validation_message(error: Any) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "input"
    return f"{where}: {first.get('msg', 'invalid value')}"


def rules_command(
    file: Annotated[Path, typer.Argument(metavar="ARCH", help="The architecture YAML file the rules are for.")],
    target: Annotated[
        RulesTarget, typer.Option(metavar="TARGET", help="agents-md (AGENTS.md), cursor (.cursor/rules), copilot (.github/instructions) or claude (CLAUDE.md).")
    ] = RulesTarget.agents_md,
    max_tokens: Annotated[int, typer.Option(min=200, metavar="N", help="Token budget of the rules written (at least 200).")] = 1200,
    out: Annotated[Path, typer.Option(metavar="DIR", help="The project folder the rule file is written under.")] = Path("."),
    code: Annotated[
        Optional[list[str]], typer.Option(metavar="COMPONENT=GLOB", help="Where a component's code lives, for the rule file's globs; repeat for more.")
    ] = None,
    stdout: Annotated[bool, typer.Option("--stdout", help="Print the rules instead of writing the file.")] = False,
) -> None:
    """Write the security rules for ARCH's open findings into the file an AI coding agent reads."""
    from tmkb_graph.agent.rules import write_rules
    from tmkb_graph.errors import InputError

    code_paths: dict[str, list[str]] = {}
    for item in code or []:
        component, sep, glob = item.partition("=")
        if not sep or not component.strip() or not glob.strip():
            exit_bad_input(f"--code takes COMPONENT=GLOB, such as worker=src/jobs/**/*.py; got '{item}'")
        code_paths.setdefault(component.strip(), []).append(glob.strip())
    kb = _load_kb()
    try:
        rule_file = kb.rules(file, target.value, max_tokens=max_tokens, code_paths=code_paths)
        if stdout:
            sys.stdout.write(rule_file.text)
            typer.echo(rule_file.summary(), err=True)
            return
        path = write_rules(rule_file, out)
    except InputError as error:
        exit_bad_input(error)
    typer.echo(f"wrote {rule_file.summary().replace(rule_file.path, str(path), 1)}")


def serve_command(
    root: Annotated[
        Optional[Path], typer.Option(metavar="DIR", help="The only folder whose files the tools may read (default: the current folder).")
    ] = None,
) -> None:
    """Run the MCP server over stdio, for AI coding agents (Claude Code, Cursor, VS Code)."""
    from tmkb_graph.agent.mcp_server import serve

    _load_kb()  # a broken library is reported here, before a client connects
    serve(root)


hook_app = typer.Typer(
    help="Claude Code hooks: context on each prompt, a review after each architecture edit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=PlainGroup,
)


@hook_app.command("claude-code", cls=PlainCommand)
def hook_claude_code(
    event: Annotated[HookEvent, typer.Argument(metavar="EVENT", help="user-prompt (UserPromptSubmit) or post-edit (PostToolUse).")],
    arch: Annotated[Optional[Path], typer.Option(metavar="FILE", help="user-prompt: also report this architecture's open findings the prompt touches.")] = None,
    block_on: Annotated[
        BlockOn, typer.Option(case_sensitive=False, metavar="SEVERITY", help="post-edit: block when a new open finding is at least this severe; 'none' only reports.")
    ] = BlockOn.none,
) -> None:
    """Run as a Claude Code hook: read the hook's JSON on stdin, print the hook's JSON answer (or nothing)."""
    import json

    from pydantic import ValidationError

    from tmkb_graph.agent.api import KnowledgeBase
    from tmkb_graph.agent.hooks import PostToolUsePayload, UserPromptPayload, on_post_edit, on_user_prompt
    from tmkb_graph.errors import InputError

    # never exit 2 here: to Claude Code that blocks the prompt or the edit; our failures exit 1
    raw = sys.stdin.read(16 * 1024 * 1024)
    try:
        data = json.loads(raw)
        if event is HookEvent.user_prompt:
            output = on_user_prompt(KnowledgeBase.load(), UserPromptPayload.model_validate(data), arch=arch)
        else:
            output = on_post_edit(KnowledgeBase.load(), PostToolUsePayload.model_validate(data), block_on=block_on.value)
    except (ValueError, ValidationError) as error:
        # exit 1: Claude Code shows it to the user and carries on
        typer.echo(f"tmkb-graph hook: the {event.value} input is not the JSON Claude Code sends: {str(error).splitlines()[0]}", err=True)
        raise typer.Exit(1) from None
    except InputError as error:
        typer.echo("tmkb-graph hook: " + "; ".join(error_lines(error)), err=True)
        raise typer.Exit(1) from None
    if output is not None:
        sys.stdout.write(json.dumps(output) + "\n")


@hook_app.command("install", cls=PlainCommand)
def hook_install(
    agent: Annotated[HookAgent, typer.Argument(metavar="AGENT", help="claude-code.")],
    settings: Annotated[Path, typer.Option(metavar="FILE", help="The settings file to merge the hooks into.")] = Path(".claude/settings.json"),
    block_on: Annotated[
        BlockOn, typer.Option(case_sensitive=False, metavar="SEVERITY", help="post-edit blocks on new open findings at least this severe.")
    ] = BlockOn.high,
    arch: Annotated[Optional[str], typer.Option(metavar="FILE", help="An architecture file the prompt hook reports findings from.")] = None,
) -> None:
    """Add tmkb-graph's hooks to the agent's settings, keeping every entry already there."""
    from tmkb_graph.agent.hooks import install_claude_code
    from tmkb_graph.errors import InputError

    try:
        install_claude_code(settings, block_on.value, arch)
    except InputError as error:
        exit_bad_input(error)
    typer.echo(f"installed the {agent.value} hooks in {settings} (post-edit blocks at {block_on.value})")


def register(app: typer.Typer) -> None:
    """Add the agent commands to the tmkb-graph app."""
    app.command("query", cls=PlainCommand)(query_command)
    app.command("rules", cls=PlainCommand)(rules_command)
    app.command("serve", cls=PlainCommand)(serve_command)
    app.add_typer(hook_app, name="hook")
