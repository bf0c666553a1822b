"""The ingest pipeline: normalised messages -> dedupe -> threading -> persist -> events.

Every source (webhooks, pollers, the firehose, file imports) goes through `Ingestor.ingest`,
one batch per transaction: a batch is stored whole or not at all, so an import that is
stopped half-way can simply be run again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from caredesk.clock import utcnow
from caredesk.db.bulk import insert_tuples
from caredesk.db.engine import write_transaction
from caredesk.db.ids import allocate_ids
from caredesk.events import (
    ConversationOpened,
    ConversationReopened,
    ConversationsMerged,
    EventBus,
    MessageReceived,
)
from caredesk.ingest.accounts import AccountDirectory
from caredesk.ingest.identities import resolve_customers
from caredesk.ingest.inbound import InboundMessage
from caredesk.ingest.lookups import known_for_batch, stored_messages
from caredesk.ingest.sql import among, clean_text
from caredesk.ingest.summary import ConversationSummary, summarize
from caredesk.ingest.threading import Arrival, Group, plan_threads
from caredesk.ingest.timelines import load_timelines
from caredesk.ingest.triaging import Triager, apply_to_conversations
from caredesk.models import Direction, Visibility, conversation_tags
from caredesk.models.tables import conversation_events
from caredesk.models.tables import conversations as _conversations
from caredesk.models.tables import messages as _messages

log = logging.getLogger(__name__)

_INBOUND = Direction.INBOUND
# Enum.value is a slow property; the hot path looks the text up instead.
_TEXT: dict[Direction | Visibility, str] = {member: member.value for member in (*Direction, *Visibility)}
_INBOUND_TEXT, _OUTBOUND_TEXT = Direction.INBOUND.value, Direction.OUTBOUND.value
_CONVERSATION_COLUMNS = (
    "id",
    "workspace_id",
    "network",
    "status",
    "brand_account_id",
    "contact_id",
    *ConversationSummary.COLUMNS,
)
_MESSAGE_COLUMNS = (
    "id",
    "workspace_id",
    "conversation_id",
    "brand_account_id",
    "network",
    "network_message_id",
    "reply_to_network_id",
    "direction",
    "visibility",
    "author_identity_id",
    "text",
    "raw",
    "triage",
    "created_at",
    "received_at",
)
_PRIVATE = Visibility.PRIVATE
_ATTEMPTS = 3


@dataclass(slots=True)
class IngestResult:
    """What one or more batches did; results of several batches add up with `+=`."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    conversations_opened: int = 0
    conversations_reopened: int = 0
    conversations_merged: int = 0

    def __iadd__(self, other: IngestResult) -> IngestResult:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


@dataclass(slots=True)
class _Batch:
    """One network's share of a batch, with everything resolved for it along the way."""

    network: str
    messages: list[InboundMessage]
    account_ids: list[int | None] = field(default_factory=list)
    identities: list[tuple[int, int] | None] = field(default_factory=list)  # (identity, contact)
    triage: list[dict[str, Any] | None] = field(default_factory=list)


