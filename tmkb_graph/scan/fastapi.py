"""FastAPI: apps and APIRouters (prefixes, include_router), routes, and Depends(...) dependencies.

A dependency that names a user, auth or token (``Depends(get_current_user)``) is authentication;
the code of every dependency counts for the route, so an ownership check inside
``Depends(get_document_for_user)`` is the route's check.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tmkb_graph.scan.controls import Signals
from tmkb_graph.scan.facts import Function, Module, const_str, keyword, last_part
from tmkb_graph.scan.imports import dotted
from tmkb_graph.scan.model import Evidence, Route, Site
from tmkb_graph.scan.project import Project
from tmkb_graph.scan.routing import HTTP_VERBS, join_paths, methods_of

_AUTH_DEPENDENCY_WORDS = ("user", "auth", "token", "login", "principal", "session", "permission", "api_key", "apikey")


@dataclass
class _Router:
    prefix: str | None
    dependencies: list[tuple[ast.expr, Module]] = field(default_factory=list)
    include_prefix: str | None = None
    parent: str | None = None  # the router this one is included in (None for the app)


def detect_fastapi(project: Project, signals: Signals) -> list[Route]:
    """Every FastAPI route, with router prefixes and router-level dependencies applied."""
    routers = _routers(project)
    if not routers:
        return []
    _apply_includes(project, routers)
    aliases = _dependency_aliases(project)
    routes: list[Route] = []
    for module in project.modules:
        for fn in module.functions:
            for deco in fn.node.decorator_list:
                route = _route(project, signals, fn, deco, routers, aliases)
                if route is not None:
                    routes.append(route)
    return routes


def _routers(project: Project) -> dict[str, _Router]:
    routers: dict[str, _Router] = {}
    for module in project.modules:
        for node in module.top_nodes:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                made = module.resolve(node.value.func)
                if made in ("fastapi.FastAPI", "fastapi.APIRouter", "fastapi.routing.APIRouter"):
                    deps = keyword(node.value, "dependencies")
                    router = _Router(const_str(keyword(node.value, "prefix")), [(d, module) for d in _elements(deps)])
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            routers[f"{module.name}.{target.id}"] = router
    return routers


def _elements(node: ast.AST | None) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else []


def _apply_includes(project: Project, routers: dict[str, _Router]) -> None:
    for module in project.modules:
        for node in module.calls:
            if isinstance(node.func, ast.Attribute) and node.func.attr == "include_router":
                if not node.args:
                    continue
                key = _key(module, node.args[0], routers)
                if key is None:
                    continue
                routers[key].include_prefix = const_str(keyword(node, "prefix"))
                routers[key].dependencies += [(d, module) for d in _elements(keyword(node, "dependencies"))]
                owner = _key(module, node.func.value, routers)
                if owner is not None and owner != key:
                    routers[key].parent = owner


def _key(module: Module, node: ast.AST, routers: dict[str, _Router]) -> str | None:
    name = module.resolve(node)
    if name in routers:
        return name
    matches = [key for key in routers if key.rsplit(".", 1)[-1] == last_part(name)]
    return matches[0] if len(matches) == 1 else None


def _dependency_aliases(project: Project) -> dict[str, tuple[ast.expr, Module]]:
    """Module-level names bound to an annotation holding Depends(...):
    ``CurrentUser = Annotated[User, Depends(get_current_user)]``."""
    out: dict[str, tuple[ast.expr, Module]] = {}
    for module in project.modules:
        for stmt in module.source.tree.body:
            if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.value is None:
                continue
            value = stmt.value
            if not any(isinstance(n, ast.Call) and last_part(dotted(n.func)) in ("Depends", "Security") for n in ast.walk(value)):
                continue
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            out.update((f"{module.name}.{t.id}", (value, module)) for t in targets if isinstance(t, ast.Name))
    return out


def _route(
    project: Project,
    signals: Signals,
    fn: Function,
    deco: ast.AST,
    routers: dict[str, _Router],
    aliases: dict[str, tuple[ast.expr, Module]],
) -> Route | None:
    if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)):
        return None
    verb = deco.func.attr
    if verb not in HTTP_VERBS and verb != "api_route":
        return None
    key = _key(fn.module, deco.func.value, routers)
    if key is None:
        return None
    path = const_str(deco.args[0]) if deco.args else const_str(keyword(deco, "path"))
    if path is None:
        return None
    methods = methods_of(keyword(deco, "methods")) if verb == "api_route" else [verb.upper()]
    dependencies = [(d, fn.module) for d in _elements(keyword(deco, "dependencies"))] + _parameter_dependencies(fn, aliases)
    prefixes: list[str | None] = []
    seen: set[str] = set()
    current: str | None = key
    while current is not None and current not in seen:  # an included router's prefix follows its parents'
        seen.add(current)
        router = routers[current]
        prefixes[:0] = [router.include_prefix, router.prefix]
        dependencies += router.dependencies
        current = router.parent
    evidence = _dependency_evidence(project, signals, dependencies)
    full = join_paths(*prefixes, path)
    return Route("fastapi", methods, full, fn, Site(fn.file, fn.line), evidence)


def _parameter_dependencies(fn: Function, aliases: dict[str, tuple[ast.expr, Module]]) -> list[tuple[ast.expr, Module]]:
    """Depends(...) and Security(...) in parameter defaults and Annotated[...] annotations,
    also through an alias such as ``CurrentUser``."""
    args = fn.node.args
    found = [(d, fn.module) for d in [*args.defaults, *args.kw_defaults] if d is not None]
    for annotation in [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if a.annotation is not None]:
        found.append((annotation, fn.module))
        alias = aliases.get(fn.resolve(annotation) or "")
        if alias is not None:
            found.append(alias)
    return found


def _dependency_evidence(
    project: Project, signals: Signals, nodes: list[tuple[ast.expr, Module]]
) -> list[Evidence]:
    """authn for a dependency named for a user, auth or token; and the signals in every dependency's code."""
    out: list[Evidence] = []
    for node, module in nodes:
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            if last_part(module.resolve(call.func)) not in ("Depends", "Security") or not call.args:
                continue
            target = call.args[0]
            name = last_part(module.resolve(target.func if isinstance(target, ast.Call) else target))
            site = Site(module.source.rel, call.lineno)
            if any(word in name.lower() for word in _AUTH_DEPENDENCY_WORDS):
                out.append(Evidence("authn", site, f"depends on {name}"))
            dependency = project.resolve_function(target.func if isinstance(target, ast.Call) else target, module)
            if dependency is not None:
                out.extend(e for e in signals.reached(dependency) if e.signal != "authn")
    return out
