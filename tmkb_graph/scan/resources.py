"""ORM models (SQLAlchemy, Flask-SQLAlchemy, Django, SQLModel) as resources: owner, id scheme, soft delete."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tmkb_graph.scan.facts import Function, Module, last_part, words_in
from tmkb_graph.scan.model import Site
from tmkb_graph.scan.names import OWNER_FIELDS, SOFT_DELETE_FIELDS, TENANT_FIELDS

_MODEL_BASES = frozenset({"Model", "Base", "DeclarativeBase", "SQLModel", "Document", "AbstractBaseUser"})


@dataclass(frozen=True)
class ModelClass:
    """A persisted class and the facts about it that authorization depends on."""

    name: str
    site: Site
    fields: frozenset[str]
    random_ids: bool

    @property
    def owner(self) -> str | None:
        """tenant, user, or None when no owning field is declared."""
        if self.fields & TENANT_FIELDS:
            return "tenant"
        if self.fields & OWNER_FIELDS:
            return "user"
        return None

    @property
    def soft_delete(self) -> bool:
        """True when the model has a deletion marker field."""
        return bool(self.fields & SOFT_DELETE_FIELDS)


def detect_models(modules: list[Module]) -> dict[str, ModelClass]:
    """Model classes by class name (the first definition of a name wins)."""
    out: dict[str, ModelClass] = {}
    for module in modules:
        for cls in module.classes:
            if len(cls.name) > 120 or not _is_model(module, cls):
                continue
            fields, random_ids = _fields(cls)
            out.setdefault(cls.name, ModelClass(cls.name, Site(module.source.rel, cls.lineno), frozenset(fields), random_ids))
    return out


def _is_model(module: Module, cls: ast.ClassDef) -> bool:
    if any(last_part(module.resolve(base)) in _MODEL_BASES for base in cls.bases):
        if any(isinstance(k, ast.keyword) and k.arg == "table" for k in cls.keywords) or not _is_sqlmodel(module, cls):
            return True
    return any(isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in s.targets) for s in cls.body)


def _is_sqlmodel(module: Module, cls: ast.ClassDef) -> bool:
    return any(module.resolve(base) == "sqlmodel.SQLModel" for base in cls.bases)


def _fields(cls: ast.ClassDef) -> tuple[set[str], bool]:
    fields: set[str] = set()
    random_ids = False
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
            names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            value: ast.AST | None = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names, value = [stmt.target.id], stmt.value or stmt.annotation
        else:
            continue
        if not isinstance(value, ast.Call) and not isinstance(stmt, ast.AnnAssign):
            continue
        fields.update(n for n in names if not n.startswith("__"))
        words = words_in(value) if value is not None else set()
        if "primary_key" in words and any("uuid" in w.lower() for w in words):
            random_ids = True
    return fields, random_ids


def model_used(fn_chain: list[Function], models: dict[str, ModelClass]) -> ModelClass | None:
    """The model a handler (or a function it calls) queries: the first one passed to a call
    (``db.get(Document, id)``, ``select(Document)``) or whose manager it uses (``Document.query``,
    ``Document.objects``). Type annotations do not count."""
    for fn in fn_chain:
        found: list[tuple[int, int, str]] = []
        for node in fn.nodes:
            if isinstance(node, ast.Call):
                found += [(a.lineno, a.col_offset, a.id) for a in node.args if isinstance(a, ast.Name) and a.id in models]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in models:
                if isinstance(node.ctx, ast.Load) and node.attr in ("query", "objects", "select", "get", "filter", "find"):
                    found.append((node.lineno, node.col_offset, node.value.id))
        if found:
            return models[min(found)[2]]
    return None


def writes(fn_chain: list[Function]) -> bool:
    """The code adds, saves, updates or deletes rows."""
    for fn in fn_chain:
        for node in fn.nodes:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("add", "commit", "save", "delete", "update", "create", "bulk_create", "execute", "merge"):
                    return True
    return False