class Ingestor:
    """Turns normalised messages into conversations of one workspace."""

    def __init__(
        self,
        engine: Engine,
        workspace_id: int,
        *,
        reopen_window: timedelta = timedelta(days=7),
        create_accounts: bool = False,
        events: EventBus | None = None,
        live: bool = False,
        triage: bool | Triager = False,
    ) -> None:
        self.engine = engine
        self.workspace_id = workspace_id
        self.reopen_window = reopen_window
        self.events = events or EventBus()
        # Live sources (webhooks, pollers) log each new message for open inboxes;
        # imports of history do not, which keeps them fast.
        self.live = live
        # Live sources triage every customer message; imports of history may skip it.
        self._triager = triage
        self.accounts = AccountDirectory(workspace_id, create_missing=create_accounts)

    def ingest(
        self,
        messages: Sequence[InboundMessage],
        *,
        also: Callable[[Connection], None] | None = None,
        triaged: Sequence[dict[str, Any] | None] | None = None,
    ) -> IngestResult:
        """Store `messages` in one transaction and emit their events once it has committed.

        `also` writes in the same transaction what must commit with the messages: a poller's
        cursor, the inbound events they came from. `triaged`: the messages' triage when the
        caller already has it (listening triages to decide what needs care). A unique-key race
        with another process (PostgreSQL, several workers) rolls the batch back; it is then
        retried and the other process's rows count as duplicates.
        """
        # Triage is CPU work: done before the write lock is taken, so other writers (webhooks)
        # never wait for it. Duplicates are triaged too and their results dropped.
        if triaged is None:
            triaged = self._triage(messages)
        by_message = {id(m): found for m, found in zip(messages, triaged, strict=True) if found}
        for attempt in range(1, _ATTEMPTS + 1):
            events: list[object] = []
            try:
                with write_transaction(self.engine) as connection:
                    result = self._ingest(connection, messages, events, by_message)
                    if also is not None:
                        also(connection)
            except IntegrityError:
                self.accounts.forget()
                if attempt == _ATTEMPTS:
                    raise
                log.warning("ingest batch raced another writer; retrying (%d)", attempt)
            else:
                self.events.emit(events)
                return result
        raise AssertionError("unreachable")

    def _ingest(
        self,
        connection: Connection,
        messages: Sequence[InboundMessage],
        events: list[object],
        triaged: dict[int, dict[str, Any]],
    ) -> IngestResult:
        result = IngestResult(received=len(messages))
        by_network: dict[str, _Batch] = {}
        for message in messages:
            by_network.setdefault(message.network, _Batch(message.network, [])).messages.append(message)
        for batch in by_network.values():
            result += self._ingest_network(connection, batch, events, triaged)
        return result

    def _ingest_network(
        self, connection: Connection, batch: _Batch, events: list[object], triaged: dict[int, dict[str, Any]]
    ) -> IngestResult:
        result = IngestResult()
        network = batch.network
        account_ids = [
            None if m.brand_handle is None else self.accounts.resolve(connection, network, m.brand_handle)
            for m in batch.messages
        ]
        mentioned = {m.network_message_id for m in batch.messages}
        mentioned.update(m.reply_to_network_id for m in batch.messages if m.reply_to_network_id)
        stored = stored_messages(connection, self.workspace_id, network, mentioned)
        kept: list[InboundMessage] = []
        for message, account_id in zip(batch.messages, account_ids, strict=True):
            stored_under = stored.accounts.setdefault(message.network_message_id, set())
            if _is_duplicate(stored_under, account_id):
                result.duplicates += 1
                continue
            stored_under.add(account_id)
            kept.append(message)
            batch.account_ids.append(account_id)
        batch.messages = kept
        if not batch.messages:
            return result
        batch.triage = [triaged.get(id(m)) for m in batch.messages]

        customers = resolve_customers(
            connection,
            self.workspace_id,
            ((network, m.customer) for m in batch.messages if m.customer is not None),
        )
        batch.identities = [
            None if m.customer is None else customers[(network, m.customer.platform_user_id)]
            for m in batch.messages
        ]
        arrivals = [
            Arrival(
                network_message_id=m.network_message_id,
                reply_to_network_id=m.reply_to_network_id,
                private=m.visibility is _PRIVATE,
                inbound=m.direction is Direction.INBOUND,
                created_at=m.created_at,
                brand_account_id=account_id,
                contact_id=None if identity is None else identity[1],
            )
            for m, account_id, identity in zip(
                batch.messages, batch.account_ids, batch.identities, strict=True
            )
        ]
        batch_ids = {a.network_message_id for a in arrivals}
        known = known_for_batch(
            connection,
            self.workspace_id,
            network,
            stored,
            message_ids=batch_ids,
            parent_ids={a.reply_to_network_id for a in arrivals if a.reply_to_network_id} - batch_ids,
            private_contacts={a.contact_id for a in arrivals if a.private and a.contact_id},
        )
        groups = plan_threads(arrivals, known, self.reopen_window)

        old_groups = [g for g in groups if g.conversation_id is not None]
        new_groups = [g for g in groups if g.conversation_id is None]
        new_ids = self._open_conversations(connection, batch, arrivals, new_groups)
        for group, conversation_id in zip(new_groups, new_ids, strict=True):
            group.conversation_id = conversation_id
            events.append(ConversationOpened(self.workspace_id, conversation_id))
        result.conversations_opened = len(new_groups)

        for group in old_groups:
            if group.absorbed:
                assert group.conversation_id is not None
                self._merge(connection, group.conversation_id, group.absorbed)
                events.append(
                    ConversationsMerged(self.workspace_id, group.conversation_id, tuple(group.absorbed))
                )
                result.conversations_merged += len(group.absorbed)
            if group.reopened:
                assert group.conversation_id is not None
                events.append(ConversationReopened(self.workspace_id, group.conversation_id))
                result.conversations_reopened += 1

        message_ids = self._insert_messages(connection, batch, groups)
        result.stored = len(batch.messages)
        if old_groups:
            self._refresh_conversations(connection, batch, arrivals, old_groups)
        if any(batch.triage):
            conversation_of = _conversation_of(groups, len(batch.messages))
            apply_to_conversations(connection, batch.messages, batch.triage, conversation_of)
        if self.live:
            self._log_arrivals(connection, batch, groups, message_ids)
        if self.events.wants(MessageReceived):
            conversation_of = _conversation_of(groups, len(batch.messages))
            events.extend(
                MessageReceived(self.workspace_id, conversation_of[i], message_id, m.direction.value)
                for i, (m, message_id) in enumerate(zip(batch.messages, message_ids, strict=True))
            )
        return result

    def _triage(self, messages: Sequence[InboundMessage]) -> list[dict[str, Any] | None]:
        """Each customer message's triage (None for the others, or all when not triaging)."""
        if self._triager is False:
            return [None] * len(messages)
        if self._triager is True:  # made on first use: it reads the workspace's competitors
            with self.engine.connect() as connection:
                self._triager = Triager.for_workspace(connection, self.workspace_id)
        return self._triager.results(messages)

    def _log_arrivals(
        self, connection: Connection, batch: _Batch, groups: list[Group], message_ids: list[int]
    ) -> None:
        conversation_of = _conversation_of(groups, len(batch.messages))
        now = utcnow()
        rows = [
            (
                self.workspace_id,
                conversation_of[i],
                "message",
                {"message_id": message_id, "direction": _TEXT[m.direction]},
                now,
            )
            for i, (m, message_id) in enumerate(zip(batch.messages, message_ids, strict=True))
        ]
        insert_tuples(
            connection,
            conversation_events,
            ("workspace_id", "conversation_id", "kind", "data", "created_at"),
            rows,
        )

    def _open_conversations(
        self,
        connection: Connection,
        batch: _Batch,
        arrivals: list[Arrival],
        groups: list[Group],
    ) -> list[int]:
        if not groups:
            return []
        ids = allocate_ids(connection, _conversations, len(groups))
        workspace_id, network = self.workspace_id, batch.network
        rows = [
            (
                conversation_id,
                workspace_id,
                network,
                group.new_status,
                _routing(batch, arrivals, group.arrivals),
                _contact(arrivals, group.arrivals),
                *_summary(arrivals, group.arrivals).as_tuple(),
            )
            for group, conversation_id in zip(groups, ids, strict=True)
        ]
        insert_tuples(connection, _conversations, _CONVERSATION_COLUMNS, rows)
        return ids

    def _merge(self, connection: Connection, target: int, absorbed: list[int]) -> None:
        stored = connection.execute(
            select(
                _conversations.c.id,
                _conversations.c.brand_account_id,
                _conversations.c.contact_id,
                _conversations.c.owner_agent_id,
                _conversations.c.team_id,
                _conversations.c.priority,
            ).where(_conversations.c.id.in_([target, *absorbed]))
        ).all()
        keep = next(row for row in stored if row.id == target)
        inherited: dict[str, object] = {}
        for column in ("brand_account_id", "contact_id", "owner_agent_id", "team_id"):
            if getattr(keep, column) is None:
                value = next((getattr(r, column) for r in stored if getattr(r, column) is not None), None)
                if value is not None:
                    inherited[column] = value
        inherited["priority"] = max(row.priority for row in stored)
        connection.execute(
            update(_messages).where(_messages.c.conversation_id.in_(absorbed)).values(conversation_id=target)
        )
        tags = conversation_tags
        tag_ids = connection.scalars(
            select(tags.c.tag_id).where(tags.c.conversation_id.in_(absorbed)).distinct()
        ).all()
        present = set(connection.scalars(select(tags.c.tag_id).where(tags.c.conversation_id == target)))
        missing = [t for t in tag_ids if t not in present]
        if missing:
            connection.execute(insert(tags), [{"conversation_id": target, "tag_id": t} for t in missing])
        connection.execute(delete(_conversations).where(_conversations.c.id.in_(absorbed)))
        connection.execute(update(_conversations).where(_conversations.c.id == target).values(inherited))

    def _insert_messages(self, connection: Connection, batch: _Batch, groups: list[Group]) -> list[int]:
        conversation_of = _conversation_of(groups, len(batch.messages))
        ids = allocate_ids(connection, _messages, len(batch.messages))
        received_at = utcnow()
        workspace_id, network = self.workspace_id, batch.network
        rows = [
            (
                message_id,
                workspace_id,
                conversation_of[i],
                batch.account_ids[i],
                network,
                m.network_message_id,
                m.reply_to_network_id,
                _TEXT[m.direction],
                _TEXT[m.visibility],
                identity[0]
                if (identity := batch.identities[i]) is not None and m.direction is _INBOUND
                else None,
                clean_text(m.text),
                m.raw,
                batch.triage[i],
                m.created_at,
                received_at,
            )
            for i, (m, message_id) in enumerate(zip(batch.messages, ids, strict=True))
        ]
        insert_tuples(connection, _messages, _MESSAGE_COLUMNS, rows)
        return ids

    def _refresh_conversations(
        self,
        connection: Connection,
        batch: _Batch,
        arrivals: list[Arrival],
        groups: list[Group],
    ) -> None:
        """Recompute the summary of stored conversations that took new messages."""
        by_id = {g.conversation_id: g for g in groups if g.conversation_id is not None}
        timelines, routed = load_timelines(connection, list(by_id))
        contacts = dict(
            connection.execute(
                select(_conversations.c.id, _conversations.c.contact_id).where(
                    among(connection, _conversations.c.id, list(by_id))
                )
            ).all()
        )
        updates = []
        now = utcnow()
        for conversation_id, group in by_id.items():
            assert conversation_id is not None
            contact_id = contacts[conversation_id]
            updates.append(
                {
                    "conversation_id": conversation_id,
                    **summarize(timelines[conversation_id]).as_row(),
                    "brand_account_id": routed.get(conversation_id),
                    "contact_id": contact_id
                    if contact_id is not None
                    else _contact(arrivals, group.arrivals),
                    "updated_at": now,
                }
            )
        columns = [k for k in updates[0] if k != "conversation_id"]
        connection.execute(
            update(_conversations)
            .where(_conversations.c.id == bindparam("conversation_id"))
            .values({column: bindparam(column) for column in columns}),
            updates,
        )
        for status_group in (g for g in groups if g.new_status is not None):
            connection.execute(
                update(_conversations)
                .where(_conversations.c.id == status_group.conversation_id)
                .values(status=status_group.new_status, resolved_at=None)
            )


