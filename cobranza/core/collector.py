"""Python's cyclic garbage collector, paused while a bulk job builds millions of small acyclic objects.

The plan and the portfolio import make that many tuples and rows; the
collector's repeated scans of them cost more than the work itself. Pausing it
is safe there (nothing they build is cyclic) and is undone on the way out.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
