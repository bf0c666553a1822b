"""Taking a public conversation private, and closing its public thread when it resolves.

Seed 002: sensitive details (a card number, an address) or an irate customer move the
conversation to private messages on the same network, but a conversation that began in
public ends in public too: when the case resolves, its public thread gets a closing reply,
so the public record never ends on an unanswered complaint.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, exists, select, update

from caredesk.access import Viewer, access_conversation_by_id
from caredesk.actions.errors import ConflictError
from caredesk.actions.log import record_event
from caredesk.actions.replies import answered_post, do_reply
from caredesk.clock import utcnow
from caredesk.models import Direction, Visibility
from caredesk.models.tables import conversations, messages

# Networks where Caredesk cannot send a private message (Bluesky's chat service is closed).
NO_PRIVATE_MESSAGES = frozenset({"bluesky"})
PUBLIC_CLOSING = "Glad we could sort this out in private messages. Thanks for your patience!"
PUBLIC_POINTER = "We've sent you a private message so we can look into this together."


def do_take_private(
    connection: Connection,
    viewer: Viewer,
    conversation_id: int,
    text: str,
    public_text: str | None = PUBLIC_POINTER,
) -> int:
    """Send `text` privately on the conversation's own network and, when `public_text` is
    given, say so in the public thread; remember the thread to close later. The private
    message's id."""
    conversation = access_conversation_by_id(connection, viewer, conversation_id)
    if conversation.network in NO_PRIVATE_MESSAGES:
        raise ConflictError(
            f"Caredesk cannot send private messages on {conversation.network}; answer in public"
        )
    if conversation.private_since is not None:
        raise ConflictError("this conversation is already private: reply privately")
    public_post = answered_post(connection, conversation)
    if public_post is None:
        raise ConflictError("there is no public post in this conversation to take private")
    if public_text and public_text.strip():
        do_reply(connection, viewer, conversation_id, public_text, Visibility.PUBLIC)
    private_id = do_reply(connection, viewer, conversation_id, text, Visibility.PRIVATE)
    connection.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(private_since=utcnow(), public_post_id=public_post)
    )
    record_event(
        connection, viewer.workspace_id, conversation_id, "went_private", viewer.agent_id,
        public_post_id=public_post,
    )  # fmt: skip
    return private_id


def close_in_public(
    connection: Connection, viewer: Viewer, conversation: Row[Any], closing_text: str | None
) -> int | None:
    """Before a private conversation resolves, answer its public thread unless the brand has
    already spoken there since it went private; the closing reply's id."""
    if conversation.private_since is None or conversation.public_post_id is None:
        return None
    spoke_since = connection.scalar(
        select(
            exists().where(
                messages.c.conversation_id == conversation.id,
                messages.c.direction == Direction.OUTBOUND.value,
                messages.c.visibility == Visibility.PUBLIC.value,
                messages.c.created_at > conversation.private_since,
            )
        )
    )
    if spoke_since:
        return None
    return do_reply(
        connection, viewer, conversation.id, closing_text or PUBLIC_CLOSING, Visibility.PUBLIC,
        reply_to=conversation.public_post_id,
    )  # fmt: skip
