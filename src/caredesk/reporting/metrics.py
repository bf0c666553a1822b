"""Care metrics per brand account. Pure: facts about conversations in, figures out.

Definitions (the same in the docs and in `caredesk report`):
- a conversation counts when a customer started it (its earliest message is the customer's);
- it is answered when the brand wrote in it at or after the customer's first message;
- first response time: from the customer's first message to the brand's first answer;
- responses per interaction: the brand's messages in an answered conversation. Fewer is
  better: it means problems get solved rather than passed around.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ConversationFacts:
    brand: str | None  # the brand account's handle; None while unrouted
    started_by_customer: bool
    first_customer_message_at: datetime | None
    first_response_at: datetime | None
    brand_messages: int


@dataclass(frozen=True, slots=True)
class BrandFigures:
    conversations: int
    answered: int
    median_first_response_s: float | None
    mean_responses_per_interaction: float | None


def brand_figures(facts: Iterable[ConversationFacts]) -> dict[str | None, BrandFigures]:
    """Figures per brand handle (None: conversations no brand account has answered yet)."""
    started: dict[str | None, int] = {}
    first_responses: dict[str | None, list[float]] = {}
    responses: dict[str | None, list[int]] = {}
    for fact in facts:
        if not fact.started_by_customer:
            continue
        started[fact.brand] = started.get(fact.brand, 0) + 1
        if fact.first_response_at is None or fact.first_customer_message_at is None:
            continue
        waited = (fact.first_response_at - fact.first_customer_message_at).total_seconds()
        first_responses.setdefault(fact.brand, []).append(waited)
        responses.setdefault(fact.brand, []).append(fact.brand_messages)
    figures = {}
    for brand, count in started.items():
        waits = first_responses.get(brand, [])
        answers = responses.get(brand, [])
        figures[brand] = BrandFigures(
            conversations=count,
            answered=len(waits),
            median_first_response_s=statistics.median(waits) if waits else None,
            mean_responses_per_interaction=statistics.fmean(answers) if answers else None,
        )
    return figures
