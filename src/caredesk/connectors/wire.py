"""Reading a network's JSON defensively: every missing or mistyped field names its place.

A delivery is customer-controlled text wrapped in the network's JSON; anything that does not
have the documented shape becomes `MalformedEvent` with the path of the bad field, never a
`KeyError` or `TypeError` deep in the pipeline. Each network adds its own time formats.
"""

from __future__ import annotations

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
    value = holder.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"{where}.{key}: expected a non-empty string, got {shown(value)}")
    return value


def optional_text(holder: dict[str, Any], key: str, where: str) -> str | None:
    value = holder.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedEvent(f"{where}.{key}: expected a string, got {shown(value)}")
    return value


def object_at(holder: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = holder.get(key)
    if not isinstance(value, dict):
        raise MalformedEvent(f"{where}.{key}: expected an object, got {shown(value)}")
    return value


def objects_at(holder: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """A list of objects; an absent key is an empty list (networks omit empty arrays)."""
    value = holder.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise MalformedEvent(f"{where}.{key}: expected a list of objects")
    return value


def optional_object(holder: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """An object Meta may leave out; absent is empty."""
    value = holder.get(key, {})
    if not isinstance(value, dict):
        raise MalformedEvent(f"{where}.{key}: expected an object, got {shown(value)}")
    return value


def shown(value: object) -> str:
    """How a wrong value is named in an error: its type, never its (customer-written) text."""
    return "nothing" if value is None else type(value).__name__
