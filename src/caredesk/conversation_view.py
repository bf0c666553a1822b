"""Everything an agent sees on one conversation: thread, customer, history, who else is here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from caredesk.access import Viewer, access_conversation_by_id, visible_to
from caredesk.actions.conversations import conversation_tag_names
from caredesk.actions.private import NO_PRIVATE_MESSAGES
from caredesk.clock import utcnow
from caredesk.masking import masked
from caredesk.models import Role
from caredesk.models.tables import (
    agents,
    brand_accounts,
    contacts,
    conversation_events,
    conversations,
    identities,
    messages,
    outbox,
    presence,
)

TYPING_FOR = timedelta(seconds=8)
HERE_FOR = timedelta(seconds=45)


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    id: int
    direction: str
    visibility: str
    text: str
    created_at: datetime
    author: str
    network_message_id: str | None
    delivery: str | None  # queued / sending / sent / failed / unknown, for replies
    delivery_error: str | None
    triage: dict[str, Any] | None = None  # for customer messages (caredesk.triage)


@dataclass(frozen=True, slots=True)
class CustomerIdentity:
    network: str
    handle: str | None
    display_name: str | None
    followers: int | None


@dataclass(frozen=True, slots=True)
class OtherConversation:
    id: int
    network: str
    status: str
    last_message_at: datetime


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    kind: str
    actor: str | None
    data: dict[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class Colleague:
    agent_id: int
    name: str
    typing: bool


@dataclass(frozen=True, slots=True)
class ConversationView:
    id: int
    status: str
    network: str
    priority: int
    brand_handle: str | None
    owner_id: int | None
    owner_name: str | None
    customer_name: str | None
    waiting_since: datetime | None
    first_response_at: datetime | None
    started_at: datetime
    messages: list[ThreadMessage]
    identities: list[CustomerIdentity]
    other_conversations: list[OtherConversation]
    history: list[HistoryEntry]
    tags: list[str]
    colleagues: list[Colleague]
    private_since: datetime | None = None
    can_go_private: bool = False
    private_messages: bool = True  # the network lets Caredesk send private messages
    triage: dict[str, Any] | None = None


def conversation_view(connection: Connection, viewer: Viewer, conversation_id: int) -> ConversationView:
    conversation = access_conversation_by_id(connection, viewer, conversation_id)
    brand_handle = connection.scalar(
        select(brand_accounts.c.handle).where(brand_accounts.c.id == conversation.brand_account_id)
    )
    owner_name = connection.scalar(
        select(agents.c.display_name).where(agents.c.id == conversation.owner_agent_id)
    )
    customer_name = connection.scalar(
        select(contacts.c.display_name).where(contacts.c.id == conversation.contact_id)
    )
    return ConversationView(
        id=conversation.id,
        status=conversation.status,
        network=conversation.network,
        priority=conversation.priority,
        brand_handle=brand_handle,
        owner_id=conversation.owner_agent_id,
        owner_name=owner_name,
        customer_name=customer_name,
        waiting_since=conversation.waiting_since,
        first_response_at=conversation.first_response_at,
        started_at=conversation.started_at,
        messages=thread(connection, conversation_id, viewer.role),
        identities=_identities(connection, conversation.contact_id),
        other_conversations=_other_conversations(connection, viewer, conversation),
        history=_history(connection, conversation_id),
        tags=conversation_tag_names(connection, conversation_id),
        colleagues=colleagues_here(connection, conversation_id, viewer.agent_id),
        private_since=conversation.private_since,
        can_go_private=conversation.private_since is None and conversation.network not in NO_PRIVATE_MESSAGES,
        triage=conversation.triage,
        private_messages=conversation.network not in NO_PRIVATE_MESSAGES,
    )


def thread(connection: Connection, conversation_id: int, role: Role) -> list[ThreadMessage]:
    """The messages, oldest first; personal data masked for `role` (caredesk.masking)."""
    rows = connection.execute(
        select(
            messages.c.id,
            messages.c.direction,
            messages.c.visibility,
            messages.c.text,
            messages.c.created_at,
            messages.c.network_message_id,
            messages.c.triage,
            agents.c.display_name.label("agent_name"),
            identities.c.handle.label("customer_handle"),
            brand_accounts.c.handle.label("brand_handle"),
            outbox.c.status.label("delivery"),
            outbox.c.last_error,
        )
        .outerjoin(agents, agents.c.id == messages.c.author_agent_id)
        .outerjoin(identities, identities.c.id == messages.c.author_identity_id)
        .outerjoin(brand_accounts, brand_accounts.c.id == messages.c.brand_account_id)
        .outerjoin(outbox, outbox.c.message_id == messages.c.id)
        .where(messages.c.conversation_id == conversation_id)
        .order_by(messages.c.created_at, messages.c.id)
    )
    return [
        ThreadMessage(
            id=row.id,
            direction=row.direction,
            visibility=row.visibility,
            text=masked(row.text, (row.triage or {}).get("pii"), role),
            created_at=row.created_at,
            author=row.agent_name or row.customer_handle or row.brand_handle or "unknown",
            network_message_id=row.network_message_id,
            delivery=row.delivery,
            delivery_error=row.last_error,
            triage=row.triage,
        )
        for row in rows
    ]


def _identities(connection: Connection, contact_id: int | None) -> list[CustomerIdentity]:
    if contact_id is None:
        return []
    rows = connection.execute(
        select(identities.c.network, identities.c.handle, identities.c.display_name, identities.c.followers)
        .where(identities.c.contact_id == contact_id)
        .order_by(identities.c.network)
    )
    return [CustomerIdentity(*row) for row in rows]


def _other_conversations(
    connection: Connection, viewer: Viewer, conversation: Any
) -> list[OtherConversation]:
    if conversation.contact_id is None:
        return []
    rows = connection.execute(
        select(
            conversations.c.id,
            conversations.c.network,
            conversations.c.status,
            conversations.c.last_message_at,
        )
        .where(
            conversations.c.contact_id == conversation.contact_id,
            conversations.c.id != conversation.id,
            visible_to(viewer),
        )
        .order_by(conversations.c.last_message_at.desc())
        .limit(20)
    )
    return [OtherConversation(*row) for row in rows]


def _history(connection: Connection, conversation_id: int) -> list[HistoryEntry]:
    rows = connection.execute(
        select(
            conversation_events.c.kind,
            agents.c.display_name,
            conversation_events.c.data,
            conversation_events.c.created_at,
        )
        .outerjoin(agents, agents.c.id == conversation_events.c.actor_agent_id)
        .where(
            conversation_events.c.conversation_id == conversation_id,
            conversation_events.c.kind.in_(("assigned", "status", "tagged", "untagged", "went_private")),
        )
        .order_by(conversation_events.c.id)
    )
    return [HistoryEntry(kind, actor, data or {}, at) for kind, actor, data, at in rows]


def colleagues_here(connection: Connection, conversation_id: int, me: int) -> list[Colleague]:
    now = utcnow()
    rows = connection.execute(
        select(presence.c.agent_id, agents.c.display_name, presence.c.typing_until)
        .join(agents, agents.c.id == presence.c.agent_id)
        .where(
            presence.c.conversation_id == conversation_id,
            presence.c.agent_id != me,
            presence.c.seen_at > now - HERE_FOR,
        )
        .order_by(agents.c.display_name)
    )
    return [
        Colleague(agent_id, name, typing_until is not None and typing_until > now)
        for agent_id, name, typing_until in rows
    ]


def mark_presence(connection: Connection, viewer: Viewer, conversation_id: int, *, typing: bool) -> bool:
    """Note that the viewer is here (and typing); True when that changed what others see.

    Read-only users can be here, but they cannot be typing a reply.
    """
    access_conversation_by_id(connection, viewer, conversation_id)
    if typing:
        viewer.require_change()
    now = utcnow()
    where = and_(presence.c.conversation_id == conversation_id, presence.c.agent_id == viewer.agent_id)
    was = connection.execute(select(presence.c.typing_until, presence.c.seen_at).where(where)).first()
    typing_until = now + TYPING_FOR if typing else None
    if was is None:
        connection.execute(
            insert(presence).values(
                conversation_id=conversation_id,
                agent_id=viewer.agent_id,
                typing_until=typing_until,
                seen_at=now,
            )
        )
        return True
    connection.execute(update(presence).where(where).values(typing_until=typing_until, seen_at=now))
    was_typing = was.typing_until is not None and was.typing_until > now
    return was_typing != typing or was.seen_at < now - HERE_FOR


def leave(connection: Connection, viewer: Viewer, conversation_id: int) -> None:
    connection.execute(
        delete(presence).where(
            presence.c.conversation_id == conversation_id, presence.c.agent_id == viewer.agent_id
        )
    )