def _is_duplicate(stored_under: set[int | None], account_id: int | None) -> bool:
    """A post stored unrouted, or under the same account, is the same message again."""
    if not stored_under:
        return False
    return account_id is None or account_id in stored_under or None in stored_under


def _conversation_of(groups: list[Group], count: int) -> list[int]:
    conversation_of = [0] * count
    for group in groups:
        assert group.conversation_id is not None
        for index in group.arrivals:
            conversation_of[index] = group.conversation_id
    return conversation_of


def _summary(arrivals: list[Arrival], indexes: list[int]) -> ConversationSummary:
    return summarize(
        (_INBOUND_TEXT if arrivals[i].inbound else _OUTBOUND_TEXT, arrivals[i].created_at) for i in indexes
    )


def _routing(batch: _Batch, arrivals: list[Arrival], indexes: list[int]) -> int | None:
    """The brand account of a conversation: the account of its earliest message that has one.

    Live mentions carry the account they were received on; imported customer tweets don't,
    and then the first brand account to answer is the one the customer wrote to. Taking the
    earliest makes the answer the same whatever order the messages arrive in.
    """
    with_account = [(arrivals[i].created_at, batch.account_ids[i]) for i in indexes]
    known = [(at, account) for at, account in with_account if account is not None]
    return min(known)[1] if known else None


def _contact(arrivals: list[Arrival], indexes: list[int]) -> int | None:
    """The customer of a conversation: the earliest customer in it."""
    with_contact = [arrivals[i] for i in indexes if arrivals[i].contact_id is not None]
    if not with_contact:
        return None
    return min(with_contact, key=lambda a: a.created_at).contact_id
