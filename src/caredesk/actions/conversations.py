"""Ownership, status and tags of a conversation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from caredesk.access import (
    ForbiddenError,
    NotFoundError,
    Viewer,
    access_agent_by_id,
    access_conversation_by_id,
    load_viewer,
)
from caredesk.actions.errors import ConflictError
from caredesk.actions.log import record_event
from caredesk.actions.private import close_in_public
from caredesk.clock import utcnow
from caredesk.models import ConversationStatus, conversation_tags
from caredesk.models.tables import conversations, tags

MAX_REASON = 500


def do_assign(
    connection: Connection, viewer: Viewer, conversation_id: int, owner_id: int | None, reason: str = ""
) -> Row[Any]:
    """Give the conversation to `owner_id` (None: nobody), recording who did it and why.

    Agents may take an unowned conversation or release their own; giving one to someone
    else, or taking it from its owner, is for supervisors.
    """
    viewer.require_change()
    conversation = access_conversation_by_id(connection, viewer, conversation_id)
    current = conversation.owner_agent_id
    if owner_id == current:
        return conversation
    if not viewer.supervises:
        taking = owner_id == viewer.agent_id and current is None
        releasing = owner_id is None and current == viewer.agent_id
        if not (taking or releasing):
            raise ForbiddenError("only supervisors reassign conversations owned by someone else")
    if owner_id is not None:
        owner = access_agent_by_id(connection, viewer, owner_id)
        try:
            access_conversation_by_id(connection, load_viewer(connection, owner.id), conversation_id)
        except NotFoundError:
            raise ConflictError(
                f"{owner.display_name} cannot see this conversation's brand account"
            ) from None
    connection.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(owner_agent_id=owner_id, updated_at=utcnow())
    )
    record_event(
        connection,
        viewer.workspace_id,
        conversation_id,
        "assigned",
        viewer.agent_id,
        previous_owner_id=current,
        owner_id=owner_id,
        reason=reason.strip()[:MAX_REASON],
    )
    return access_conversation_by_id(connection, viewer, conversation_id)


def do_set_status(
    connection: Connection,
    viewer: Viewer,
    conversation_id: int,
    status: ConversationStatus,
    closing_text: str | None = None,
) -> Row[Any]:
    """Open, pend, snooze or resolve. Resolving a conversation that was taken private also
    answers its public thread (`closing_text`, or the standard closing words)."""
    viewer.require_change()
    conversation = access_conversation_by_id(connection, viewer, conversation_id)
    status = ConversationStatus(status)
    if conversation.status == status.value:
        return conversation
    if status is ConversationStatus.RESOLVED:
        close_in_public(connection, viewer, conversation, closing_text)
    resolved_at = utcnow() if status is ConversationStatus.RESOLVED else None
    connection.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(status=status.value, resolved_at=resolved_at, updated_at=utcnow())
    )
    record_event(
        connection, viewer.workspace_id, conversation_id, "status", viewer.agent_id, status=status.value
    )
    return access_conversation_by_id(connection, viewer, conversation_id)


def do_tag(connection: Connection, viewer: Viewer, conversation_id: int, name: str) -> None:
    viewer.require_change()
    access_conversation_by_id(connection, viewer, conversation_id)
    name = " ".join(name.split())[:100]
    if not name:
        raise ValueError("a tag needs a name")
    tag_id = connection.scalar(
        select(tags.c.id).where(tags.c.workspace_id == viewer.workspace_id, tags.c.name == name)
    )
    if tag_id is None:
        tag_id = connection.scalar(
            insert(tags)
            .values(workspace_id=viewer.workspace_id, name=name, created_at=utcnow())
            .returning(tags.c.id)
        )
    present = connection.scalar(
        select(conversation_tags.c.tag_id).where(
            conversation_tags.c.conversation_id == conversation_id, conversation_tags.c.tag_id == tag_id
        )
    )
    if present is None:
        connection.execute(insert(conversation_tags).values(conversation_id=conversation_id, tag_id=tag_id))
        record_event(connection, viewer.workspace_id, conversation_id, "tagged", viewer.agent_id, tag=name)


def do_untag(connection: Connection, viewer: Viewer, conversation_id: int, name: str) -> None:
    viewer.require_change()
    access_conversation_by_id(connection, viewer, conversation_id)
    tag_id = connection.scalar(
        select(tags.c.id).where(tags.c.workspace_id == viewer.workspace_id, tags.c.name == name)
    )
    if tag_id is not None:
        connection.execute(
            delete(conversation_tags).where(
                conversation_tags.c.conversation_id == conversation_id, conversation_tags.c.tag_id == tag_id
            )
        )
        record_event(connection, viewer.workspace_id, conversation_id, "untagged", viewer.agent_id, tag=name)


def conversation_tag_names(connection: Connection, conversation_id: int) -> list[str]:
    return list(
        connection.scalars(
            select(tags.c.name)
            .join(conversation_tags, conversation_tags.c.tag_id == tags.c.id)
            .where(conversation_tags.c.conversation_id == conversation_id)
            .order_by(tags.c.name)
        )
    )
