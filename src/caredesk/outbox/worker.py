"""Outbox workers: claim due replies, send them outside any transaction, record the outcome.

Claims are exclusive: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of workers on
any number of machines share the work; `BEGIN IMMEDIATE` on SQLite, one writer at a time.
A worker marks each reply just before asking the network. A claim abandoned before that mark
(the worker died first) is sent later, once. One abandoned after it may have gone out: it is
sent again only on networks that deduplicate by our idempotency key, otherwise it becomes
"unknown" for a person to check, never sent twice blindly.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from caredesk.actions.log import record_event
from caredesk.clock import utcnow
from caredesk.connectors.accounts import flag_account
from caredesk.connectors.base import AuthExpired, DeliveryError, OutboundReply, Permanent, RateLimited
from caredesk.connectors.networks import send_dedupe_window
from caredesk.connectors.registry import Connectors
from caredesk.db.engine import write_transaction
from caredesk.models import AccountStatus, DeliveryStatus
from caredesk.models.tables import brand_accounts, conversations, identities, messages, outbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_FIRST = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=15)
STALE_CLAIM = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Claim:
    outbox_id: int
    workspace_id: int
    conversation_id: int
    brand_account_id: int
    attempts: int
    reply: OutboundReply


def claim_due(engine: Engine, limit: int = 20) -> list[Claim]:
    """Mark up to `limit` due replies as being sent by this worker, and return them."""
    with write_transaction(engine) as connection:
        now = utcnow()
        due = (
            select(outbox.c.id)
            .where(outbox.c.status == DeliveryStatus.QUEUED.value, outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
        )
        if connection.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(connection.scalars(due))
        if not ids:
            return []
        connection.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(status=DeliveryStatus.SENDING.value, claimed_at=now, send_started_at=None, updated_at=now)
        )
        rows = connection.execute(
            select(
                outbox.c.id,
                outbox.c.attempts,
                messages.c.id.label("message_id"),
                messages.c.workspace_id,
                messages.c.conversation_id,
                messages.c.brand_account_id,
                messages.c.network,
                messages.c.visibility,
                messages.c.text,
                messages.c.reply_to_network_id,
                brand_accounts.c.handle,
                identities.c.platform_user_id,
            )
            .join(messages, messages.c.id == outbox.c.message_id)
            .join(conversations, conversations.c.id == messages.c.conversation_id)
            .join(brand_accounts, brand_accounts.c.id == messages.c.brand_account_id)
            .outerjoin(
                identities,
                (identities.c.contact_id == conversations.c.contact_id)
                & (identities.c.network == messages.c.network),
            )
            .where(outbox.c.id.in_(ids))
            .order_by(outbox.c.id)
        )
        claims: dict[int, Claim] = {}
        for row in rows:
            if row.id in claims:
                continue
            thread = _thread_ids(connection, row.conversation_id)
            claims[row.id] = Claim(
                row.id,
                row.workspace_id,
                row.conversation_id,
                row.brand_account_id,
                row.attempts,
                OutboundReply(
                    message_id=row.message_id,
                    network=row.network,
                    brand_handle=row.handle,
                    visibility=row.visibility,
                    text=row.text,
                    reply_to_network_id=row.reply_to_network_id,
                    recipient_platform_user_id=row.platform_user_id,
                    reply_to_raw=_raw_of(connection, row.conversation_id, row.reply_to_network_id),
                    thread_network_ids=thread,
                ),
            )
        return list(claims.values())


THREAD_LIMIT = 100


def _thread_ids(connection: Connection, conversation_id: int) -> tuple[str, ...]:
    """The conversation's network message ids, oldest first (an e-mail's References)."""
    return tuple(
        connection.scalars(
            select(messages.c.network_message_id)
            .where(messages.c.conversation_id == conversation_id, messages.c.network_message_id.is_not(None))
            .order_by(messages.c.created_at, messages.c.id)
            .limit(THREAD_LIMIT)
        )
    )


def _raw_of(connection: Connection, conversation_id: int, network_id: str | None) -> Any:
    """The stored payload of the message answered (a subject, a thread root, a comment's time)."""
    if network_id is None:
        return None
    return connection.scalar(
        select(messages.c.raw).where(
            messages.c.conversation_id == conversation_id, messages.c.network_message_id == network_id
        )
    )


def deliver_due(engine: Engine, connectors: Connectors, limit: int = 20) -> int:
    """Send what is due; the number of replies attempted.

    An account the network rate-limits waits alone: its other replies in the batch are put
    back until the network's reset, without trying them, and other accounts go on.
    """
    claims = claim_due(engine, limit)
    waiting: dict[int, RateLimited] = {}
    for claim in claims:
        if claim.brand_account_id in waiting:
            _record_failure(engine, claim, waiting[claim.brand_account_id])
            continue
        try:
            connector = connectors.for_account(claim.brand_account_id, claim.reply.network)
            _mark_send_started(engine, claim)
            network_id = connector.send(claim.reply)
        except RateLimited as error:
            waiting[claim.brand_account_id] = error
            _record_failure(engine, claim, error)
        except DeliveryError as error:
            _record_failure(engine, claim, error)
        except Exception as error:  # a bug or an unexpected library error: retried, logged
            log.exception("sending reply %s failed", claim.reply.message_id)
            _record_failure(engine, claim, error)
        else:
            _record_sent(engine, claim, network_id)
    return len(claims)


def _mark_send_started(engine: Engine, claim: Claim) -> None:
    with write_transaction(engine) as connection:
        connection.execute(
            update(outbox).where(outbox.c.id == claim.outbox_id).values(send_started_at=utcnow())
        )


def _record_sent(engine: Engine, claim: Claim, network_id: str) -> None:
    with write_transaction(engine) as connection:
        now = utcnow()
        connection.execute(
            update(outbox)
            .where(outbox.c.id == claim.outbox_id)
            .values(
                status=DeliveryStatus.SENT.value,
                sent_at=now,
                last_error=None,
                attempts=claim.attempts + 1,
                updated_at=now,
            )
        )
        connection.execute(
            update(messages)
            .where(messages.c.id == claim.reply.message_id)
            .values(network_message_id=network_id[:200])
        )
        _log_delivery(connection, claim, DeliveryStatus.SENT)


def _record_failure(engine: Engine, claim: Claim, error: BaseException) -> None:
    now = utcnow()
    reason = f"{type(error).__name__}: {error}"[:1000]
    attempts = claim.attempts
    if isinstance(error, RateLimited):  # the network's own schedule; spends no attempt
        status, next_attempt = DeliveryStatus.QUEUED, now + timedelta(seconds=max(error.retry_after_s, 1))
    elif isinstance(error, Permanent) or attempts + 1 >= MAX_ATTEMPTS:
        status, next_attempt, attempts = DeliveryStatus.FAILED, now, attempts + 1
    else:
        attempts += 1
        delay = min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_CAP)
        status, next_attempt = DeliveryStatus.QUEUED, now + delay * random.uniform(0.8, 1.2)  # noqa: S311
    with write_transaction(engine) as connection:
        if isinstance(error, AuthExpired):  # every reply of the account would fail the same way
            flag_account(connection, claim.brand_account_id, AccountStatus.NEEDS_REAUTH, str(error)[:500])
        connection.execute(
            update(outbox)
            .where(outbox.c.id == claim.outbox_id)
            .values(
                status=status.value,
                attempts=attempts,
                next_attempt_at=next_attempt,
                last_error=reason,
                updated_at=now,
            )
        )
        _log_delivery(connection, claim, status, error=reason)


