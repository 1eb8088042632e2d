"""Per-file facts every detector reads: functions with their own nodes, classes, import aliases,
and the file's calls, assignments, dict literals and strings.

Each file's tree is walked once here; detectors then read these lists instead of walking again.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tmkb_graph.scan.imports import aliases_from, dotted, resolve
from tmkb_graph.scan.walk import SourceFile

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
# nodes with nothing below them that any detector reads (Load/Store, operators)
_SKIPPED = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


@dataclass(eq=False)
class Function:
    """A function or method and the nodes of its own body (nested functions are functions of their own).

    ``nodes`` keeps only the kinds detectors read: calls, comparisons, string constants, attribute
    accesses, assignments, dict literals and for loops.
    """

    module: "Module"
    node: FunctionNode
    qualname: str
    class_name: str | None
    nodes: list[ast.AST] = field(default_factory=list)
    call_nodes: list[ast.Call] = field(default_factory=list)

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
        return self.call_nodes

    def words(self) -> set[str]:
        """The attributes the body reads and the (last part of the) names it calls."""
        found = {n.attr for n in self.nodes if isinstance(n, ast.Attribute)}
        found.update(last_part(dotted(c.func)) for c in self.call_nodes)
        return found

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name of ``node`` as the function's module sees it."""
        return self.module.resolve(node)


@dataclass(eq=False)
class Module:
    """One parsed file: its functions, classes, top-level nodes, import aliases and node lists by kind."""

    source: SourceFile
    aliases: dict[str, str] = field(default_factory=dict)
    functions: list[Function] = field(default_factory=list)
    classes: list[ast.ClassDef] = field(default_factory=list)
    top_nodes: list[ast.AST] = field(default_factory=list)
    defined: set[str] = field(default_factory=set)
    calls: list[ast.Call] = field(default_factory=list)
    assigns: list[ast.Assign] = field(default_factory=list)
    dicts: list[ast.Dict] = field(default_factory=list)
    strings: list[ast.Constant] = field(default_factory=list)

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
    module = Module(source=source)
    imports: list[ast.Import | ast.ImportFrom] = []
    _collect(source.tree, module, imports)
    module.aliases = aliases_from(imports, source.module, source.is_package)
    for stmt in source.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            module.defined.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            module.defined.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            module.defined.add(stmt.target.id)
    return module


# the node kinds detectors read from a function's or the module's own list; others are only walked
_KEPT = (ast.Call, ast.Compare, ast.Constant, ast.Attribute, ast.Assign, ast.AugAssign, ast.Dict, ast.For, ast.AsyncFor,
         ast.Import, ast.ImportFrom)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_LEAF_FIELDS = frozenset({"id", "attr", "name", "arg", "kind", "ctx", "op", "level", "module", "type_comment",
                          "simple", "is_async", "conversion", "asname"})


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node class that can hold other nodes (cached per class)."""
    found = _CHILD_FIELDS.get(kind)
    if found is None:
        found = _CHILD_FIELDS[kind] = tuple(
            f for f in kind._fields if f not in _LEAF_FIELDS and not (kind is ast.Constant and f == "value")  # type: ignore[attr-defined]
        )
    return found


def _collect(tree: ast.Module, module: Module, imports: list[ast.Import | ast.ImportFrom]) -> None:
    """Walk once, giving each node to the innermost function that holds it (or the module)."""
    prefix = module.name
    stack: list[tuple[ast.AST, Function | None, str, str | None]] = [(n, None, prefix, None) for n in reversed(tree.body)]
    while stack:
        node, fn, pre, cls = stack.pop()
        kind = type(node)
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            inner = Function(module=module, node=node, qualname=f"{pre}.{node.name}", class_name=cls)  # type: ignore[arg-type, attr-defined]
            module.functions.append(inner)
            # decorators and defaults belong to the enclosing scope; annotations and body to the function
            args = node.args  # type: ignore[attr-defined]
            outer = [p for p in [*node.decorator_list, *args.defaults, *args.kw_defaults] if p is not None]  # type: ignore[attr-defined]
            notes = [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if a.annotation]
            stack.extend((n, fn, pre, cls) for n in outer)
            stack.extend((n, inner, f"{pre}.{node.name}", None) for n in reversed([*notes, *node.body]))  # type: ignore[attr-defined]
            continue
        if kind is ast.ClassDef:
            module.classes.append(node)  # type: ignore[arg-type]
            stack.extend((n, fn, pre, cls) for n in [*node.bases, *node.keywords, *node.decorator_list])  # type: ignore[attr-defined]
            stack.extend((n, fn, f"{pre}.{node.name}", node.name) for n in reversed(node.body))  # type: ignore[attr-defined]
            continue
        if isinstance(node, _KEPT):
            _record(node, kind, module, fn, imports)
        for name in _child_fields(kind):
            value = getattr(node, name, None)
            if type(value) is list:
                stack.extend((item, fn, pre, cls) for item in value if isinstance(item, ast.AST) and not isinstance(item, _SKIPPED))
            elif isinstance(value, ast.AST) and not isinstance(value, _SKIPPED):
                stack.append((value, fn, pre, cls))


def _record(node: ast.AST, kind: type, module: Module, fn: Function | None, imports: list[ast.Import | ast.ImportFrom]) -> None:
    if kind is ast.Import or kind is ast.ImportFrom:
        imports.append(node)  # type: ignore[arg-type]
        return
    if kind is ast.Constant and not isinstance(node.value, str):  # type: ignore[attr-defined]
        return
    (fn.nodes if fn is not None else module.top_nodes).append(node)
    if kind is ast.Call:
        module.calls.append(node)  # type: ignore[arg-type]
        if fn is not None:
            fn.call_nodes.append(node)  # type: ignore[arg-type]
    elif kind is ast.Assign:
        module.assigns.append(node)  # type: ignore[arg-type]
    elif kind is ast.Dict:
        module.dicts.append(node)  # type: ignore[arg-type]
    elif kind is ast.Constant:
        module.strings.append(node)  # type: ignore[arg-type]


def synthetic_function(module: Module, cls: ast.ClassDef, name: str, body: list[ast.stmt]) -> Function:
    """A function made of class-level statements (a DRF ``queryset = ...``), so detectors can read
    them like a method's body; it points at the class."""
    args = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    node = ast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                           lineno=cls.lineno, col_offset=cls.col_offset)
    scratch = Module(source=module.source, aliases=module.aliases, defined=module.defined)
    _collect(ast.Module(body=[node], type_ignores=[]), scratch, [])
    fn = scratch.functions[0]
    fn.module, fn.qualname, fn.class_name = module, f"{module.name}.{cls.name}.{name}", cls.name
    return fn


def words_in(node: ast.AST) -> set[str]:
    """Every name, attribute, keyword and short string under ``node`` (iteratively: deep code is fine)."""
    out: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, ast.keyword) and sub.arg:
            out.add(sub.arg)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) < 100:
            out.add(sub.value)
    return out


def source_text(node: ast.AST, limit: int = 40) -> str:
    """Short source text for a note; code nested too deeply to print is described, not printed."""
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError):
        return "a deeply nested expression"
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
