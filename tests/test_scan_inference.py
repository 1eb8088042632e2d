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
