"""What the store knows about a batch: the queries threading needs, batched."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from caredesk.ingest.sql import among
from caredesk.ingest.threading import Known, StoredConversation
from caredesk.models.tables import conversations as _conversations
from caredesk.models.tables import messages as _messages


@dataclass(slots=True)
class StoredMessages:
    """Stored messages with the network ids a batch mentions (its own, and its parents')."""

    # network message id -> the brand accounts it is stored under (None: unrouted)
    accounts: dict[str, set[int | None]] = field(default_factory=dict)
    # network message id -> the conversation holding it
    conversations: dict[str, int] = field(default_factory=dict)


def stored_messages(
    connection: Connection, workspace_id: int, network: str, message_ids: Collection[str]
) -> StoredMessages:
    found = StoredMessages()
    if not message_ids:
        return found
    rows = connection.execute(
        select(
            _messages.c.network_message_id, _messages.c.brand_account_id, _messages.c.conversation_id
        ).where(
            _messages.c.workspace_id == workspace_id,
            _messages.c.network == network,
            among(connection, _messages.c.network_message_id, message_ids),
        )
    )
    for message_id, account_id, conversation_id in rows:
        found.accounts.setdefault(message_id, set()).add(account_id)
        found.conversations.setdefault(message_id, conversation_id)
    return found


def known_for_batch(
    connection: Connection,
    workspace_id: int,
    network: str,
    stored: StoredMessages,
    message_ids: Collection[str],
    parent_ids: Collection[str],
    private_contacts: Collection[int],
) -> Known:
    """Stored parents, stored replies that came first, and private threads of the batch."""
    known = Known()
    for parent_id in parent_ids:
        conversation_id = stored.conversations.get(parent_id)
        if conversation_id is not None:
            known.parents[parent_id] = conversation_id
    if message_ids:
        rows = connection.execute(
            select(_messages.c.reply_to_network_id, _messages.c.conversation_id).where(
                _messages.c.workspace_id == workspace_id,
                _messages.c.network == network,
                among(connection, _messages.c.reply_to_network_id, message_ids),
            )
        )
        for parent_id, conversation_id in rows:
            known.replies.setdefault(parent_id, set()).add(conversation_id)
    if private_contacts:
        rows = connection.execute(
            select(_conversations.c.id, _conversations.c.brand_account_id, _conversations.c.contact_id)
            .where(
                _conversations.c.workspace_id == workspace_id,
                _conversations.c.network == network,
                among(connection, _conversations.c.contact_id, private_contacts),
            )
            .order_by(_conversations.c.last_message_at, _conversations.c.id)
        )
        for row in rows:
            known.private_threads[(row.brand_account_id, row.contact_id)] = row.id  # latest wins
    referenced = set(known.parents.values()) | set(known.private_threads.values())
    for replied in known.replies.values():
        referenced |= replied
    known.conversations = stored_conversations(connection, referenced)
    return known


def stored_conversations(
    connection: Connection, conversation_ids: Collection[int]
) -> dict[int, StoredConversation]:
    if not conversation_ids:
        return {}
    rows = connection.execute(
        select(_conversations.c.id, _conversations.c.status, _conversations.c.resolved_at).where(
            among(connection, _conversations.c.id, conversation_ids)
        )
    )
    return {row.id: StoredConversation(row.id, row.status, row.resolved_at) for row in rows}
