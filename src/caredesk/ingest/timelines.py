"""Conversations' messages as summaries need them, and writing the summaries back."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Connection, select, update

from caredesk.clock import utcnow
from caredesk.ingest.sql import among
from caredesk.ingest.summary import summarize
from caredesk.models.tables import conversations, messages


def load_timelines(
    connection: Connection, conversation_ids: Collection[int]
) -> tuple[dict[int, list[tuple[str, datetime]]], dict[int, int]]:
    """Per conversation: its (direction, created_at) pairs, and the brand account of its
    earliest message that has one (how a conversation is routed; see ingest.pipeline)."""
    timelines: dict[int, list[tuple[str, datetime]]] = {}
    earliest: dict[int, tuple[datetime, int]] = {}
    rows = connection.execute(
        select(
            messages.c.conversation_id,
            messages.c.direction,
            messages.c.created_at,
            messages.c.brand_account_id,
        ).where(among(connection, messages.c.conversation_id, list(conversation_ids)))
    )
    for conversation_id, direction, created_at, account_id in rows:
        timelines.setdefault(conversation_id, []).append((direction, created_at))
        if account_id is not None:
            known = earliest.get(conversation_id)
            if known is None or (created_at, account_id) < known:
                earliest[conversation_id] = (created_at, account_id)
    return timelines, {c: account for c, (_, account) in earliest.items()}


def refresh_summary(connection: Connection, conversation_id: int) -> None:
    """Recompute one conversation's summary after an agent added to it."""
    timelines, _ = load_timelines(connection, [conversation_id])
    connection.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(**summarize(timelines[conversation_id]).as_row(), updated_at=utcnow())
    )
