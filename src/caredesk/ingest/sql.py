"""Small helpers for the batched queries ingest runs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Far below SQLite's (250,000 on 3.40) and PostgreSQL's (65,535) bind-parameter limits.
CHUNK = 5_000


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def clean_text(value: str) -> str:
    """Text as PostgreSQL can store it: NUL characters are dropped (SQLite would keep them)."""
    return value.replace("\x00", "") if "\x00" in value else value


def clip(value: str | None, length: int = 200) -> str | None:
    """A display string cut to its column's length; hostile sources send megabyte names."""
    if value is None:
        return None
    return clean_text(value)[:length]
