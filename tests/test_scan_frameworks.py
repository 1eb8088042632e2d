"""Framework shapes agents write that need more than a decorator: dependency aliases, signature
decorators, MethodView classes, method_decorator, Celery signatures."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tmkb_graph.scan import scan_directory


def _arch(tmp_path: Path, files: dict[str, str]) -> dict:
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    scanned = scan_directory(tmp_path, progress=False)
    assert scanned.architecture is not None
    return scanned.architecture


def _endpoints(arch: dict, component: str) -> dict[str, list[str]]:
    return {e["route"]: e["controls"] for e in arch["components"][component]["endpoints"]}


def test_fastapi_dependency_alias_is_authentication(tmp_path):
    arch = _arch(tmp_path, {
        "deps.py": """
            from typing import Annotated
            from fastapi import Depends
            def get_current_user(): ...
            CurrentUser = Annotated[dict, Depends(get_current_user)]
        """,
        "main.py": """
            from fastapi import FastAPI
            from deps import CurrentUser
            app = FastAPI()

            @app.get("/me")
            def me(user: CurrentUser):
                return user

            @app.get("/public")
            def public():
                return {}
        """,
    })
    assert _endpoints(arch, "api") == {"GET /me": ["authn"], "GET /public": []}


def test_signature_checked_in_a_project_decorator_counts(tmp_path):
    arch = _arch(tmp_path, {
        "security.py": """
            import functools, hashlib, hmac
            from flask import abort, request
            def require_signature(view):
                @functools.wraps(view)
                def wrapper(*args, **kwargs):
                    digest = hmac.new(b"secret", request.get_data(), hashlib.sha256).hexdigest()
                    if not hmac.compare_digest(digest, request.headers.get("X-Hub-Signature-256", "")):
                        abort(401)
                    return view(*args, **kwargs)
                return wrapper
        """,
        "app.py": """
            from flask import Flask
            from security import require_signature
            app = Flask(__name__)

            @app.post("/webhooks/github")
            @require_signature
            def github_webhook():
                return ""
        """,
    })
    assert arch["components"]["github_webhook"]["controls"] == ["webhook_signature_verification"]


def test_flask_method_view_and_django_method_decorator(tmp_path):
    arch = _arch(tmp_path, {
        "app.py": """
            from flask import Flask
            from flask.views import MethodView
            from flask_login import login_required
            app = Flask(__name__)

            class ItemAPI(MethodView):
                decorators = [login_required]
                def get(self, item_id): ...
                def delete(self, item_id): ...

            app.add_url_rule("/items/<int:item_id>", view_func=ItemAPI.as_view("item"))
        """,
        "urls.py": """
            from django.contrib.auth.decorators import login_required
            from django.urls import path
            from django.utils.decorators import method_decorator
            from django.views import View

            @method_decorator(login_required, name="dispatch")
            class ReportView(View):
                def get(self, request, pk): ...

            urlpatterns = [path("reports/<int:pk>/", ReportView.as_view())]
        """,
    })
    assert _endpoints(arch, "web") == {"GET /items/{item_id}": ["authn"], "DELETE /items/{item_id}": ["authn"]}
    assert _endpoints(arch, "django_app") == {"GET /reports/{pk}": ["authn"]}


def test_celery_signature_is_an_enqueue(tmp_path):
    arch = _arch(tmp_path, {
        "app.py": """
            from celery import chain, shared_task
            from flask import Flask
            from flask_login import current_user
            app = Flask(__name__)

            @shared_task
            def resize(image_id, user_id): ...

            @shared_task
            def publish(result): ...

            @app.post("/images/<int:image_id>/publish")
            def start(image_id):
                chain(resize.s(image_id, current_user.id), publish.s()).apply_async()
                return ""
        """,
    })
    enqueues = {f["to"]: f.get("carries", []) for f in arch["flows"] if f["kind"] == "enqueue"}
    assert enqueues == {"resize_queue": ["user_id", "resource_id"], "publish_queue": []}


def test_nested_blueprints_and_routers_add_their_parents_prefixes(tmp_path):
    arch = _arch(tmp_path, {
        "flask_app.py": """
            from flask import Blueprint, Flask
            app = Flask(__name__)
            api = Blueprint("api", __name__, url_prefix="/api")
            files = Blueprint("files", __name__, url_prefix="/files")

            @files.get("/<int:file_id>")
            def get_file(file_id): ...

            api.register_blueprint(files)
            app.register_blueprint(api, url_prefix="/v1")
        """,
        "fast_app.py": """
            from fastapi import APIRouter, Depends, FastAPI
            def get_current_user(): ...
            app = FastAPI()
            v2 = APIRouter(prefix="/v2", dependencies=[Depends(get_current_user)])
            items = APIRouter()

            @items.get("/{item_id}")
            def read_item(item_id: int): ...

            v2.include_router(items, prefix="/items")
            app.include_router(v2)
        """,
    })
    assert list(_endpoints(arch, "web")) == ["GET /v1/files/{file_id}"]
    assert _endpoints(arch, "api") == {"GET /v2/items/{item_id}": ["authn"]}


def test_drf_viewset_with_only_a_queryset_attribute_gets_its_routes(tmp_path):
    arch = _arch(tmp_path, {
        "models.py": """
            from django.db import models
            class Note(models.Model):
                tenant = models.ForeignKey("Tenant", on_delete=models.CASCADE)
                text = models.TextField()
        """,
        "views.py": """
            from rest_framework import permissions, viewsets
            from models import Note
            class NoteViewSet(viewsets.ReadOnlyModelViewSet):
                queryset = Note.objects.all()
                permission_classes = [permissions.IsAuthenticated]
        """,
        "urls.py": """
            from rest_framework.routers import DefaultRouter
            from views import NoteViewSet
            router = DefaultRouter()
            router.register("notes", NoteViewSet)
            urlpatterns = router.urls
        """,
    })
    endpoints = arch["components"]["django_app"]["endpoints"]
    assert [(e["route"], e["operation"], e["resource"], e["controls"]) for e in endpoints] == [
        ("GET /notes", "list", "Note", ["authn"]),
        ("GET /notes/{pk}", "read", "Note", ["authn"]),
    ]
    assert arch["resources"] == {"Note": {"owner": "tenant", "ids": "sequential"}}


def test_every_enqueue_form_reaches_its_task_with_its_arguments(tmp_path):
    arch = _arch(tmp_path, {
        "jobs.py": """
            import dramatiq
            from celery import shared_task
            from rq.decorators import job

            @shared_task
            def by_name(doc_id, tenant_id): ...

            @job("default")
            def rq_job(doc_id, user_id): ...

            def plain(report_id, payload): ...

            @dramatiq.actor
            def actor(doc_id, org_id): ...
        """,
        "app.py": """
            from celery import current_app
            from flask import Flask, request
            from flask_login import current_user
            from redis import Redis
            from rq import Queue
            from jobs import actor, plain, rq_job
            app = Flask(__name__)
            queue = Queue(connection=Redis())

            @app.post("/go/<int:doc_id>")
            def go(doc_id):
                current_app.send_task("jobs.by_name", args=[doc_id], kwargs={"tenant_id": current_user.tenant_id})
                rq_job.delay(doc_id, current_user.id)
                queue.enqueue_call(func=plain, args=(doc_id,), kwargs={"payload": request.json})
                actor.send_with_options(args=(doc_id,), kwargs={"org_id": current_user.org_id}, delay=10)
                return ""
        """,
    })
    enqueues = {f["to"]: f.get("carries", []) for f in arch["flows"] if f["kind"] == "enqueue"}
    assert enqueues == {
        "by_name_queue": ["tenant_id", "resource_id"],
        "rq_job_queue": ["user_id", "resource_id"],
        "plain_queue": ["resource_id", "payload"],
        "actor_queue": ["tenant_id", "resource_id"],
    }
    technologies = {cid: c.get("technology") for cid, c in arch["components"].items() if c["type"] == "queue"}
    assert technologies == {"by_name_queue": "celery", "rq_job_queue": "rq", "plain_queue": "rq", "actor_queue": "dramatiq"}
