"""Readable builders for inbound messages and queries on what ingest stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.models import Direction, Visibility
from caredesk.models.tables import conversations, messages
from tests.conftest import at


def customer_post(
    message_id: str,
    *,
    by: str = "c1",
    minutes: float = 0,
    reply_to: str | None = None,
    to: str | None = "acme_help",
    private: bool = False,
    text: str = "my order never arrived",
    followers: int | None = None,
    network: str = "x",
) -> InboundMessage:
    return InboundMessage(
        network=network,
        network_message_id=message_id,
        direction=Direction.INBOUND,
        visibility=Visibility.PRIVATE if private else Visibility.PUBLIC,
        text=text,
        created_at=at(minutes),
        customer=Author(platform_user_id=by, handle=by, followers=followers),
        brand_handle=to,
        reply_to_network_id=reply_to,
    )


def brand_post(
    message_id: str,
    *,
    minutes: float = 0,
    reply_to: str | None = None,
    brand: str = "acme_help",
    to_customer: str | None = None,
    private: bool = False,
    text: str = "sorry to hear that, we are on it",
    network: str = "x",
) -> InboundMessage:
    return InboundMessage(
        network=network,
        network_message_id=message_id,
        direction=Direction.OUTBOUND,
        visibility=Visibility.PRIVATE if private else Visibility.PUBLIC,
        text=text,
        created_at=at(minutes),
        customer=Author(platform_user_id=to_customer) if to_customer else None,
        brand_handle=brand,
        reply_to_network_id=reply_to,
    )


def conversation_ids(engine: Engine, *message_ids: str) -> list[int]:
    """The conversation of each network message id, in the order asked."""
    with engine.connect() as connection:
        found = dict(
            connection.execute(
                select(messages.c.network_message_id, messages.c.conversation_id).where(
                    messages.c.network_message_id.in_(message_ids)
                )
            ).all()
        )
    return [found[m] for m in message_ids]


def all_conversations(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(conversations).order_by(conversations.c.id)))


def message_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return len(connection.execute(select(messages.c.id)).all())
