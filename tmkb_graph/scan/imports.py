"""Import aliases: which dotted name a local name stands for (``from celery import shared_task as st``)."""

from __future__ import annotations

import ast


def aliases_from(nodes: list[ast.Import | ast.ImportFrom], module: str, is_package: bool) -> dict[str, str]:
    """Local name -> the dotted name it was imported as, for a module's imports (top-level and nested)."""
    aliases: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    aliases[head] = head
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node.module, node.level, module, is_package)
            for alias in node.names:
                if alias.name == "*":
                    continue
                aliases[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return aliases


def absolute_module(target: str | None, level: int, module: str, is_package: bool) -> str:
    """The absolute module of ``from <dots><target> import``, relative to ``module`` (a package when ``is_package``)."""
    if level == 0:
        return target or ""
    parts = module.split(".")
    package = parts if is_package else parts[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
    base = ".".join(package)
    if target:
        return f"{base}.{target}" if base else target
    return base


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def resolve(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """The dotted name of ``node`` with its first part replaced by what it was imported as."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    full = aliases.get(head)
    if full is None:
        return name
    return f"{full}.{rest}" if rest else full
