"""Priority 0–100 and the reasons an agent reads for "why is this first?".

Priority adds up points: urgency sets the base, then a complaint, a competitor's unhappy
customer, personal data in public, the author's reach and the time already waited add to it.
Every point comes with a short sentence, and the sentences are listed largest first.
Triage stores the signals; the inbox calls `priority` again as the waiting time grows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from caredesk.triage.urgency import PUBLIC_PII_TYPES

__all__ = ["Priority", "PrioritySignals", "priority"]

URGENCY_POINTS: Final = {"low": 0, "normal": 20, "high": 45, "critical": 65}
COMPLAINT_POINTS = 10
UNHAPPY_POINTS = 5
ACTIONABLE_POINTS = 5
OPPORTUNITY_POINTS = 10
CARD_IN_PUBLIC_POINTS = 10
PII_IN_PUBLIC_POINTS = 5
MAX_REACH_POINTS = 15
REACH_FROM_FOLLOWERS = 1_000
MAX_WAITING_POINTS = 15
WAITING_FOR_MAX_POINTS_MINUTES = 240
WAITING_MENTIONED_FROM_MINUTES = 30

_URGENCY_SENTENCES: Final = {  # in the order of URGENCY_REASONS
    "safety": "safety risk",
    "legal": "legal or regulator threat",
    "press": "threatens to go to the press",
    "churn": "threatens to leave",
}
_PII_NAMES: Final = {
    "card": "card number",
    "email": "e-mail address",
    "phone": "phone number",
    "address": "address",
}


@dataclass(frozen=True, slots=True)
class PrioritySignals:
    """What triage found that priority depends on; all of it is stored with the message."""

    urgency: str
    urgency_reasons: tuple[str, ...]
    complaint: bool
    sentiment: str
    actionable: bool
    competitor: str | None
    opportunity: bool
    public_pii_types: tuple[str, ...]

    @classmethod
    def from_json(cls, fields: Mapping[str, Any]) -> PrioritySignals:
        """The signals from a stored triage result (`Triage.to_json()`), to recompute priority later."""
        public = bool(fields.get("public", True))
        return cls(
            urgency=str(fields["urgency"]),
            urgency_reasons=tuple(fields.get("urgency_reasons", ())),
            complaint=bool(fields.get("complaint")),
            sentiment=str(fields.get("sentiment", "neutral")),
            actionable=bool(fields.get("actionable")),
            competitor=fields.get("competitor"),
            opportunity=bool(fields.get("opportunity")),
            public_pii_types=_public_types(fields.get("pii", ())) if public else (),
        )


def _public_types(pii: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(sorted({str(span["type"]) for span in pii} & PUBLIC_PII_TYPES))


@dataclass(frozen=True, slots=True)
class Priority:
    score: int
    reasons: tuple[str, ...]


def priority(signals: PrioritySignals, followers: int | None, waiting_minutes: float | None) -> Priority:
    """Score 0–100 (higher first) and the reasons, largest contribution first."""
    # Sentences keyed by the urgency reason they explain, so the urgency base is credited to its cause.
    points: dict[str, _Reason] = {
        reason: _Reason(0, sentence)
        for reason, sentence in _URGENCY_SENTENCES.items()
        if reason in signals.urgency_reasons
    }
    angry = "anger" in signals.urgency_reasons
    if signals.complaint:
        points["anger"] = _Reason(COMPLAINT_POINTS, "angry complaint" if angry else "complaint")
    elif signals.sentiment == "negative":
        points["anger"] = _Reason(UNHAPPY_POINTS, "angry" if angry else "unhappy")
    if signals.actionable and not signals.complaint:
        points["actionable"] = _Reason(ACTIONABLE_POINTS, "asks for help")
    if signals.opportunity and signals.competitor:
        points["opportunity"] = _Reason(OPPORTUNITY_POINTS, f"unhappy {signals.competitor} customer")
    for kind in signals.public_pii_types:
        worth = CARD_IN_PUBLIC_POINTS if kind == "card" else PII_IN_PUBLIC_POINTS
        points["pii_public" if "pii_public" not in points else kind] = _Reason(
            worth, f"{_PII_NAMES[kind]} posted in public"
        )
    if followers and followers >= REACH_FROM_FOLLOWERS:
        points["reach"] = _Reason(
            min(MAX_REACH_POINTS, 5 * math.log10(followers / 100)), f"{_count(followers)} followers"
        )
    if waiting_minutes and waiting_minutes > 0:
        mentioned = waiting_minutes >= WAITING_MENTIONED_FROM_MINUTES
        points["waiting"] = _Reason(
            MAX_WAITING_POINTS * min(1.0, waiting_minutes / WAITING_FOR_MAX_POINTS_MINUTES),
            f"waiting {_duration(waiting_minutes)}" if mentioned else "",
        )
    base = URGENCY_POINTS.get(signals.urgency, 0)
    cause = next((reason for reason in signals.urgency_reasons if reason in points), None)
    if cause is None:
        points["urgency"] = _Reason(base, "")
    else:
        points[cause].points += base
    score = round(min(100.0, sum(reason.points for reason in points.values())))
    ranked = sorted(points.values(), key=lambda reason: -reason.points)  # stable: ties keep listed order
    return Priority(score, tuple(reason.sentence for reason in ranked if reason.sentence))


@dataclass(slots=True)
class _Reason:
    points: float
    sentence: str


def _count(followers: int) -> str:
    if followers >= 1_000_000:
        return f"{followers / 1_000_000:.1f}".removesuffix(".0") + "M"
    if followers >= 10_000:
        return f"{round(followers / 1_000)}k"
    return f"{followers / 1_000:.1f}".removesuffix(".0") + "k"


def _duration(minutes: float) -> str:
    if minutes < 60:
        return f"{round(minutes)} min"
    if minutes < 48 * 60:
        return f"{round(minutes / 60)} h"
    return f"{round(minutes / (24 * 60))} days"
