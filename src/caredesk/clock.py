"""The one place Caredesk reads the time; tests freeze or advance it through here.

Every timer (waiting times, reopen windows, retry schedules, stale claims, sessions) reads
`utcnow()`, so a test can stop the clock (`frozen_at`) and move it (`advance`) and watch
each timer behave without sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Stop the clock at `moment` (timezone-aware) until the block ends."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("freeze the clock at a timezone-aware moment")
    before, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = before


def advance(by: timedelta) -> None:
    """Move a frozen clock forward."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("only a frozen clock can be advanced: use frozen_at first")
    _frozen += by
