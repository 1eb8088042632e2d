"""Route paths and methods as the architecture format writes them, whatever the framework wrote."""

from __future__ import annotations

import ast
import re

from tmkb_graph.scan.facts import const_str

HTTP_VERBS = ("get", "post", "put", "patch", "delete")
_FLASK_PARAM = re.compile(r"<(?:[A-Za-z_][A-Za-z0-9_]*:)?([A-Za-z_][A-Za-z0-9_]*)>")
_REGEX_PARAM = re.compile(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>[^)]*\)")


def normal_path(path: str) -> str:
    """``/files/<int:file_id>`` and ``^files/(?P<pk>\\d+)/$`` as ``/files/{file_id}`` and ``/files/{pk}``."""
    path = _REGEX_PARAM.sub(r"{\1}", path)
    path = _FLASK_PARAM.sub(r"{\1}", path)
    path = path.replace("^", "").replace("$", "")
    path = re.sub(r"\s+", "", path)
    if not path.startswith("/"):
        path = "/" + path
    path = re.sub(r"/{2,}", "/", path)
    return path.rstrip("/") or "/"


def join_paths(*parts: str | None) -> str:
    """Prefixes and a route joined with single slashes."""
    return normal_path("/".join(p.strip("/") for p in parts if p))


def methods_of(node: ast.AST | None, default: tuple[str, ...] = ("GET",)) -> list[str]:
    """The HTTP methods in a ``methods=[...]`` list, upper-case; ``default`` when none are written."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        found = [const_str(e).upper() for e in node.elts if const_str(e)]  # type: ignore[union-attr]
        found = [m for m in found if m.lower() in HTTP_VERBS]
        if found:
            return sorted(set(found), key=found.index)
    return list(default)
