"""Finding the Python files under a directory, and saying why any other file was skipped."""

from __future__ import annotations

import ast
import os
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from tmkb_graph.scan.imports import absolute_module

MAX_FILE_BYTES = 1_000_000
MAX_FILES = 20_000
MAX_FILES_PER_DIR = 5_000  # one folder holding more is generated or vendored, not an app's code
_QUIET_SKIPS = frozenset({".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis"})
_DEPENDENCY_DIRS = frozenset({"node_modules", ".venv", "venv", ".tox", ".nox", "site-packages", "dist-packages", ".eggs"})


@dataclass(frozen=True)
class SourceFile:
    """One parsed Python file: its path relative to the scanned directory, its module name, its tree."""

    rel: str
    module: str
    tree: ast.Module
    is_package: bool = False


@dataclass
class WalkResult:
    """The parsed files, and a note for every file or directory that was skipped."""

    files: list[SourceFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def module_name(rel: str) -> str:
    """The dotted module name of a file path relative to the scan root: app/files.py -> app.files."""
    parts = rel[:-3].split("/") if rel.endswith(".py") else rel.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "__init__"


# A file that can declare part of the architecture mentions one of these; the rest are read only
# when such a file imports them (directly or through other imports).
_SEED = re.compile(
    rb"flask|fastapi|django|rest_framework|celery|dramatiq|\barq\b|\brq\b|BackgroundTasks|sqlalchemy|sqlmodel|"
    rb"urlpatterns|__tablename__|\.Model\b|webhook|hmac|stripe|svix|set_config|tenant_context|schema_context",
    re.IGNORECASE,
)


def walk_python(
    root: Path, max_files: int = MAX_FILES, progress: bool | None = None, imported_only: bool = False
) -> WalkResult:
    """Parse the Python files under ``root``; skip (with a note) what cannot or should not be read.

    With ``imported_only``, only files that mention a web framework, queue, ORM or webhook, and the
    files they import (transitively), are parsed: code nothing imports cannot be part of a route,
    task or check. A note says how many were left unparsed.
    """
    result = WalkResult()
    show = sys.stderr.isatty() if progress is None else progress
    candidates = _candidates(root, root.resolve(), result.notes)
    if len(candidates) > max_files:
        result.notes.append(
            f"{len(candidates):,} Python files under {root}; scanned the first {max_files:,} in path order"
        )
        candidates = candidates[:max_files]
    sources = {rel: data for rel, path in candidates if (data := _read(rel, path, result.notes)) is not None}
    order = [rel for rel, _ in candidates if rel in sources]
    if imported_only:
        order = _seeds_and_imports(sources, result.notes, show)
    for done, rel in enumerate(order, 1):
        parsed = _parse(rel, sources[rel], result.notes)
        if parsed is not None:
            result.files.append(parsed)
        if show and (done % 200 == 0 or done == len(order)):
            print(f"\rscanning: {done:,}/{len(order):,} files", end="", file=sys.stderr, flush=True)
    if show and order:
        print(file=sys.stderr)
    result.files.sort(key=lambda f: f.rel)
    return result


def _seeds_and_imports(sources: dict[str, bytes], notes: list[str], show: bool) -> list[str]:
    """The files that mention a framework, queue, ORM or webhook, then everything they import."""
    by_module = {module_name(rel): rel for rel in sources}
    chosen = [rel for rel in sorted(sources) if _SEED.search(sources[rel])]
    seen = set(chosen)
    index = 0
    while index < len(chosen):
        rel = chosen[index]
        index += 1
        for name in _imported_modules(rel, sources[rel]):
            found = by_module.get(name)
            if found is not None and found not in seen:
                seen.add(found)
                chosen.append(found)
    left = sum(1 for rel in sources if rel not in seen and sources[rel].strip())  # empty files hold nothing
    if left:
        files = "file" if left == 1 else "files"
        notes.append(f"{left:,} Python {files} that no web, queue, ORM or webhook code imports left unparsed")
    return sorted(chosen)


def _imported_modules(rel: str, data: bytes) -> set[str]:
    """Module names a file imports (and their packages), read from its import statements."""
    module, package = module_name(rel), rel.endswith("__init__.py")
    out: set[str] = set()
    for match in _IMPORT.finditer(data.decode("utf-8", "replace")):
        if match.group("plain"):
            names = [n.split()[0] for n in match.group("plain").split(",") if n.strip()]
        else:
            base = absolute_module(match.group("base").lstrip("."), len(match.group("base")) - len(match.group("base").lstrip(".")), module, package)
            names = [base] + [f"{base}.{n.split()[0]}" if base else n.split()[0]
                              for n in match.group("names").strip("()").replace("\\", " ").split(",") if n.strip() and n.strip() != "*"]
        for name in names:
            parts = name.split(".")
            out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


_IMPORT = re.compile(
    r"^[ \t]*(?:import[ \t]+(?P<plain>[\w., \t]+)|from[ \t]+(?P<base>\.*[\w.]*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[\w., \t*\\]+))",
    re.MULTILINE,
)


def _candidates(root: Path, root_real: Path, notes: list[str]) -> list[tuple[str, Path]]:
    """(relative path, path) of every *.py file, sorted, with symlinks out of root left out."""
    found: list[tuple[str, Path]] = []
    other = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        if len(filenames) > MAX_FILES_PER_DIR:
            notes.append(f"{_rel(here, root) or '.'}: {len(filenames):,} files in one folder (over {MAX_FILES_PER_DIR:,}); "
                         "looks generated or vendored; skipped with everything below it")
            dirnames[:] = []
            continue
        kept = []
        for name in sorted(dirnames):
            if name in _QUIET_SKIPS:
                continue
            if name in _DEPENDENCY_DIRS:
                notes.append(f"{_rel(here / name, root)}: a dependency or virtualenv folder; skipped")
                continue
            if (here / name).is_symlink():
                notes.append(f"{_rel(here / name, root)}: a symbolic link to a directory; not followed")
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.endswith(".py"):
                other += 1
                continue
            path = here / name
            rel = _rel(path, root)
            if path.is_symlink() and not _inside(path, root_real):
                notes.append(f"{rel}: a symbolic link out of the scanned directory; skipped")
                continue
            found.append((rel, path))
    if other:
        notes.append(f"{other:,} {'file that is' if other == 1 else 'files that are'} not Python (no .py name) left out")
    found.sort()
    return found


def _rel(path: Path, root: Path) -> str:
    rel = path.relative_to(root).as_posix()
    return "" if rel == "." else rel


def _inside(path: Path, root_real: Path) -> bool:
    try:
        path.resolve().relative_to(root_real)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _read(rel: str, path: Path, notes: list[str]) -> bytes | None:
    try:
        if not path.is_file():
            notes.append(f"{rel}: not a regular file; skipped")
            return None
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            notes.append(f"{rel}: {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; skipped")
            return None
        data = path.read_bytes()
    except OSError as error:
        notes.append(f"{rel}: cannot be read ({error.strerror or error}); skipped")
        return None
    if b"\x00" in data:
        notes.append(f"{rel}: binary content, not Python source; skipped")
        return None
    return data


def _parse(rel: str, data: bytes, notes: list[str]) -> SourceFile | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are the author's business
            tree = ast.parse(data, filename=rel)
    except SyntaxError as error:
        where = f" line {error.lineno}" if error.lineno else ""
        notes.append(f"{rel}:{where}: does not parse as Python ({error.msg}); skipped")
        return None
    except (ValueError, RecursionError, MemoryError) as error:
        notes.append(f"{rel}: cannot be parsed ({type(error).__name__}); skipped")
        return None
    return SourceFile(rel=rel, module=module_name(rel), tree=tree, is_package=rel.endswith("__init__.py"))
