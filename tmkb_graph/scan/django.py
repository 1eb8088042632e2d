"""Django and Django REST framework: urlpatterns (path, re_path, include), function and class-based
views, DRF viewsets registered on routers (standard actions and @action), permission classes."""

from __future__ import annotations

import ast

from tmkb_graph.scan.controls import AUTH_DECORATORS, Signals
from tmkb_graph.scan.facts import Function, Module, const_str, keyword, last_part, synthetic_function, words_in
from tmkb_graph.scan.imports import dotted
from tmkb_graph.scan.model import Evidence, Route, Site
from tmkb_graph.scan.project import Project
from tmkb_graph.scan.routing import HTTP_VERBS, join_paths, methods_of

_STANDARD = {
    "list": ("GET", False), "create": ("POST", False), "retrieve": ("GET", True),
    "update": ("PUT", True), "partial_update": ("PATCH", True), "destroy": ("DELETE", True),
}
_BASE_ACTIONS = {
    "ModelViewSet": tuple(_STANDARD), "ReadOnlyModelViewSet": ("list", "retrieve"),
    "ListModelMixin": ("list",), "CreateModelMixin": ("create",), "RetrieveModelMixin": ("retrieve",),
    "UpdateModelMixin": ("update", "partial_update"), "DestroyModelMixin": ("destroy",),
}
_AUTH_PERMISSIONS = frozenset({"IsAuthenticated", "IsAdminUser", "IsAuthenticatedOrReadOnly", "DjangoModelPermissions",
                               "DjangoObjectPermissions", "TokenHasScope"})
_AUTH_MIXINS = frozenset({"LoginRequiredMixin", "PermissionRequiredMixin", "UserPassesTestMixin"})
MAX_INCLUDE_DEPTH = 8


