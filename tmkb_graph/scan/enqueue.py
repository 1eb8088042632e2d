"""Enqueue calls (.delay, .apply_async, .send, enqueue, enqueue_job, add_task, send_task) and the
tasks they start."""

from __future__ import annotations

import ast

from tmkb_graph.scan.facts import Function, const_str, keyword
from tmkb_graph.scan.model import Enqueue, Site, Task
from tmkb_graph.scan.project import Project

def detect_enqueues(project: Project, tasks: dict[str, Task]) -> list[tuple[Enqueue, Task]]:
    """Every enqueue call whose task is found, with that task (RQ, ARQ and BackgroundTasks targets become tasks)."""
    out: list[tuple[Enqueue, Task]] = []
    for fn in project.functions():
        for call in fn.calls():
            found = _enqueue(fn, call)
            if found is None:
                continue
            task = _target_task(project, tasks, found)
            if task is not None:
                out.append((found, task))
    return out


def _enqueue(fn: Function, call: ast.Call) -> Enqueue | None:
    if not isinstance(call.func, ast.Attribute):
        return None
    method = call.func.attr
    site = Site(fn.file, call.lineno)
    receiver = call.func.value
    if method in ("delay", "send", "s", "si"):  # .s()/.si() build a Celery signature: a message with its arguments
        return Enqueue(site, fn, receiver, None, _plain_args(call.args, call.keywords))
    if method in ("apply_async", "send_with_options"):
        return Enqueue(site, fn, receiver, None, _packed_args(call, 0))
    if method in ("enqueue", "enqueue_in", "enqueue_at", "add_task", "enqueue_job"):
        skip = 1 if method in ("enqueue_in", "enqueue_at") else 0
        if len(call.args) <= skip:
            return None
        technology = {"add_task": "background_tasks", "enqueue_job": "arq"}.get(method, "rq")
        keywords = [kw for kw in call.keywords if kw.arg not in ("job_id", "job_timeout", "result_ttl", "_job_id", "_defer_by", "_queue_name")]
        return Enqueue(site, fn, call.args[skip], technology, _plain_args(call.args[skip + 1 :], keywords))
    if method in ("enqueue_call", "send_task"):
        target = keyword(call, "func") or (call.args[0] if call.args else None)
        if target is None:
            return None
        return Enqueue(site, fn, target, "rq" if method == "enqueue_call" else None, _packed_args(call, 1 if call.args else 0))
    return None


def _plain_args(args: list[ast.expr], keywords: list[ast.keyword]) -> list[tuple[str | None, ast.expr]]:
    out: list[tuple[str | None, ast.expr]] = [(None, a) for a in args if not isinstance(a, ast.Starred)]
    out += [(kw.arg, kw.value) for kw in keywords if kw.arg is not None]
    return out


def _packed_args(call: ast.Call, first: int) -> list[tuple[str | None, ast.expr]]:
    """Arguments given as args=(...) and kwargs={...} (or positionally after ``first``)."""
    args = keyword(call, "args") or (call.args[first] if len(call.args) > first else None)
    kwargs = keyword(call, "kwargs") or (call.args[first + 1] if len(call.args) > first + 1 else None)
    out: list[tuple[str | None, ast.expr]] = []
    if isinstance(args, (ast.List, ast.Tuple)):
        out += [(None, e) for e in args.elts if not isinstance(e, ast.Starred)]
    if isinstance(kwargs, ast.Dict):
        out += [(const_str(k), v) for k, v in zip(kwargs.keys, kwargs.values) if const_str(k)]
    return out


def _target_task(project: Project, tasks: dict[str, Task], found: Enqueue) -> Task | None:
    """The task an enqueue starts: a function reference, or a task name given as a string."""
    module = found.caller.module
    name = const_str(found.target)
    fn = project.function_named(name, module) if name is not None else project.resolve_function(found.target, module)
    if fn is None:
        return None
    task = tasks.get(fn.qualname)
    if task is not None:
        return task
    if found.technology is None:  # .delay/.send/.apply_async on a function no task decorator marked
        return None
    task = Task(fn.qualname, fn, found.technology, skip=1 if found.technology == "arq" else 0)
    tasks[fn.qualname] = task
    return task
