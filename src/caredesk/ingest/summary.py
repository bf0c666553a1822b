"""What a conversation's messages say about it: who started it, when it was first answered.

Pure functions; ingest stores the result on the conversation so the inbox and the reports
never have to scan messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from caredesk.models.enums import Direction, StartedBy

# At the same timestamp a customer message sorts before the brand's: an answer cannot come
# before its question.
_ORDER = {Direction.INBOUND.value: 0, Direction.OUTBOUND.value: 1}


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    started_by: StartedBy
    started_at: datetime
    first_customer_message_at: datetime | None
    first_response_at: datetime | None
    last_customer_message_at: datetime | None
    last_message_at: datetime
    customer_message_count: int
    brand_message_count: int

    def as_row(self) -> dict[str, object]:
        return {
            "started_by": self.started_by.value,
            "started_at": self.started_at,
            "first_customer_message_at": self.first_customer_message_at,
            "first_response_at": self.first_response_at,
            "last_customer_message_at": self.last_customer_message_at,
            "last_message_at": self.last_message_at,
            "customer_message_count": self.customer_message_count,
            "brand_message_count": self.brand_message_count,
        }


def summarize(messages: Iterable[tuple[str, datetime]]) -> ConversationSummary:
    """Summarise `(direction, created_at)` pairs; internal notes are ignored.

    The first response is the first brand message at or after the first customer message.
    """
    timeline = sorted(
        (created_at, _ORDER[direction]) for direction, created_at in messages if direction in _ORDER
    )
    if not timeline:
        raise ValueError("a conversation needs at least one customer or brand message")
    customer_times = [at for at, order in timeline if order == 0]
    first_customer = customer_times[0] if customer_times else None
    first_response = None
    if first_customer is not None:
        first_response = next((at for at, order in timeline if order == 1 and at >= first_customer), None)
    return ConversationSummary(
        started_by=StartedBy.CUSTOMER if timeline[0][1] == 0 else StartedBy.BRAND,
        started_at=timeline[0][0],
        first_customer_message_at=first_customer,
        first_response_at=first_response,
        last_customer_message_at=customer_times[-1] if customer_times else None,
        last_message_at=timeline[-1][0],
        customer_message_count=len(customer_times),
        brand_message_count=len(timeline) - len(customer_times),
    )