class _Django:
    def __init__(self, project: Project, signals: Signals) -> None:
        self.project, self.signals = project, signals
        self.routes: list[Route] = []
        self.default_auth = _default_permission_is_authenticated(project)
        self.urlconfs = {m.name: m for m in project.modules if _urlpatterns(m) is not None}

    def run(self) -> list[Route]:
        included = {name for m in self.urlconfs.values() for name in self._included_modules(m)}
        for name in sorted(self.urlconfs):
            if name not in included:
                self.urlconf(self.urlconfs[name], "", 0)
        return self.routes

    def _included_modules(self, module: Module) -> list[str]:
        out = []
        for call in _pattern_calls(module):
            target = call.args[1] if len(call.args) > 1 else None
            if isinstance(target, ast.Call) and last_part(dotted(target.func)) == "include" and target.args:
                name = const_str(target.args[0])
                if name:
                    out.append(name)
        return out

    def urlconf(self, module: Module, prefix: str, depth: int) -> None:
        if depth > MAX_INCLUDE_DEPTH:
            return
        for call in _pattern_calls(module):
            route = const_str(call.args[0]) if call.args else None
            target = call.args[1] if len(call.args) > 1 else None
            if route is None or target is None:
                continue
            path = join_paths(prefix, route)
            if isinstance(target, ast.Call) and last_part(dotted(target.func)) == "include" and target.args:
                self.include(module, target.args[0], path, depth)
            else:
                self.view(module, target, path)
        for router_name in _routers_added_directly(module):
            self.router(module, router_name, prefix)

    def include(self, module: Module, arg: ast.AST, path: str, depth: int) -> None:
        if isinstance(arg, ast.Tuple) and arg.elts:
            arg = arg.elts[0]
        name = const_str(arg)
        if name is not None and name in self.urlconfs:
            self.urlconf(self.urlconfs[name], path, depth + 1)
        elif isinstance(arg, ast.Attribute) and arg.attr == "urls":
            self.router(module, dotted(arg.value) or "", path)

    def view(self, module: Module, target: ast.AST, path: str) -> None:
        if isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute) and target.func.attr == "as_view":
            found = self.project.class_named(module.resolve(target.func.value))
            if found is not None:
                self.class_view(found[0], found[1], path)
            return
        fn = self.project.resolve_function(target, module)
        if fn is not None:
            self.function_view(fn, path)

    def function_view(self, fn: Function, path: str) -> None:
        methods = ["GET"]
        evidence: list[Evidence] = []
        for deco in fn.node.decorator_list:
            name = last_part(dotted(deco.func if isinstance(deco, ast.Call) else deco))
            if name == "api_view" and isinstance(deco, ast.Call) and deco.args:
                methods = methods_of(deco.args[0])
            elif name == "require_http_methods" and isinstance(deco, ast.Call) and deco.args:
                methods = methods_of(deco.args[0])
            elif name == "require_POST":
                methods = ["POST"]
            elif name == "permission_classes" and isinstance(deco, ast.Call) and deco.args:
                evidence += self.permission_evidence(fn.module, deco.args[0], fn)
        methods = _branch_methods(fn, methods)
        if self.default_auth is not None and any(last_part(dotted(d.func if isinstance(d, ast.Call) else d)) == "api_view" for d in fn.node.decorator_list):
            if not any(e.signal == "authn" for e in evidence):
                evidence.append(self.default_auth)
        self.routes.append(Route("django", methods, path, fn, Site(fn.file, fn.line), evidence))

    def class_view(self, module: Module, cls: ast.ClassDef, path: str) -> None:
        evidence = self.class_evidence(module, cls)
        for verb in HTTP_VERBS:
            method = self.project.method(module, cls, verb)
            if method is not None:
                self.routes.append(Route("django", [verb.upper()], path, method, Site(method.file, method.line), list(evidence)))

    def class_evidence(self, module: Module, cls: ast.ClassDef) -> list[Evidence]:
        out: list[Evidence] = []
        site = Site(module.source.rel, cls.lineno)
        for base in cls.bases:
            if last_part(module.resolve(base)) in _AUTH_MIXINS:
                out.append(Evidence("authn", site, f"{cls.name} uses {last_part(dotted(base))}"))
        for deco in cls.decorator_list:  # @method_decorator(login_required, name="dispatch")
            if isinstance(deco, ast.Call) and last_part(dotted(deco.func)) == "method_decorator" and deco.args:
                if last_part(dotted(deco.args[0].func if isinstance(deco.args[0], ast.Call) else deco.args[0])) in AUTH_DECORATORS:
                    out.append(Evidence("authn", Site(module.source.rel, deco.lineno), f"{cls.name} is wrapped in a login decorator"))
        explicit = False
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "permission_classes" for t in stmt.targets):
                explicit = True
                out += self.permission_evidence(module, stmt.value, None, site)
        if not explicit and self.default_auth is not None and _is_drf(module, cls):
            out.append(self.default_auth)
        queryset = self.queryset(module, cls)
        if queryset is not None:
            out += self.signals.reached(queryset)
        out += self.serializer_evidence(module, cls)
        return out

    def serializer_evidence(self, module: Module, cls: ast.ClassDef) -> list[Evidence]:
        """A serializer whose Meta lists its fields (not "__all__") accepts only those fields."""
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "serializer_class" for t in stmt.targets):
                found = self.project.class_named(module.resolve(stmt.value))
                if found is None:
                    return []
                for inner in found[1].body:
                    if isinstance(inner, ast.ClassDef) and inner.name == "Meta":
                        for meta in inner.body:
                            if isinstance(meta, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "fields" for t in meta.targets):
                                if isinstance(meta.value, (ast.List, ast.Tuple)):
                                    site = Site(found[0].source.rel, meta.lineno)
                                    return [Evidence("field_allowlist", site, f"{found[1].name} accepts only the fields it lists")]
        return []

    def queryset(self, module: Module, cls: ast.ClassDef) -> Function | None:
        """The code that picks a view's rows: its ``get_queryset``, else its ``queryset = ...`` attribute."""
        method = self.project.method(module, cls, "get_queryset")
        if method is not None:
            return method
        body: list[ast.stmt] = [
            s for s in cls.body if isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "queryset" for t in s.targets)
        ]
        return synthetic_function(module, cls, "queryset", body) if body else None

    def permission_evidence(self, module: Module, node: ast.AST, fn: Function | None, site: Site | None = None) -> list[Evidence]:
        out: list[Evidence] = []
        where = site or Site(fn.file, fn.line)  # type: ignore[union-attr]
        for element in node.elts if isinstance(node, (ast.List, ast.Tuple)) else []:
            name = module.resolve(element)
            short = last_part(name)
            found = self.project.class_named(name)
            if short in _AUTH_PERMISSIONS:
                out.append(Evidence("authn", where, f"permission class {short}"))
            if found is not None:
                checker = self.project.method(found[0], found[1], "has_object_permission")
                if checker is not None:
                    out += self.signals.reached(checker)
                has_permission = self.project.method(found[0], found[1], "has_permission")
                if has_permission is not None and "is_authenticated" in has_permission.words():
                    out.append(Evidence("authn", where, f"permission class {short} demands a login"))
        return out

    def router(self, module: Module, router_name: str, prefix: str) -> None:
        for call in _registrations(module, router_name):
            route = const_str(call.args[0]) if call.args else None
            found = self.project.class_named(module.resolve(call.args[1])) if len(call.args) > 1 else None
            if route is None or found is None:
                continue
            self.viewset(found[0], found[1], join_paths(prefix, route))

    def viewset(self, module: Module, cls: ast.ClassDef, path: str) -> None:
        evidence = self.class_evidence(module, cls)
        queryset = self.queryset(module, cls)
        lookup = _class_constant(cls, "lookup_field") or "pk"
        actions: list[str] = [a for a in _STANDARD if self.project.method(module, cls, a) is not None]
        for base in cls.bases:
            actions += [a for a in _BASE_ACTIONS.get(last_part(dotted(base)), ()) if a not in actions]
        for action in sorted(actions, key=list(_STANDARD).index):
            verb, detail = _STANDARD[action]
            handler = self.project.method(module, cls, action) or queryset
            if handler is None:
                continue
            site = Site(handler.file, handler.line) if handler is not queryset else Site(module.source.rel, cls.lineno)
            full = join_paths(path, "{" + lookup + "}" if detail else None)
            self.routes.append(Route("django", [verb], full, handler, site, list(evidence)))
        for fn in module.functions:
            if fn.class_name == cls.name and fn.node in cls.body:
                self.extra_action(fn, path, lookup, evidence)

    def extra_action(self, fn: Function, path: str, lookup: str, evidence: list[Evidence]) -> None:
        for deco in fn.node.decorator_list:
            if isinstance(deco, ast.Call) and last_part(dotted(deco.func)) == "action":
                detail = keyword(deco, "detail")
                is_detail = isinstance(detail, ast.Constant) and detail.value is True
                url = const_str(keyword(deco, "url_path")) or fn.name
                methods = methods_of(keyword(deco, "methods"))
                full = join_paths(path, "{" + lookup + "}" if is_detail else None, url)
                self.routes.append(Route("django", methods, full, fn, Site(fn.file, fn.line), list(evidence)))


