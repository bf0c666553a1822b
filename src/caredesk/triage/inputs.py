"""What triage is given about a message, and how a JSON line becomes that."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["BadTriageInput", "TriageInput", "input_from_json"]


class BadTriageInput(ValueError):
    """A JSON object that is not a message triage can read; the text says what is wrong."""


@dataclass(frozen=True, slots=True)
class TriageInput:
    """One inbound message and what is known of its author and workspace.

    `public` is False for direct messages: personal data in them is expected, not exposed.
    `competitors` are the workspace's competitor names or handles; `brand` is the brand's own.
    """

    text: str
    network: str | None = None
    followers: int | None = None
    brand: str | None = None
    competitors: tuple[str, ...] = ()
    waiting_minutes: float | None = None
    public: bool = True


def input_from_json(fields: Any) -> TriageInput:
    """A `TriageInput` from a decoded JSON object; `BadTriageInput` names the first field that is wrong."""
    if not isinstance(fields, Mapping):
        raise BadTriageInput(f"expected a JSON object, got {_kind(fields)}")
    text = fields.get("text")
    if not isinstance(text, str):
        raise BadTriageInput(
            'missing "text"' if text is None else f'"text" must be a string, got {_kind(text)}'
        )
    competitors = fields.get("competitors", [])
    if not isinstance(competitors, list) or not all(isinstance(name, str) for name in competitors):
        raise BadTriageInput('"competitors" must be a list of strings')
    return TriageInput(
        text=text,
        network=_optional_string(fields, "network"),
        followers=_followers(fields.get("followers")),
        brand=_optional_string(fields, "brand"),
        competitors=tuple(competitors),
        waiting_minutes=_waiting(fields.get("waiting_minutes")),
        public=_public(fields),
    )


def _optional_string(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None or isinstance(value, str):
        return value
    raise BadTriageInput(f'"{name}" must be a string, got {_kind(value)}')


def _followers(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadTriageInput(f'"followers" must be a whole number ≥ 0, got {value!r:.40}')
    return value


def _waiting(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise BadTriageInput(f'"waiting_minutes" must be a number ≥ 0, got {value!r:.40}')
    return float(value)


def _public(fields: Mapping[str, Any]) -> bool:
    visibility = fields.get("visibility", "public")
    if visibility not in ("public", "private"):
        raise BadTriageInput(f'"visibility" must be "public" or "private", got {visibility!r:.40}')
    return bool(visibility == "public")


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )
