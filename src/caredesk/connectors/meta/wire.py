"""Reading Meta's webhook JSON defensively: a bad field is a `MalformedEvent` naming its path.

Meta writes ids as strings and times as epoch numbers (seconds in Page feed changes,
milliseconds in messaging events); anything else is refused here rather than deep in ingest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from caredesk.connectors.base import MalformedEvent

# Epoch values above this are milliseconds (it is 5138 in seconds, 1973 in milliseconds).
_MILLISECONDS_FROM = 100_000_000_000


def read_object(body: bytes, what: str) -> dict[str, Any]:
    """The JSON object in `body`; orjson refuses nesting deeper than 1024 levels."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise MalformedEvent(f"{what} is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise MalformedEvent(f"{what} must be a JSON object, not {type(document).__name__}")
    return document


def text_at(holder: dict[str, Any], key: str, where: str) -> str:
    value = holder.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"{where}.{key}: expected a non-empty string, got {_shown(value)}")
    return value


def optional_text(holder: dict[str, Any], key: str, where: str) -> str | None:
    value = holder.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedEvent(f"{where}.{key}: expected a string, got {_shown(value)}")
    return value


def object_at(holder: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = holder.get(key)
    if not isinstance(value, dict):
        raise MalformedEvent(f"{where}.{key}: expected an object, got {_shown(value)}")
    return value


def optional_object(holder: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """An object Meta may leave out; absent is empty."""
    value = holder.get(key, {})
    if not isinstance(value, dict):
        raise MalformedEvent(f"{where}.{key}: expected an object, got {_shown(value)}")
    return value


def objects_at(holder: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """A list of objects; an absent key is an empty list."""
    value = holder.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise MalformedEvent(f"{where}.{key}: expected a list of objects")
    return value


def epoch_at(holder: dict[str, Any], key: str, where: str) -> datetime:
    """An epoch time in seconds or milliseconds, whichever Meta used for this field."""
    value = holder.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise MalformedEvent(f"{where}.{key}: expected an epoch time, got {_shown(value)}")
    seconds = value / 1000 if value >= _MILLISECONDS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedEvent(f"{where}.{key}: epoch time out of range") from None


def _shown(value: object) -> str:
    return "nothing" if value is None else type(value).__name__