def detect_django(project: Project, signals: Signals) -> list[Route]:
    """Every Django and DRF route reachable from a root urlconf."""
    return _Django(project, signals).run()


def _branch_methods(fn: Function, methods: list[str]) -> list[str]:
    """A view that branches on ``request.method == "POST"`` is modelled by the methods it branches on."""
    out: list[str] = []
    for node in fn.nodes:
        if isinstance(node, ast.Compare) and dotted(node.left) in ("request.method", "self.request.method"):
            for comparator in node.comparators:
                values = comparator.elts if isinstance(comparator, (ast.Tuple, ast.List, ast.Set)) else [comparator]
                out += [v.upper() for v in (const_str(e) for e in values) if v and v.lower() in HTTP_VERBS and v.upper() not in out]
    return out or list(methods)


def _urlpatterns(module: Module) -> ast.AST | None:
    for node in module.top_nodes:
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "urlpatterns" for t in targets):
                return node
    return None


def _pattern_calls(module: Module) -> list[ast.Call]:
    out = []
    for node in module.top_nodes:
        if isinstance(node, ast.Call) and last_part(dotted(node.func)) in ("path", "re_path", "url"):
            out.append(node)
    return sorted(out, key=lambda c: (c.lineno, c.col_offset))


def _routers_added_directly(module: Module) -> list[str]:
    """Routers whose urls are added to urlpatterns without include (urlpatterns += router.urls)."""
    out = []
    for node in module.top_nodes:
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            value = node.value
            for sub in ast.walk(value):
                if isinstance(sub, ast.Attribute) and sub.attr == "urls" and not _inside_include(module, sub):
                    name = dotted(sub.value)
                    if name and name not in out:
                        out.append(name)
    return out


def _inside_include(module: Module, node: ast.AST) -> bool:
    for call in module.top_nodes:
        if isinstance(call, ast.Call) and last_part(dotted(call.func)) == "include":
            if any(sub is node for sub in ast.walk(call)):
                return True
    return False


def _registrations(module: Module, router_name: str) -> list[ast.Call]:
    return [
        node for node in module.top_nodes
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "register"
        and dotted(node.func.value) == router_name
    ]


def _class_constant(cls: ast.ClassDef, name: str) -> str | None:
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            return const_str(stmt.value)
    return None


def _is_drf(module: Module, cls: ast.ClassDef) -> bool:
    return any((module.resolve(b) or "").startswith("rest_framework") for b in cls.bases)


def _default_permission_is_authenticated(project: Project) -> Evidence | None:
    """DRF's DEFAULT_PERMISSION_CLASSES in settings, when it demands a login."""
    for module in project.modules:
        for node in module.top_nodes:
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if key is not None and const_str(key) == "DEFAULT_PERMISSION_CLASSES" and "IsAuthenticated" in words_in(value):
                        return Evidence("authn", Site(module.source.rel, key.lineno), "DRF's default permission is IsAuthenticated")
    return None
