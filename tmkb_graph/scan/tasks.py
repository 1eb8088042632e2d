"""Task declarations: Celery (@app.task, @shared_task, bind=True, @celery.task), RQ @job,
Dramatiq @actor, ARQ WorkerSettings.functions, Celery beat schedules."""

from __future__ import annotations

import ast

from tmkb_graph.scan.facts import Function, Module, const_str, keyword, last_part
from tmkb_graph.scan.imports import dotted
from tmkb_graph.scan.model import Task
from tmkb_graph.scan.project import Project

_CELERY_NAMES = frozenset({"celery", "celery_app"})


def detect_tasks(project: Project) -> dict[str, Task]:
    """Every declared task, by its function's qualified name."""
    celery_objects = _celery_objects(project) | _CELERY_NAMES
    tasks: dict[str, Task] = {}
    for fn in project.functions():
        for deco in fn.node.decorator_list:
            task = _decorated_task(fn, deco, celery_objects)
            if task is not None:
                tasks.setdefault(fn.qualname, task)
                break
    for module in project.modules:
        for fn in _arq_functions(project, module):
            tasks.setdefault(fn.qualname, Task(fn.qualname, fn, "arq", skip=1))
    for fn in _beat_scheduled(project):
        if fn.qualname in tasks:
            tasks[fn.qualname].scheduled = True
    return tasks


def _celery_objects(project: Project) -> set[str]:
    """Names bound to a Celery() application anywhere in the project."""
    names: set[str] = set()
    for module in project.modules:
        for node in module.assigns:
            if isinstance(node.value, ast.Call):
                if module.resolve(node.value.func) in ("celery.Celery", "celery.app.Celery"):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _decorated_task(fn: Function, deco: ast.AST, celery_objects: set[str]) -> Task | None:
    call = deco if isinstance(deco, ast.Call) else None
    target = call.func if call is not None else deco
    name = fn.resolve(target) or ""
    short = last_part(name)
    bind = call is not None and isinstance(keyword(call, "bind"), ast.Constant) and keyword(call, "bind").value is True  # type: ignore[union-attr]
    if name in ("celery.shared_task", "celery.task") or (short == "shared_task" and name.startswith("celery")):
        return Task(fn.qualname, fn, "celery", skip=1 if bind else 0)
    if short == "task" and isinstance(target, ast.Attribute):
        owner = last_part(dotted(target.value))
        if owner in celery_objects:
            return Task(fn.qualname, fn, "celery", skip=1 if bind else 0)
    if name in ("dramatiq.actor", "dramatiq.actor.actor"):
        return Task(fn.qualname, fn, "dramatiq")
    if name in ("rq.decorators.job", "rq.job"):
        return Task(fn.qualname, fn, "rq")
    if short == "periodic_task" and name.startswith("celery"):
        return Task(fn.qualname, fn, "celery", scheduled=True)
    return None


def _arq_functions(project: Project, module: Module) -> list[Function]:
    """The functions an ARQ ``WorkerSettings`` class lists, and its ``cron_jobs`` targets."""
    out: list[Function] = []
    for cls in module.classes:
        for stmt in cls.body:
            if not (isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "functions" for t in stmt.targets)):
                continue
            if isinstance(stmt.value, (ast.List, ast.Tuple)):
                for element in stmt.value.elts:
                    ref = element.args[0] if isinstance(element, ast.Call) and element.args else element
                    fn = project.resolve_function(ref, module)
                    if fn is not None:
                        out.append(fn)
    return out


def _beat_scheduled(project: Project) -> list[Function]:
    """Functions a Celery beat schedule names ({"task": "proj.tasks.sweep"}) or add_periodic_task starts."""
    out: list[Function] = []
    for module in project.modules:
        for entry in module.dicts:
            for key, value in zip(entry.keys, entry.values):
                if const_str(key) == "task" and const_str(value):
                    fn = project.function_named(const_str(value), module)
                    if fn is not None:
                        out.append(fn)
        for node in module.calls:
            if isinstance(node.func, ast.Attribute) and node.func.attr == "add_periodic_task":
                for arg in node.args[1:2]:
                    ref = arg.func.value if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) else arg
                    fn = project.resolve_function(ref, module)
                    if fn is not None:
                        out.append(fn)
    return out
