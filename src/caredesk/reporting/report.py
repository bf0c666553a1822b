"""`caredesk report`: the metrics of one workspace, as JSON or as a table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, select

from caredesk.models.enums import StartedBy
from caredesk.models.tables import brand_accounts, conversations
from caredesk.reporting.metrics import BrandFigures, ConversationFacts, brand_figures

UNROUTED = "(no brand yet)"


def conversation_facts(engine: Engine, workspace_id: int) -> Iterator[ConversationFacts]:
    query = (
        select(
            brand_accounts.c.handle,
            conversations.c.started_by,
            conversations.c.first_customer_message_at,
            conversations.c.first_response_at,
            conversations.c.brand_message_count,
        )
        .select_from(conversations.outerjoin(brand_accounts))
        .where(conversations.c.workspace_id == workspace_id)
    )
    with engine.connect() as connection:
        for row in connection.execution_options(yield_per=10_000).execute(query):
            yield ConversationFacts(
                brand=row.handle,
                started_by_customer=row.started_by == StartedBy.CUSTOMER.value,
                first_customer_message_at=row.first_customer_message_at,
                first_response_at=row.first_response_at,
                brand_messages=row.brand_message_count,
            )


def workspace_report(engine: Engine, workspace_id: int) -> dict[str, Any]:
    """`{"brands": {handle: figures}, "unrouted": figures | None}`, brands sorted by handle."""
    figures = brand_figures(conversation_facts(engine, workspace_id))
    unrouted = figures.pop(None, None)
    return {
        "brands": {
            handle: _as_dict(figures[handle])
            for handle in sorted((h for h in figures if h is not None), key=str.casefold)
        },
        "unrouted": None if unrouted is None else _as_dict(unrouted),
    }


def _as_dict(figures: BrandFigures) -> dict[str, Any]:
    return {
        "conversations": figures.conversations,
        "answered": figures.answered,
        "median_first_response_s": figures.median_first_response_s,
        "mean_responses_per_interaction": figures.mean_responses_per_interaction,
    }
