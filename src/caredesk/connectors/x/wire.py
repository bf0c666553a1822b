"""Reading X's JSON defensively: every missing or mistyped field names its place.

A delivery is customer-controlled text wrapped in the network's JSON; anything that does not
have the documented shape becomes `MalformedEvent` with the path of the bad field, never a
`KeyError` or `TypeError` deep in the pipeline.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from caredesk.connectors.base import MalformedEvent


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
    """A required string field (ids arrive as strings in X's `*_str` and v2 fields)."""
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


def objects_at(holder: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """A list of objects; an absent key is an empty list (X omits empty arrays)."""
    value = holder.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise MalformedEvent(f"{where}.{key}: expected a list of objects")
    return value


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


def _shown(value: object) -> str:
    return "nothing" if value is None else type(value).__name__
