"""What the store knows about a batch: the queries threading needs, batched."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, select

from caredesk.ingest.sql import chunks
from caredesk.ingest.threading import Known, StoredConversation
from caredesk.models.tables import conversations as _conversations
from caredesk.models.tables import messages as _messages


def stored_accounts(
    connection: Connection, workspace_id: int, network: str, message_ids: Collection[str]
) -> dict[str, set[int | None]]:
    """network message id -> the brand accounts it is already stored under (None: unrouted)."""
    found: dict[str, set[int | None]] = {}
    for part in chunks(list(message_ids)):
        rows = connection.execute(
            select(_messages.c.network_message_id, _messages.c.brand_account_id).where(
                _messages.c.workspace_id == workspace_id,
                _messages.c.network == network,
                _messages.c.network_message_id.in_(part),
            )
        )
        for message_id, account_id in rows:
            found.setdefault(message_id, set()).add(account_id)
    return found


def known_for_batch(
    connection: Connection,
    workspace_id: int,
    network: str,
    message_ids: Collection[str],
    parent_ids: Collection[str],
    private_contacts: Collection[int],
) -> Known:
    """Stored parents, stored replies that came first, and private threads of the batch."""
    known = Known()
    for part in chunks(list(parent_ids)):
        rows = connection.execute(
            select(_messages.c.network_message_id, _messages.c.conversation_id).where(
                _messages.c.workspace_id == workspace_id,
                _messages.c.network == network,
                _messages.c.network_message_id.in_(part),
            )
        )
        for message_id, conversation_id in rows:
            known.parents.setdefault(message_id, conversation_id)
    for part in chunks(list(message_ids)):
        rows = connection.execute(
            select(_messages.c.reply_to_network_id, _messages.c.conversation_id).where(
                _messages.c.workspace_id == workspace_id,
                _messages.c.network == network,
                _messages.c.reply_to_network_id.in_(part),
            )
        )
        for parent_id, conversation_id in rows:
            known.replies.setdefault(parent_id, set()).add(conversation_id)
    for contacts in chunks(list(private_contacts)):
        rows = connection.execute(
            select(
                _conversations.c.id,
                _conversations.c.brand_account_id,
                _conversations.c.contact_id,
                _conversations.c.last_message_at,
            )
            .where(
                _conversations.c.workspace_id == workspace_id,
                _conversations.c.network == network,
                _conversations.c.contact_id.in_(contacts),
            )
            .order_by(_conversations.c.last_message_at, _conversations.c.id)
        )
        for row in rows:
            known.private_threads[(row.brand_account_id, row.contact_id)] = row.id  # latest wins
    referenced = set(known.parents.values()) | set(known.private_threads.values())
    for conversations in known.replies.values():
        referenced |= conversations
    known.conversations = stored_conversations(connection, referenced)
    return known


def stored_conversations(
    connection: Connection, conversation_ids: Collection[int]
) -> dict[int, StoredConversation]:
    found: dict[int, StoredConversation] = {}
    for part in chunks(sorted(conversation_ids)):
        rows = connection.execute(
            select(_conversations.c.id, _conversations.c.status, _conversations.c.resolved_at).where(
                _conversations.c.id.in_(part)
            )
        )
        for conversation_id, status, resolved_at in rows:
            found[conversation_id] = StoredConversation(conversation_id, status, resolved_at)
    return found
