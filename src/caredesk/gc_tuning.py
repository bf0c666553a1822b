"""Bulk work that makes many short-lived objects: collect garbage less often meanwhile."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Raise the collector's thresholds while a bulk job runs, then restore them.

    A batch's objects (imported rows, listening hits) live just long enough to be promoted to
    the oldest generation, so with the default thresholds full collections keep rescanning
    them: 15-20 % of the time. Nothing here makes cycles; collection still runs, less often.
    The thresholds are process-wide: other threads collect less often meanwhile too.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
