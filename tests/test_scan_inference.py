"""Inference rules on small inline apps: what each control needs as evidence, what an enqueue carries."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tmkb_graph.scan import scan_directory
from tmkb_graph.scan.carries import item_for_name


def _scan(tmp_path: Path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return scan_directory(tmp_path, progress=False)


FLASK_HOOK = """
    import hashlib, hmac
    from flask import Flask, request
    app = Flask(__name__)

    @app.post("/webhooks/payments")
    def payments_webhook():
        sig = request.headers.get("X-Signature")
        {check}
        return "", 204
"""


def _receiver_controls(tmp_path: Path, check: str) -> list[str]:
    scanned = _scan(tmp_path, {"app.py": FLASK_HOOK.replace("{check}", check)})
    return scanned.architecture["components"]["payments_webhook"].get("controls", [])


def test_a_signature_header_that_is_only_present_is_not_verification(tmp_path):
    assert _receiver_controls(tmp_path, "if not sig: return '', 400") == []


def test_an_hmac_compared_with_equals_is_not_verification(tmp_path):
    check = "if hmac.new(b'k', request.data, hashlib.sha256).hexdigest() != sig: return '', 401"
    assert _receiver_controls(tmp_path, check) == []


def test_an_hmac_compared_in_constant_time_is_verification(tmp_path):
    check = "if not hmac.compare_digest(hmac.new(b'k', request.data, hashlib.sha256).hexdigest(), sig or ''): return '', 401"
    assert _receiver_controls(tmp_path, check) == ["webhook_signature_verification"]


TASK_APP = """
    from celery import shared_task
    from flask import Flask
    from flask_login import current_user
    from models import Doc
    app = Flask(__name__)

    @shared_task(bind=True)
    def touch(self, doc_id, user_id, org_id):
        doc = Doc.query.get(doc_id)
        {check}

    @app.post("/docs/<int:doc_id>/touch")
    def touch_route(doc_id):
        touch.apply_async(args=[doc_id], kwargs={"user_id": current_user.id, "org_id": current_user.org_id})
        return "", 202
"""
MODELS = "from db import db\nclass Doc(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    org_id = db.Column(db.Integer)\n    owner_id = db.Column(db.Integer)\n"


def _worker(tmp_path: Path, check: str):
    scanned = _scan(tmp_path, {"app.py": TASK_APP.replace("{check}", check), "models.py": MODELS})
    arch = scanned.architecture
    enqueue = next(f for f in arch["flows"] if f["kind"] == "enqueue")
    return arch["components"]["touch"].get("controls", []), enqueue.get("carries", []), arch["tenancy"]


def test_apply_async_args_and_kwargs_are_mapped_to_context(tmp_path):
    _, carries, tenancy = _worker(tmp_path, "pass")
    assert carries == ["user_id", "tenant_id", "resource_id"] and tenancy == "multi"


def test_reauthorization_in_a_multi_tenant_app_needs_user_and_tenant(tmp_path):
    assert _worker(tmp_path, "if doc.owner_id != user_id: return")[0] == []


def test_reauthorization_with_user_and_tenant_checked_against_the_object(tmp_path):
    controls, _, _ = _worker(tmp_path, "if doc.owner_id != user_id or doc.org_id != org_id: return")
    assert controls == ["job_reauthorization"]


def test_the_users_own_tenant_is_not_the_objects(tmp_path):
    controls, _, _ = _worker(tmp_path, "user = User.get(user_id)\n        if doc.owner_id != user_id or user.org_id != org_id: return")
    assert controls == []


def test_names_map_to_context_items():
    assert [item_for_name(n) for n in ("actor_id", "organization_id", "file_id", "body", "flag")] == [
        "user_id", "tenant_id", "resource_id", "payload", None,
    ]


BEAT_APP = """
    from celery import Celery
    from models import Doc
    app = Celery("jobs")
    app.conf.beat_schedule = {"purge": {"task": "jobs.purge_old", "schedule": 3600}}

    @app.task
    def purge_old():
        for doc in Doc.query.all():
            doc.delete()
