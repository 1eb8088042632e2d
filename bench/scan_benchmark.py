"""Scan time for a generated tree of Python files (default 2,000): walk and parse, detect, infer,
analyse. Prints figures; asserts nothing.

    python bench/scan_benchmark.py [--files 2000] [--repeat 3] [--keep DIR]

The tree is one Flask app factory with a blueprint, models, Celery tasks and helper modules per
package (20 files a package), the way generated backends are laid out; a scan parses the framework
code and what it imports (``--all-files`` parses every file). "total cpu" is the process's CPU
time, which a busy machine changes less than wall time. Run it with `nice` on a shared machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FILES_PER_PACKAGE = 20

VIEWS = '''from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from pkg{i}.models import Item{i}, Note{i}
from pkg{i}.tasks import export_item{i}, reindex_item{i}, notify{i}
from pkg{i}.helpers_0 import clean_{i}_0

bp = Blueprint("pkg{i}", __name__)


@bp.get("/items")
@login_required
def list_items{i}():
    rows = Item{i}.query.filter_by(tenant_id=current_user.tenant_id).all()
    return jsonify([clean_{i}_0(r.id) for r in rows])


@bp.get("/items/<int:item_id>")
@login_required
def get_item{i}(item_id):
    item = Item{i}.query.filter_by(id=item_id, tenant_id=current_user.tenant_id).first_or_404()
    return jsonify({{"id": item.id}})


@bp.post("/items/<int:item_id>/export")
@login_required
def export{i}(item_id):
    item = Item{i}.query.filter_by(id=item_id, tenant_id=current_user.tenant_id).first_or_404()
    export_item{i}.delay(item.id, user_id=current_user.id, tenant_id=current_user.tenant_id)
    return jsonify({{"queued": True}}), 202


@bp.post("/items/<int:item_id>/reindex")
@login_required
def reindex{i}(item_id):
    reindex_item{i}.delay(item_id)
    return jsonify({{"queued": True}}), 202


@bp.delete("/notes/<int:note_id>")
@login_required
def delete_note{i}(note_id):
    note = Note{i}.query.get_or_404(note_id)
    if note.owner_id != current_user.id:
        return "", 404
    notify{i}.delay(note.id, request.get_json())
    return "", 204
'''

TASKS = '''from extensions import celery, db
from pkg{i}.models import Item{i}, Note{i}


@celery.task(bind=True)
def export_item{i}(self, item_id, user_id, tenant_id):
    item = Item{i}.query.filter_by(id=item_id, tenant_id=tenant_id).first()
    if item is None or item.owner_id != user_id:
        return
    item.exported = True
    db.session.commit()


@celery.task
def reindex_item{i}(item_id):
    item = Item{i}.query.get(item_id)
    item.indexed = True
    db.session.commit()


@celery.task
def notify{i}(note_id, payload):
    note = Note{i}.query.get(note_id)
    note.body = payload["body"]
    db.session.commit()
'''

MODELS = '''from extensions import db


class Item{i}(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    tenant_id = db.Column(db.Integer, nullable=False)
    owner_id = db.Column(db.Integer, nullable=False)
    exported = db.Column(db.Boolean, default=False)
    indexed = db.Column(db.Boolean, default=False)


class Note{i}(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    tenant_id = db.Column(db.Integer, nullable=False)
    owner_id = db.Column(db.Integer, nullable=False)
    body = db.Column(db.Text)
'''

HELPERS = '''"""Helpers {i}.{k}: ordinary code a scan must read and pass over."""
import re
from dataclasses import dataclass

_WORD = re.compile(r"[a-z]+")


@dataclass
class Record{k}:
    name: str
    size: int = 0

    def grow(self, n: int) -> "Record{k}":
        return Record{k}(self.name, self.size + n)


def clean_{i}_{k}(value):
    text = str(value).strip().lower()
    words = _WORD.findall(text)
    return "-".join(words) or "empty"


def summarize_{i}_{k}(records):
    total = 0
    for record in records:
        if record.size > 10:
            total += record.size
        elif record.name.startswith("x"):
            total -= 1
    return {{"total": total, "count": len(records), "names": sorted(r.name for r in records)}}


def paginate_{i}_{k}(items, page=1, per_page=20):
    start = (page - 1) * per_page
    return items[start:start + per_page], len(items) > start + per_page
'''


def generate(root: Path, files: int) -> int:
    """Write a tree of about ``files`` Python files; returns how many were written."""
    packages = max(1, files // FILES_PER_PACKAGE)
    (root / "extensions.py").write_text(
        "from celery import Celery\nfrom flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\ncelery = Celery('bench')\n"
    )
    registrations = []
    written = 1
    for i in range(packages):
        pkg = root / f"pkg{i}"
        pkg.mkdir()
        (pkg / "__init__.py").write_text("")
        (pkg / "views.py").write_text(VIEWS.format(i=i))
        (pkg / "tasks.py").write_text(TASKS.format(i=i))
        (pkg / "models.py").write_text(MODELS.format(i=i))
        for k in range(FILES_PER_PACKAGE - 4):
            (pkg / f"helpers_{k}.py").write_text(HELPERS.format(i=i, k=k))
        written += FILES_PER_PACKAGE
        registrations.append(f"    from pkg{i}.views import bp as bp{i}\n    app.register_blueprint(bp{i}, url_prefix='/pkg{i}')\n")
    (root / "app.py").write_text(
        "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n" + "".join(registrations) + "    return app\n"
    )
    return written + 1


def timed_scan(root: Path, imported_only: bool = True) -> dict[str, float]:
    """One scan, timed by stage."""
    from tmkb_graph.analysis import analyze
    from tmkb_graph.architecture import parse_architecture
    from tmkb_graph.library import load_library
    from tmkb_graph.scan.emit import architecture_yaml
    from tmkb_graph.scan.locate import point_at_code
    from tmkb_graph.scan.report import infer_from_sources
    from tmkb_graph.scan.walk import walk_python

    library = load_library()
    cpu = time.process_time()
    marks = [time.perf_counter()]
    walked = walk_python(root, progress=False, imported_only=imported_only)
    marks.append(time.perf_counter())
    inferred = infer_from_sources(walked.files, root)
    marks.append(time.perf_counter())
    loaded = parse_architecture(architecture_yaml(inferred.architecture, str(root)), file="<bench>")
    marks.append(time.perf_counter())
    result = analyze(loaded, library)
    point_at_code(result, inferred.sites, inferred.claims, str(root))
    marks.append(time.perf_counter())
    arch = inferred.architecture
    return {
        "walk+parse": marks[1] - marks[0],
        "detect+infer": marks[2] - marks[1],
        "emit+load": marks[3] - marks[2],
        "analyse+locate": marks[4] - marks[3],
        "total": marks[4] - marks[0],
        "total cpu": time.process_time() - cpu,
        "files": len(walked.files),
        "components": len(arch["components"]),
        "flows": len(arch["flows"]),
        "findings": len(result.findings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="write the tree here and keep it")
    parser.add_argument("--all-files", action="store_true", help="parse every file, not only framework code and its imports")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "tree"
        root.mkdir(parents=True, exist_ok=True)
        written = generate(root, args.files)
        from tmkb_graph.library import load_library

        load_library()  # warm: the library is loaded once per process, as the CLI does
        runs = [timed_scan(root, imported_only=not args.all_files) for _ in range(args.repeat)]
    first = runs[0]
    print(f"tree: {written:,} files written, {first['files']:,} parsed; "
          f"{first['components']:,} components, {first['flows']:,} flows, {first['findings']:,} findings")
    for stage in ("walk+parse", "detect+infer", "emit+load", "analyse+locate", "total", "total cpu"):
        values = [r[stage] for r in runs]
        print(f"{stage:>15}: best {min(values):6.2f} s   median {statistics.median(values):6.2f} s")
    print(f"target: total under 10 s on 2 cores -> {'met' if min(r['total'] for r in runs) < 10 else 'NOT met'} (best run)")


if __name__ == "__main__":
    main()
