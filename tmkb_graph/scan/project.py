"""The scanned project: every module and function, and the lookups detectors share."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tmkb_graph.scan.facts import Function, Module, index_module, last_part
from tmkb_graph.scan.walk import SourceFile

MAX_CALL_DEPTH = 3


@dataclass
class Project:
    """All modules of a scan, with functions indexed by qualified and by plain name."""

    modules: list[Module]
    by_qualname: dict[str, Function] = field(default_factory=dict)
    by_name: dict[str, list[Function]] = field(default_factory=dict)
    classes: dict[str, tuple[Module, ast.ClassDef]] = field(default_factory=dict)
    _callees: dict[int, list[Function]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_sources(cls, sources: list[SourceFile]) -> "Project":
        """Index every parsed file."""
        project = cls(modules=[index_module(s) for s in sources])
        for module in project.modules:
            for fn in module.functions:
                project.by_qualname.setdefault(fn.qualname, fn)
                project.by_name.setdefault(fn.name, []).append(fn)
            for class_node in module.classes:
                project.classes.setdefault(f"{module.name}.{class_node.name}", (module, class_node))
        return project

    def class_named(self, name: str | None) -> tuple[Module, ast.ClassDef] | None:
        """A class by qualified name, else the only class of that plain name."""
        if not name:
            return None
        if name in self.classes:
            return self.classes[name]
        found = [v for k, v in self.classes.items() if k.rsplit(".", 1)[-1] == last_part(name)]
        return found[0] if len(found) == 1 else None

    def method(self, module: Module, cls: ast.ClassDef, name: str) -> Function | None:
        """A method defined in the class body itself."""
        for fn in module.functions:
            if fn.class_name == cls.name and fn.name == name and fn.node in cls.body:
                return fn
        return None

    def functions(self) -> list[Function]:
        """Every function, in file order."""
        return [fn for module in self.modules for fn in module.functions]

    def function_named(self, name: str | None, near: Module | None = None) -> Function | None:
        """The function a dotted name refers to: by qualified name, else the only (or nearest) one of that name."""
        if not name:
            return None
        found = self.by_qualname.get(name)
        if found is not None:
            return found
        candidates = self.by_name.get(last_part(name), [])
        candidates = [c for c in candidates if c.class_name is None] or candidates
        if len(candidates) == 1:
            return candidates[0]
        if near is not None:
            local = [c for c in candidates if c.module is near]
            if len(local) == 1:
                return local[0]
        return None

    def resolve_function(self, node: ast.AST, module: Module) -> Function | None:
        """The function an expression names, seen from ``module``."""
        return self.function_named(module.resolve(node), module)

    def callees(self, fn: Function) -> list[Function]:
        """The project functions ``fn`` calls directly (by name), cached."""
        key = id(fn)
        if key not in self._callees:
            out: list[Function] = []
            for call in fn.calls():
                target = self.resolve_function(call.func, fn.module)
                if target is None and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
                    if call.func.value.id == "self" and fn.class_name:
                        target = self.by_qualname.get(f"{fn.qualname.rsplit('.', 2)[0]}.{call.func.attr}")
                if target is not None and target is not fn and target not in out:
                    out.append(target)
            self._callees[key] = out
        return self._callees[key]

    def reach(self, fn: Function, depth: int = MAX_CALL_DEPTH) -> list[Function]:
        """``fn`` and the project functions it reaches through at most ``depth`` calls."""
        seen = [fn]
        frontier = [fn]
        for _ in range(depth):
            nxt = []
            for current in frontier:
                for callee in self.callees(current):
                    if callee not in seen:
                        seen.append(callee)
                        nxt.append(callee)
            frontier = nxt
        return seen
