"""What triage says about one message, as stored with it and printed by `caredesk triage`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caredesk.triage.pii import PiiSpan
from caredesk.triage.priority import PrioritySignals
from caredesk.triage.urgency import PUBLIC_PII_TYPES

__all__ = ["Triage"]


@dataclass(frozen=True, slots=True)
class Triage:
    """Every triage field of one message; docs/triage.md says what each one means."""

    language: str | None
    sentiment: str
    sentiment_score: float
    complaint: bool
    complaint_score: float
    actionable: bool
    intent: str
    intent_score: float
    pii: tuple[PiiSpan, ...]
    urgency: str
    urgency_reasons: tuple[str, ...]
    competitor: str | None
    opportunity: bool
    priority: int
    priority_reasons: tuple[str, ...]
    public: bool
    truncated: bool

    def signals(self) -> PrioritySignals:
        """What priority is computed from, to recompute it as the message waits."""
        return PrioritySignals(
            urgency=self.urgency,
            urgency_reasons=self.urgency_reasons,
            complaint=self.complaint,
            sentiment=self.sentiment,
            actionable=self.actionable,
            competitor=self.competitor,
            opportunity=self.opportunity,
            public_pii_types=tuple(sorted({s.type for s in self.pii} & PUBLIC_PII_TYPES))
            if self.public
            else (),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "sentiment": self.sentiment,
            "sentiment_score": round(self.sentiment_score, 3),
            "complaint": self.complaint,
            "complaint_score": round(self.complaint_score, 3),
            "actionable": self.actionable,
            "intent": self.intent,
            "intent_score": round(self.intent_score, 3),
            "pii": [span.to_json() for span in self.pii],
            "urgency": self.urgency,
            "urgency_reasons": list(self.urgency_reasons),
            "competitor": self.competitor,
            "opportunity": self.opportunity,
            "priority": self.priority,
            "priority_reasons": list(self.priority_reasons),
            "public": self.public,
            "truncated": self.truncated,
        }