def _log_delivery(
    connection: Connection, claim: Claim, status: DeliveryStatus, error: str | None = None
) -> None:
    record_event(
        connection,
        claim.workspace_id,
        claim.conversation_id,
        "delivery",
        message_id=claim.reply.message_id,
        status=status.value,
        error=error,
    )


def reclaim_stale(engine: Engine, older_than: timedelta = STALE_CLAIM) -> int:
    """Claims abandoned by a worker that died: never started, or started on a network that
    deduplicates by our key, are queued again; the others become "unknown" for a person to
    check, since the network may or may not have the reply."""
    with write_transaction(engine) as connection:
        now = utcnow()
        stale = connection.execute(
            select(
                outbox.c.id, outbox.c.message_id, outbox.c.send_started_at,
                messages.c.workspace_id, messages.c.conversation_id, messages.c.network,
            )
            .join(messages, messages.c.id == outbox.c.message_id)
            .where(outbox.c.status == DeliveryStatus.SENDING.value, outbox.c.claimed_at < now - older_than)
        ).all()  # fmt: skip
        for row in stale:
            window = send_dedupe_window(row.network)
            if row.send_started_at is None or (window is not None and now - row.send_started_at < window):
                status, reason = DeliveryStatus.QUEUED, None
            else:
                status = DeliveryStatus.UNKNOWN
                reason = "the worker stopped while sending: check the network before retrying"
            connection.execute(
                update(outbox)
                .where(outbox.c.id == row.id)
                .values(status=status.value, last_error=reason, next_attempt_at=now, updated_at=now)
            )
            record_event(
                connection, row.workspace_id, row.conversation_id, "delivery",
                message_id=row.message_id, status=status.value,
            )  # fmt: skip
        return len(stale)


class OutboxWorker(threading.Thread):
    """Delivers in the background of `caredesk serve` until stopped."""

    def __init__(self, engine: Engine, connectors: Connectors, poll_s: float = 0.5) -> None:
        super().__init__(name="caredesk-outbox", daemon=True)
        self.engine, self.connectors, self.poll_s = engine, connectors, poll_s
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        reclaim_stale(self.engine)
        while not self._stop_event.is_set():
            try:
                busy = deliver_due(self.engine, self.connectors)
            except Exception:
                log.exception("outbox worker pass failed")
                busy = 0
            if not busy:
                self._stop_event.wait(self.poll_s)
