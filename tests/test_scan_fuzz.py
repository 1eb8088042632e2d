"""Whatever strings and names the code holds, a scan ends with an architecture `analyze` accepts."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmkb_graph.library import load_library
from tmkb_graph.scan import scan_directory

LIBRARY = load_library()
IDENT = st.from_regex(r"[A-Za-z_\u00c0-\u024f][A-Za-z0-9_\u00c0-\u024f]{0,300}", fullmatch=True).filter(
    lambda s: s.isidentifier() and s not in {"def", "class", "return", "import", "from", "if", "for", "in", "is", "not", "and", "or", "None",
                        "True", "False", "with", "as", "pass", "else", "elif", "while", "try", "except", "lambda",
                        "yield", "del", "global", "raise", "assert", "break", "continue", "finally", "async",
                        "await", "nonlocal", "match", "case", "type", "_"}
)
TEXT = st.text(max_size=1200)

APP = """
from celery import shared_task
from flask import Blueprint, Flask, request
from flask_login import current_user, login_required
from models import {model}

app = Flask(__name__)
bp = Blueprint("b", __name__, url_prefix={prefix!r})
app.register_blueprint(bp)


@shared_task(bind=True)
def {task}(self, {param}, user_id):
    obj = {model}.query.get({param})
    if obj.owner_id != user_id:
        return


@bp.route({route!r}, methods=[{method!r}])
@login_required
def {handler}():
    sig = request.headers.get({header!r})
    {task}.delay(request.json, user_id=current_user.id)
    return ""
"""
MODELS = "class {model}(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    owner_id = db.Column(db.Integer)\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=IDENT, task=IDENT, param=IDENT, handler=IDENT, prefix=TEXT, route=TEXT, header=TEXT,
    method=st.sampled_from(["GET", "POST", "delete", "BREW", ""]),
)
def test_any_names_and_strings_give_an_architecture_analyze_accepts(model, task, param, handler, prefix, route, header, method):
    if len({model, task, param, handler, "user_id", "self", "obj", "sig"}) < 8:
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = APP.format(model=model, task=task, param=param, handler=handler, prefix=prefix, route=route,
                            header=header, method=method)
        (root / "app.py").write_text(source, encoding="utf-8")
        (root / "models.py").write_text(MODELS.format(model=model), encoding="utf-8")
        scanned = scan_directory(root, LIBRARY, progress=False)  # an InputError here is a scanner bug
        assert scanned.result is not None
