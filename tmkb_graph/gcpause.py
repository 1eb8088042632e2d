"""Pause Python's cyclic garbage collector during allocation-heavy phases.

Loading a 10,000-component architecture or building its findings allocates hundreds of thousands of
small acyclic objects; each allocation burst triggers collections that rescan everything alive, so
time grows faster than the input. Reference counting still frees everything; cycles, if any, are
collected when the pause ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block, restoring the caller's setting after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
