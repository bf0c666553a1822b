"""What a conversation's messages say about it: who started it, when it was first answered.

Pure functions; ingest stores the result on the conversation so the inbox and the reports
never have to scan messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

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
    waiting_since: datetime | None
    customer_message_count: int
    brand_message_count: int

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "started_by",
        "started_at",
        "first_customer_message_at",
        "first_response_at",
        "last_customer_message_at",
        "last_message_at",
        "waiting_since",
        "customer_message_count",
        "brand_message_count",
    )

    def as_tuple(self) -> tuple[object, ...]:
        """The values of `COLUMNS`, in that order."""
        return (
            self.started_by.value,
            self.started_at,
            self.first_customer_message_at,
            self.first_response_at,
            self.last_customer_message_at,
            self.last_message_at,
            self.waiting_since,
            self.customer_message_count,
            self.brand_message_count,
        )

    def as_row(self) -> dict[str, object]:
        return dict(zip(self.COLUMNS, self.as_tuple(), strict=True))


def summarize(messages: Iterable[tuple[str, datetime]]) -> ConversationSummary:
    """Summarise `(direction, created_at)` pairs; internal notes are ignored.

    The first response is the first brand message at or after the first customer message;
    the customer is waiting since their first message after the brand's last one.
    """
    timeline = sorted(
        (created_at, _ORDER[direction]) for direction, created_at in messages if direction in _ORDER
    )
    if not timeline:
        raise ValueError("a conversation needs at least one customer or brand message")
    first_customer = last_customer = first_response = waiting_since = None
    customers = 0
    for created_at, order in timeline:
        if order == 0:
            customers += 1
            last_customer = created_at
            if first_customer is None:
                first_customer = created_at
            if waiting_since is None:
                waiting_since = created_at
        else:
            waiting_since = None
            if first_response is None and first_customer is not None:
                first_response = created_at  # at or after the first customer message: sorted
    return ConversationSummary(
        started_by=StartedBy.CUSTOMER if timeline[0][1] == 0 else StartedBy.BRAND,
        started_at=timeline[0][0],
        first_customer_message_at=first_customer,
        first_response_at=first_response,
        last_customer_message_at=last_customer,
        last_message_at=timeline[-1][0],
        waiting_since=waiting_since,
        customer_message_count=customers,
        brand_message_count=len(timeline) - customers,
    )
