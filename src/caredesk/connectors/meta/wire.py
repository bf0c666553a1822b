"""Meta's times; the field readers are shared (`caredesk.connectors.wire`).

Meta writes ids as strings and times as epoch numbers (seconds in Page feed changes,
milliseconds in messaging events); anything else is refused here rather than deep in ingest.
"""

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
    shown,
    text_at,
)

__all__ = [
    "epoch_at", "object_at", "objects_at", "optional_object", "optional_text", "read_object", "text_at",
]  # fmt: skip

# Epoch values above this are milliseconds (it is 5138 in seconds, 1973 in milliseconds).
_MILLISECONDS_FROM = 100_000_000_000


def epoch_at(holder: dict[str, Any], key: str, where: str) -> datetime:
    """An epoch time in seconds or milliseconds, whichever Meta used for this field."""
    value = holder.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise MalformedEvent(f"{where}.{key}: expected an epoch time, got {shown(value)}")
    seconds = value / 1000 if value >= _MILLISECONDS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedEvent(f"{where}.{key}: epoch time out of range") from None
