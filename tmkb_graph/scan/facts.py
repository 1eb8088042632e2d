"""Per-file facts every detector reads: functions with their own nodes, classes, import aliases.

Each file's tree is walked once here; detectors then read the lists instead of walking again.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tmkb_graph.scan.imports import dotted, import_aliases, resolve
from tmkb_graph.scan.walk import SourceFile

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(eq=False)
class Function:
    """A function or method and the nodes of its own body (nested functions are functions of their own)."""

    module: "Module"
    node: FunctionNode
    qualname: str
    class_name: str | None
    nodes: list[ast.AST] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The function's own name."""
        return self.node.name

    @property
    def file(self) -> str:
        """The file the function is in, relative to the scanned directory."""
        return self.module.source.rel

    @property
    def line(self) -> int:
        """The line of the ``def``."""
        return self.node.lineno

    @property
    def params(self) -> list[str]:
        """Parameter names in order (positional, then keyword-only)."""
        args = self.node.args
        return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]

    def calls(self) -> list[ast.Call]:
        """The calls made in the function's own body."""
        return [n for n in self.nodes if isinstance(n, ast.Call)]

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name of ``node`` as the function's module sees it."""
        return self.module.resolve(node)


@dataclass(eq=False)
class Module:
    """One parsed file: its functions, classes, top-level nodes and import aliases."""

    source: SourceFile
    aliases: dict[str, str]
    functions: list[Function] = field(default_factory=list)
    classes: list[ast.ClassDef] = field(default_factory=list)
    top_nodes: list[ast.AST] = field(default_factory=list)
    defined: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        """The dotted module name."""
        return self.source.module

    def resolve(self, node: ast.AST) -> str | None:
        """A dotted name through the imports, or qualified by this module when defined here."""
        name = dotted(node)
        if name is None:
            return None
        head = name.split(".", 1)[0]
        if head not in self.aliases and head in self.defined:
            return f"{self.name}.{name}"
        return resolve(node, self.aliases)


def index_module(source: SourceFile) -> Module:
    """Split a file's tree into functions (each with its own nodes), classes and top-level nodes."""
    module = Module(source=source, aliases=import_aliases(source.tree, source.module, source.is_package))
    _collect(source.tree, module, owner=None, prefix=source.module, class_name=None)
    for stmt in source.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            module.defined.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            module.defined.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            module.defined.add(stmt.target.id)
    return module


def _collect(node: ast.AST, module: Module, owner: Function | None, prefix: str, class_name: str | None) -> None:
    """Walk once, giving each node to the innermost function that holds it (or the module)."""
    stack: list[tuple[list[ast.AST], Function | None, str, str | None]] = [
        (list(ast.iter_child_nodes(node)), owner, prefix, class_name)
    ]
    while stack:
        children, fn, pre, cls = stack.pop()
        for child in children:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = Function(module=module, node=child, qualname=f"{pre}.{child.name}", class_name=cls)
                module.functions.append(inner)
                # decorators and defaults belong to the enclosing scope; annotations and body to the function
                outer = [p for p in [*child.decorator_list, *child.args.defaults, *child.args.kw_defaults] if p is not None]
                args = child.args
                notes = [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if a.annotation]
                stack.append((outer, fn, pre, cls))
                stack.append((list(notes) + list(child.body), inner, f"{pre}.{child.name}", None))
            elif isinstance(child, ast.ClassDef):
                module.classes.append(child)
                _add(child, module, fn)
                stack.append(([*child.bases, *child.keywords, *child.decorator_list], fn, pre, cls))
                stack.append((list(child.body), fn, f"{pre}.{child.name}", child.name))
            else:
                _add(child, module, fn)
                stack.append((list(ast.iter_child_nodes(child)), fn, pre, cls))


def _add(node: ast.AST, module: Module, fn: Function | None) -> None:
    (fn.nodes if fn is not None else module.top_nodes).append(node)


def const_str(node: ast.AST | None) -> str | None:
    """The value of a string constant, None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword argument ``name`` of ``call``."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def last_part(name: str | None) -> str:
    """The last dotted part of a name: 'shared_task' for 'celery.shared_task'."""
    return (name or "").rsplit(".", 1)[-1]
