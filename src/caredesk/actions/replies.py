"""Replies, internal notes and delivery retries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from caredesk.access import ForbiddenError, NotFoundError, Viewer, access_conversation_by_id, visible_to
from caredesk.actions.errors import ConflictError
from caredesk.actions.log import record_event
from caredesk.clock import utcnow
from caredesk.ingest.timelines import refresh_summary
from caredesk.models import DeliveryStatus, Direction, Visibility
from caredesk.models.tables import conversations, identities, messages, outbox

MAX_TEXT = 10_000


def _text(text: str) -> str:
    text = text.replace("\x00", "").strip()
    if not text:
        raise ValueError("write something first")
    if len(text) > MAX_TEXT:
        raise ValueError(f"keep it under {MAX_TEXT:,} characters")
    return text


def do_reply(
    connection: Connection,
    viewer: Viewer,
    conversation_id: int,
    text: str,
    visibility: Visibility,
    *,
    reply_to: str | None = None,
) -> int:
    """Queue a reply on the conversation's own network, in public or in private; its id.

    Written with its outbox item in one transaction; a worker sends it. The conversation has
    one owner: replying to an unowned one takes it, and an agent cannot answer a conversation
    someone else owns (a supervisor can). A public reply answers the customer's latest public
    post (or `reply_to`); a private one refers to their latest message, which some networks
    need (a private reply to a Facebook comment).
    """
    viewer.require_change()
    conversation = access_conversation_by_id(connection, viewer, conversation_id)
    text = _text(text)
    visibility = Visibility(visibility)
    if conversation.brand_account_id is None:
        raise ConflictError("no brand account has received this conversation yet, so nothing can answer it")
    owner = conversation.owner_agent_id
    if owner is not None and owner != viewer.agent_id and not viewer.supervises:
        raise ConflictError("someone else owns this conversation: ask them or a supervisor to hand it over")
    if reply_to is None:
        reply_to = answered_post(connection, conversation, public=visibility is Visibility.PUBLIC)
    now = utcnow()
    message_id = int(
        connection.scalar(
            insert(messages)
            .values(
                workspace_id=viewer.workspace_id,
                conversation_id=conversation_id,
                brand_account_id=conversation.brand_account_id,
                network=conversation.network,
                reply_to_network_id=reply_to,
                direction=Direction.OUTBOUND.value,
                visibility=visibility.value,
                author_agent_id=viewer.agent_id,
                text=text,
                created_at=now,
                received_at=now,
            )
            .returning(messages.c.id)
        )
    )
    connection.execute(
        insert(outbox).values(workspace_id=viewer.workspace_id, message_id=message_id, created_at=now)
    )
    if owner is None:
        connection.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(owner_agent_id=viewer.agent_id)
        )
        record_event(
            connection, viewer.workspace_id, conversation_id, "assigned", viewer.agent_id,
            previous_owner_id=None, owner_id=viewer.agent_id, reason="replied",
        )  # fmt: skip
    refresh_summary(connection, conversation_id)
    record_event(
        connection, viewer.workspace_id, conversation_id, "message", viewer.agent_id,
        message_id=message_id, direction="outbound", visibility=visibility.value,
    )  # fmt: skip
    return message_id


def _write_message(
    connection: Connection,
    viewer: Viewer,
    conversation: Row[Any],
    direction: Direction,
    visibility: Visibility,
    text: str,
    reply_to: str | None = None,
) -> int:
    now = utcnow()
    return int(
        connection.scalar(
            insert(messages)
            .values(
                workspace_id=viewer.workspace_id,
                conversation_id=conversation.id,
                brand_account_id=conversation.brand_account_id,
                network=conversation.network,
                reply_to_network_id=reply_to,
                direction=direction.value,
                visibility=visibility.value,
                author_agent_id=viewer.agent_id,
                text=text,
                created_at=now,
                received_at=now,
            )
            .returning(messages.c.id)
        )
    )


def answered_post(connection: Connection, conversation: Row[Any], *, public: bool = True) -> str | None:
    """The customer's latest public post (the one a public reply answers, in its thread), or
    with `public=False` their latest message of any kind."""
    query = (
        select(messages.c.network_message_id)
        .where(
            messages.c.conversation_id == conversation.id,
            messages.c.direction == Direction.INBOUND.value,
            messages.c.network_message_id.is_not(None),
        )
        .order_by(messages.c.created_at.desc(), messages.c.id.desc())
        .limit(1)
    )
    if public:
        query = query.where(messages.c.visibility == Visibility.PUBLIC.value)
    return connection.scalar(query)


def recipient(connection: Connection, conversation: Row[Any]) -> str | None:
    """The customer's user id on the conversation's network, for private messages."""
    if conversation.contact_id is None:
        return None
    return connection.scalar(
        select(identities.c.platform_user_id).where(
            identities.c.contact_id == conversation.contact_id, identities.c.network == conversation.network
        )
    )


def do_add_note(connection: Connection, viewer: Viewer, conversation_id: int, text: str) -> int:
    """An internal note: seen by the team, never sent anywhere."""
    viewer.require_change()
    conversation = access_conversation_by_id(connection, viewer, conversation_id)
    note_id = _write_message(
        connection, viewer, conversation, Direction.NOTE, Visibility.PRIVATE, _text(text)
    )
    record_event(
        connection, viewer.workspace_id, conversation_id, "message", viewer.agent_id,
        message_id=note_id, direction="note",
    )  # fmt: skip
    return note_id


def do_retry_delivery(connection: Connection, viewer: Viewer, message_id: int) -> None:
    """Send a failed reply again."""
    viewer.require_change()
    row = connection.execute(
        select(messages.c.conversation_id, outbox.c.status)
        .join(outbox, outbox.c.message_id == messages.c.id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .where(messages.c.id == message_id, visible_to(viewer))
    ).first()
    if row is None:  # missing, or in a conversation this viewer may not see: the same answer
        raise NotFoundError(f"no reply {message_id}")
    if row.status not in (DeliveryStatus.FAILED.value, DeliveryStatus.UNKNOWN.value):
        raise ConflictError(f"this reply is {row.status}, not failed: nothing to retry")
    connection.execute(
        update(outbox)
        .where(outbox.c.message_id == message_id)
        .values(
            status=DeliveryStatus.QUEUED.value, next_attempt_at=utcnow(), last_error=None, updated_at=utcnow()
        )
    )
    record_event(
        connection, viewer.workspace_id, row.conversation_id, "delivery", viewer.agent_id,
        message_id=message_id, status=DeliveryStatus.QUEUED.value,
    )  # fmt: skip


__all__ = ["ForbiddenError", "do_add_note", "do_reply", "do_retry_delivery", "recipient"]