"""


def test_a_beat_schedule_starts_a_system_job_that_sweeps_every_tenant(tmp_path):
    scanned = _scan(tmp_path, {"jobs.py": BEAT_APP, "models.py": MODELS})
    arch = scanned.architecture
    assert arch["components"]["scheduler"]["type"] == "scheduler"
    assert {"from": "scheduler", "to": "purge_old_queue", "kind": "enqueue"} in arch["flows"]
    open_findings = {(f.pattern, f.location) for f in scanned.result.findings if f.status == "open"}
    assert ("TMKB-AUTHZ-014", "jobs.py:8 purge_old") in open_findings


def test_names_that_clash_with_inferred_components_are_kept_apart(tmp_path):
    app = """
        from celery import shared_task
        from flask import Flask, request
        from models import Doc
        app = Flask(__name__)

        @shared_task
        def database(doc_id):
            Doc.query.get(doc_id)

        @shared_task
        def web(doc_id):
            Doc.query.get(doc_id)

        @app.post("/hooks/web")
        def web_hook():
            database.delay(request.json["id"])
            return ""

        @app.get("/docs/<int:doc_id>")
        def read(doc_id):
            web.delay(doc_id)
            return ""
    """
    scanned = _scan(tmp_path, {"app.py": app, "models.py": MODELS})
    components = scanned.architecture["components"]
    assert components["database"]["type"] == "database" and components["web"]["type"] == "api"
    assert components["database_2"]["type"] == "worker" and components["web_2"]["type"] == "worker"
    assert components["web_sender"]["type"] == "external_service"
    assert scanned.result is not None


def test_an_enqueue_no_route_or_task_reaches_is_left_out_with_a_note(tmp_path):
    app = """
        from celery import shared_task
        from flask import Flask
        app = Flask(__name__)

        @shared_task
        def rebuild(item_id):
            return item_id

        @app.get("/ping")
        def ping():
            return "ok"

        def cli_main():
            rebuild.delay(1)
    """
    scanned = _scan(tmp_path, {"app.py": app})
    assert [f for f in scanned.architecture["flows"] if f["kind"] == "enqueue"] == []
    assert any("enqueues rebuild from code no route or task reaches" in n for n in scanned.notes)
    assert any(w.startswith("scan: app.py:15: enqueues rebuild") for w in scanned.result.warnings)


def test_deeply_nested_expressions_are_read_without_recursion_errors(tmp_path):
    deep = "+".join(["a"] * 900)  # parses, but is too deep for recursive printing
    app = (
        "from flask import Flask, abort\nfrom flask_login import current_user\napp = Flask(__name__)\n\n"
        f"@app.before_request\ndef hook():\n    x = {deep}\n    abort(401)\n\n"
        f"@app.get('/a/<int:i>')\ndef f(i):\n    q = Doc.query.filter(Doc.tenant_id == {deep})\n    return {deep} == current_user.owner_id\n"
    )
    scanned = _scan(tmp_path, {"app.py": app})
    (endpoint,) = scanned.architecture["components"]["web"]["endpoints"]
    assert endpoint["controls"] == ["authn", "tenant_scoped_queries"]
    assert "a deeply nested expression" in endpoint["description"]


def test_soft_delete_filtering_needs_a_filter_that_keeps_live_rows(tmp_path):
    def controls(condition: str) -> list[str]:
        app = (
            "from flask import Flask\napp = Flask(__name__)\n\n"
            f"@app.get('/docs')\ndef docs():\n    return Doc.objects.filter({condition})\n"
        )
        (tmp_path / "app.py").write_text(app)
        return scan_directory(tmp_path, progress=False).architecture["components"]["web"]["endpoints"][0]["controls"]

    assert controls("deleted_at__isnull=True") == ["soft_delete_filtering"]
    assert controls("is_deleted=False") == ["soft_delete_filtering"]
    assert controls("deleted_at=None") == ["soft_delete_filtering"]
    assert controls("deleted_at__isnull=False") == []
    assert controls("is_deleted=True") == []
    assert controls("Doc.deleted_at == None") == ["soft_delete_filtering"]
    assert controls("Doc.deleted_at != None") == []
    assert controls("Doc.is_deleted != True") == ["soft_delete_filtering"]


def test_a_route_that_merely_mentions_a_signature_is_not_a_webhook(tmp_path):
    app = """
        from fastapi import FastAPI, Header
        app = FastAPI()

        @app.post("/documents/{doc_id}/sign")
        def sign(doc_id: int, signature_image: str, body: dict):
            return {"signature_url": body.get("signature_url"), "signature": signature_image}

        @app.post("/payments/events")
        def payments(x_acme_signature: str = Header(...)):
            return {}
    """
    scanned = _scan(tmp_path, {"app.py": app})
    components = scanned.architecture["components"]
    assert [e["route"] for e in components["api"]["endpoints"]] == ["POST /documents/{doc_id}/sign"]
    assert components["payments"]["type"] == "webhook_receiver"


def test_a_route_that_lists_hooks_is_not_a_webhook(tmp_path):
    app = """
        from flask import Flask
        app = Flask(__name__)

        @app.get("/api/hooks")
        def list_hooks():
            return []

        @app.post("/api/hooks/github")
        def github_hook():
            return ""
    """
    components = _scan(tmp_path, {"app.py": app}).architecture["components"]
    assert [e["route"] for e in components["web"]["endpoints"]] == ["GET /api/hooks"]
    assert components["github_webhook"]["type"] == "webhook_receiver"
