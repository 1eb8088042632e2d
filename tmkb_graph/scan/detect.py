"""Every detector run over one project: routes of each framework, tasks, enqueue calls, models."""

from __future__ import annotations

from dataclasses import dataclass

from tmkb_graph.scan.controls import Signals
from tmkb_graph.scan.django import detect_django
from tmkb_graph.scan.enqueue import detect_enqueues
from tmkb_graph.scan.fastapi import detect_fastapi
from tmkb_graph.scan.flask import detect_flask
from tmkb_graph.scan.model import Enqueue, Route, Task
from tmkb_graph.scan.project import Project
from tmkb_graph.scan.resources import ModelClass, detect_models
from tmkb_graph.scan.tasks import detect_tasks


@dataclass
class Detected:
    """What the detectors found."""

    routes: list[Route]
    tasks: dict[str, Task]
    enqueues: list[tuple[Enqueue, Task]]
    models: dict[str, ModelClass]
    signals: Signals


def detect_all(project: Project) -> Detected:
    """Run the detectors in order: tasks before enqueues, since an enqueue names its task."""
    signals = Signals(project)
    routes = detect_flask(project) + detect_fastapi(project, signals) + detect_django(project, signals)
    tasks = detect_tasks(project)
    enqueues = detect_enqueues(project, tasks)
    return Detected(routes, tasks, enqueues, detect_models(project.modules), signals)
