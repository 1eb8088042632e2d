"""Flask: apps, blueprints (with url_prefix, registered in app factories), routes and add_url_rule."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tmkb_graph.scan.controls import AUTH_DECORATORS
from tmkb_graph.scan.facts import Function, Module, const_str, keyword, last_part
from tmkb_graph.scan.imports import dotted
from tmkb_graph.scan.model import Evidence, Route, Site
from tmkb_graph.scan.project import Project
from tmkb_graph.scan.routing import HTTP_VERBS, join_paths, methods_of

_AUTH_HOOK_MARKS = frozenset({"is_authenticated", "verify_jwt_in_request", "login_required", "get_jwt_identity"})


@dataclass
class _Router:
    kind: str  # app | blueprint
    prefix: str | None
    parent: str | None = None  # the blueprint a nested blueprint is registered on


def detect_flask(project: Project) -> list[Route]:
    """Every Flask route in the project, with blueprint prefixes applied."""
    routers = _routers(project)
    if not routers and not any(_imports_flask(m) for m in project.modules):
        return []
    _apply_registrations(project, routers)
    hooks = _auth_hooks(project, routers)
    routes: list[Route] = []
    for module in project.modules:
        if not _imports_flask(module):
            continue
        for fn in module.functions:
            for deco in fn.node.decorator_list:
                routes.extend(_decorated_routes(fn, deco, routers, hooks))
        routes.extend(_url_rules(project, module, routers, hooks))
    return routes


def _imports_flask(module: Module) -> bool:
    return any(target == "flask" or target.startswith("flask.") for target in module.aliases.values())


def _routers(project: Project) -> dict[str, _Router]:
    routers: dict[str, _Router] = {}
    for module in project.modules:
        for node in module.assigns:
            if not isinstance(node.value, ast.Call):
                continue
            made = module.resolve(node.value.func)
            if made not in ("flask.Flask", "flask.Blueprint"):
                continue
            prefix = const_str(keyword(node.value, "url_prefix"))
            for target in node.targets:
                if isinstance(target, ast.Name):
                    kind = "app" if made == "flask.Flask" else "blueprint"
                    routers[f"{module.name}.{target.id}"] = _Router(kind, prefix)
    return routers


def _apply_registrations(project: Project, routers: dict[str, _Router]) -> None:
    for module in project.modules:
        for node in module.calls:
            if isinstance(node.func, ast.Attribute) and node.func.attr == "register_blueprint":
                if not node.args:
                    continue
                key = _router_key(module, node.args[0], routers)
                if key is None:
                    continue
                prefix = const_str(keyword(node, "url_prefix"))
                if prefix is not None:
                    routers[key].prefix = prefix
                owner = _router_key(module, node.func.value, routers)
                if owner is not None and owner != key and routers[owner].kind == "blueprint":
                    routers[key].parent = owner


def _router_key(module: Module, node: ast.AST, routers: dict[str, _Router]) -> str | None:
    name = module.resolve(node)
    if name in routers:
        return name
    short = last_part(name)
    matches = [key for key in routers if key.rsplit(".", 1)[-1] == short]
    return matches[0] if len(matches) == 1 else None


def _auth_hooks(project: Project, routers: dict[str, _Router]) -> dict[str, Evidence]:
    """Routers whose before_request hook demands a logged-in user: every route on them has authn."""
    hooks: dict[str, Evidence] = {}
    for module in project.modules:
        for fn in module.functions:
            for deco in fn.node.decorator_list:
                if isinstance(deco, ast.Attribute) and deco.attr == "before_request":
                    key = _router_key(module, deco.value, routers)
                    if key and _demands_login(fn):
                        hooks[key] = Evidence("authn", Site(fn.file, fn.line), f"{fn.name} runs before every request and demands a login")
    return hooks


def _demands_login(fn: Function) -> bool:
    """The hook checks a login (current_user.is_authenticated, verify_jwt_in_request) or aborts with 401."""
    if fn.words() & _AUTH_HOOK_MARKS:
        return True
    return any(last_part(dotted(c.func)) == "abort" and c.args and isinstance(c.args[0], ast.Constant) and c.args[0].value == 401
               for c in fn.calls())


def _decorated_routes(fn: Function, deco: ast.AST, routers: dict[str, _Router], hooks: dict[str, Evidence]) -> list[Route]:
    if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)):
        return []
    verb = deco.func.attr
    if verb != "route" and verb not in HTTP_VERBS:
        return []
    path = const_str(deco.args[0]) if deco.args else const_str(keyword(deco, "rule"))
    if path is None:
        return []
    key = _router_key(fn.module, deco.func.value, routers)
    methods = methods_of(keyword(deco, "methods")) if verb == "route" else [verb.upper()]
    return [_route(fn, key, routers, hooks, path, methods)]


def _route(fn: Function, key: str | None, routers: dict[str, _Router], hooks: dict[str, Evidence], path: str, methods: list[str]) -> Route:
    prefixes: list[str | None] = []
    evidence: list[Evidence] = []
    seen: set[str] = set()
    while key is not None and key not in seen:  # a nested blueprint's prefix follows its parents'
        seen.add(key)
        prefixes.insert(0, routers[key].prefix)
        if key in hooks:
            evidence.append(hooks[key])
        key = routers[key].parent
    return Route("flask", methods, join_paths(*prefixes, path), fn, Site(fn.file, fn.line), evidence)


def _url_rules(project: Project, module: Module, routers: dict[str, _Router], hooks: dict[str, Evidence]) -> list[Route]:
    out = []
    for node in module.calls:
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "add_url_rule"):
            continue
        path = const_str(node.args[0]) if node.args else const_str(keyword(node, "rule"))
        view = keyword(node, "view_func") or (node.args[2] if len(node.args) > 2 else None)
        if path is None or view is None:
            continue
        key = _router_key(module, node.func.value, routers)
        if isinstance(view, ast.Call) and isinstance(view.func, ast.Attribute) and view.func.attr == "as_view":
            out.extend(_method_view_routes(project, module, view.func.value, key, routers, hooks, path))
            continue
        target = project.resolve_function(view, module)
        if target is not None:
            out.append(_route(target, key, routers, hooks, path, methods_of(keyword(node, "methods"))))
    return out


def _method_view_routes(
    project: Project, module: Module, cls_ref: ast.AST, key: str | None,
    routers: dict[str, _Router], hooks: dict[str, Evidence], path: str,
) -> list[Route]:
    """A MethodView registered with add_url_rule(view_func=View.as_view(...)): one route per method it defines."""
    found = project.class_named(module.resolve(cls_ref))
    if found is None:
        return []
    out = []
    for verb in HTTP_VERBS:
        method = project.method(found[0], found[1], verb)
        if method is not None:
            route = _route(method, key, routers, hooks, path, [verb.upper()])
            route.evidence += _class_decorator_evidence(found[0], found[1], method)
            out.append(route)
    return out


def _class_decorator_evidence(module: Module, cls: ast.ClassDef, method: Function) -> list[Evidence]:
    """``decorators = [login_required]`` on a MethodView applies to every method."""
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "decorators" for t in stmt.targets):
            names = [last_part(module.resolve(e)) for e in getattr(stmt.value, "elts", [])]
            if any(n in AUTH_DECORATORS for n in names):
                return [Evidence("authn", Site(module.source.rel, stmt.lineno), f"{cls.name}.decorators demands a login")]
    return []
