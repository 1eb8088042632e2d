"""Walking a tree: what cannot or should not be read is skipped with a note, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tmkb_graph.scan.walk import MAX_FILE_BYTES, module_name, walk_python

GOOD = "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/ping')\ndef ping():\n    return 'ok'\n"


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    (root / "good.py").write_text(GOOD)
    return root


def test_syntax_error_is_skipped_with_its_line(tmp_path):
    root = _tree(tmp_path)
    (root / "broken.py").write_text("def f(:\n    pass\n")
    walked = walk_python(root, progress=False)
    assert [f.rel for f in walked.files] == ["good.py"]
    assert any(n.startswith("broken.py: line 1: does not parse") for n in walked.notes)


def test_binary_and_non_python_files_are_skipped(tmp_path):
    root = _tree(tmp_path)
    (root / "blob.py").write_bytes(b"\x00\x01\x02PK")
    (root / "notes.txt").write_text("def x(): pass")
    walked = walk_python(root, progress=False)
    assert [f.rel for f in walked.files] == ["good.py"]
    assert walked.notes == ["1 file that is not Python (no .py name) left out", "blob.py: binary content, not Python source; skipped"]


def test_huge_file_is_skipped(tmp_path):
    root = _tree(tmp_path)
    (root / "huge.py").write_text("x = 1\n" * (MAX_FILE_BYTES // 6 + 10))
    walked = walk_python(root, progress=False)
    assert [f.rel for f in walked.files] == ["good.py"]
    assert "over the 1,000,000-byte limit" in walked.notes[0]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlinks_out_of_the_directory_are_not_followed(tmp_path):
    root = _tree(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(GOOD)
    (root / "escape.py").symlink_to(outside / "secret.py")
    (root / "escape_dir").symlink_to(outside, target_is_directory=True)
    (root / "inside.py").symlink_to(root / "good.py")
    walked = walk_python(root, progress=False)
    assert sorted(f.rel for f in walked.files) == ["good.py", "inside.py"]
    assert sorted(walked.notes) == [
        "escape.py: a symbolic link out of the scanned directory; skipped",
        "escape_dir: a symbolic link to a directory; not followed",
    ]


def test_file_count_is_capped_with_a_note(tmp_path):
    root = _tree(tmp_path)
    for i in range(5):
        (root / f"m{i}.py").write_text("x = 1\n")
    walked = walk_python(root, max_files=3, progress=False)
    assert len(walked.files) == 3
    assert walked.notes == [f"6 Python files under {root}; scanned the first 3 in path order"]


def test_progress_goes_to_stderr_only_when_asked(tmp_path, capsys):
    root = _tree(tmp_path)
    walk_python(root, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "scanning: 1/1 files" in captured.err
    walk_python(root, progress=False)
    assert capsys.readouterr().err == ""


def test_module_names_follow_packages():
    assert module_name("app/files.py") == "app.files"
    assert module_name("app/__init__.py") == "app"
    assert module_name("manage.py") == "manage"


def test_dependency_folders_are_skipped_with_a_note(tmp_path):
    root = _tree(tmp_path)
    for folder in (".venv/lib", "node_modules/pkg", ".git"):
        (root / folder).mkdir(parents=True)
        (root / folder / "mod.py").write_text(GOOD)
    walked = walk_python(root, progress=False)
    assert [f.rel for f in walked.files] == ["good.py"]
    assert sorted(walked.notes) == [
        ".venv: a dependency or virtualenv folder; skipped",
        "node_modules: a dependency or virtualenv folder; skipped",
    ]


def test_a_folder_with_thousands_of_files_is_skipped_with_a_note(tmp_path, monkeypatch):
    from tmkb_graph.scan import walk

    monkeypatch.setattr(walk, "MAX_FILES_PER_DIR", 10)
    root = _tree(tmp_path)
    generated = root / "generated"
    generated.mkdir()
    for i in range(11):
        (generated / f"g{i}.py").write_text("x = 1\n")
    walked = walk_python(root, progress=False)
    assert [f.rel for f in walked.files] == ["good.py"]
    assert walked.notes == ["generated: 11 files in one folder (over 10); looks generated or vendored; skipped with everything below it"]


def test_only_framework_code_and_what_it_imports_is_parsed_when_asked(tmp_path):
    root = _tree(tmp_path)
    pkg = root / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (root / "good.py").write_text(GOOD + "from pkg.rules import (\n    check,\n)\nfrom . import sibling\n")
    (pkg / "rules.py").write_text("from .deeper import helper\ndef check(x):\n    return helper(x)\n")
    (pkg / "deeper.py").write_text("def helper(x):\n    return x\n")
    (root / "sibling.py").write_text("X = 1\n")
    (root / "unused.py").write_text("def lonely():\n    return 0\n")
    walked = walk_python(root, progress=False, imported_only=True)
    assert [f.rel for f in walked.files] == ["good.py", "pkg/__init__.py", "pkg/deeper.py", "pkg/rules.py", "sibling.py"]
    assert walked.notes == ["1 Python file that no web, queue, ORM or webhook code imports left unparsed"]
