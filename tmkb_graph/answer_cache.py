"""Answers of `list` and `get` kept between processes, so a repeated call needs neither typer nor pydantic.

Only standard-library imports here: the console entry point looks an answer up before it imports
anything else. An answer is the exact text a successful `list` or `get` printed for one request,
stored in the user cache folder under a key made of the shipped pattern files', the vocabulary's
and this package's source files' sizes and modification times: a changed pattern, word or line of
code makes a new key, and the answer is made again from the library. The first call that checks a
library keeps the answers to every plain request of it (`library_answers`), not only its own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tmkb_graph.resources import data_dir
from tmkb_graph.user_cache import cache_dir, stat_key

FORMAT = 2  # 2: requests kept in canonical form (see `canonical`)
_PACKAGE = Path(__file__).resolve().parent
_FORMATS = frozenset({"table", "text", "json"})


def request_of(argv: list[str]) -> tuple[str, ...] | None:
    """The request ``argv`` (without the program name) makes, when it is a plain `list` or `get` call
    whose parse is certain; None for anything else, which the full command line interface handles."""
    if not argv or argv[0] not in ("list", "get"):
        return None
    output_format = "table"
    positional: list[str] = []
    rest = iter(argv[1:])
    for arg in rest:
        if arg in ("--format", "-f"):
            output_format = next(rest, "")
        elif arg.startswith("--format="):
            output_format = arg.removeprefix("--format=")
        elif arg.startswith("-") or not arg:
            return None
        else:
            positional.append(arg)
    if output_format not in _FORMATS:
        return None
    if argv[0] == "list":
        return None if positional else ("list", output_format)
    return ("get", positional[0], output_format) if len(positional) == 1 else None


def library_key() -> str | None:
    """A name for the answers of this library as this code renders them; None when a file is unreadable."""
    try:
        sources = sorted(data_dir("patterns").glob("*/*.y*ml")) + [data_dir("ontology") / "vocabulary.yaml"]
    except OSError:  # FileNotFoundError: a broken installation, which the full command reports
        return None
    return stat_key(f"format {FORMAT}", sources + sorted(_PACKAGE.rglob("*.py")))


def answers_file() -> Path | None:
    """The file that keeps this library's answers; None when caching is off or a file is unreadable."""
    root = cache_dir()
    key = library_key() if root is not None else None
    return None if root is None or key is None else root / f"answers-{key}.json"


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: only a slower answer
    return data if isinstance(data, dict) else {}


def canonical(request: tuple[str, ...]) -> tuple[str, ...]:
    """The request as the command reads it: `text` is table's alias and `get` strips and upper-cases
    the id, so requests that print the same text share one kept answer."""
    output_format = "table" if request[-1] == "text" else request[-1]
    if request[0] == "get":
        return ("get", request[1].strip().upper(), output_format)
    return (request[0], output_format)


def lookup(request: tuple[str, ...], path: Path | None) -> str | None:
    """The text a successful run printed for ``request`` with this library and code, if kept in
    ``path`` (``answers_file()``; None: caching is off)."""
    if path is None:
        return None
    found = _read(path).get(json.dumps(canonical(request)))
    return found if isinstance(found, str) else None


def remember(request: tuple[str, ...], text: str) -> None:
    """Keep ``text`` as the answer to ``request``; silently skipped when the cache folder is not writable."""
    remember_all({request: text}, answers_file())


def remember_all(answers: dict[tuple[str, ...], str], path: Path | None) -> None:
    """Keep each text as the answer to its request in ``path`` (``answers_file()``), in one write;
    skipped when caching is off (None) or the folder is not writable."""
    if path is None:
        return
    kept = _read(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not kept:  # a new library or new code: answers kept for older ones can never be read again
            for stale in path.parent.glob("answers-*.json"):
                stale.unlink(missing_ok=True)
        kept.update((json.dumps(canonical(request)), text) for request, text in answers.items())
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(kept, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
