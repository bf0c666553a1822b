"""X's counts and time formats; the field readers are shared (`caredesk.connectors.wire`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from caredesk.connectors.base import MalformedEvent
from caredesk.connectors.wire import (
    object_at,
    objects_at,
    optional_object,
    optional_text,
    read_object,
    text_at,
)

__all__ = [
    "count_at", "iso_time_at", "millis_at", "object_at", "objects_at", "optional_object",
    "optional_text", "read_object", "text_at", "v1_time_at",
]  # fmt: skip


def count_at(holder: dict[str, Any], key: str) -> int | None:
    """A follower count; a missing or odd one is unknown rather than an error."""
    value = holder.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def millis_at(holder: dict[str, Any], key: str, where: str) -> datetime:
    """An epoch-milliseconds timestamp, as X sends it in a string."""
    raw = text_at(holder, key, where)
    try:
        return datetime.fromtimestamp(int(raw) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        raise MalformedEvent(f"{where}.{key}: not an epoch-milliseconds time: {raw[:40]!r}") from None


def iso_time_at(holder: dict[str, Any], key: str, where: str) -> datetime:
    """An ISO 8601 time, as API v2 writes it ("2019-06-04T23:12:08.000Z")."""
    raw = text_at(holder, key, where)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise MalformedEvent(f"{where}.{key}: not an ISO 8601 time: {raw[:40]!r}") from None
    if moment.tzinfo is None:
        raise MalformedEvent(f"{where}.{key}: time without a timezone: {raw[:40]!r}")
    return moment.astimezone(UTC)


def v1_time_at(holder: dict[str, Any], key: str, where: str) -> datetime:
    """A time as API v1.1 writes it ("Wed Oct 10 20:19:24 +0000 2018")."""
    raw = text_at(holder, key, where)
    try:
        return datetime.strptime(raw, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except ValueError:
        raise MalformedEvent(f"{where}.{key}: not a v1.1 time: {raw[:40]!r}") from None
