"""Where the shipped data (ontology, patterns, queries) lives, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the directory of shipped data called ``name`` (ontology, patterns, queries).

    An installed wheel carries them inside the package; a source checkout keeps them beside it.
    """
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"tmkb-graph's {name}/ directory is missing from the installation")
