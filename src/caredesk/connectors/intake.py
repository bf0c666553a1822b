"""Receiving: webhook deliveries stored raw then processed, and polls stored with their cursor.

A webhook only verifies and stores (`DeliveryWriter`, in the inbound log: see
`caredesk.db.inbound_log`), so the network gets its 200 at once and nothing is lost to a slow
or failing parser. `process_pending` parses stored deliveries and ingests their messages; the
events are marked processed with the messages they produced (in the same transaction where
the log shares the database), and a poll's cursor advances in the same transaction as the
messages it found (R9), so a crash at any point repeats work rather than losing it, and
ingest's unique keys make the repeat harmless.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Connection, Engine, select, update

from caredesk.clock import utcnow
from caredesk.connectors.accounts import load_account, save_cursor
from caredesk.connectors.base import AccountConfig, MalformedEvent, Polled
from caredesk.connectors.networks import network, receives_webhooks
from caredesk.connectors.secrets import Vault
from caredesk.db.engine import write_transaction
from caredesk.db.inbound_log import checkpoint_when_idle, inbound_log
from caredesk.db.upsert import insert_if_absent
from caredesk.ingest.inbound import InboundMessage
from caredesk.ingest.pipeline import Ingestor
from caredesk.models import InboundStatus
from caredesk.models.tables import inbound_events

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CHECKPOINT_EVERY = 1_000  # deliveries between checkpoints of the inbound log, when idle


def _insert_delivery(connection: Connection, account: AccountConfig, body: bytes) -> bool:
    return insert_if_absent(
        connection,
        inbound_events,
        ["brand_account_id", "digest"],
        workspace_id=account.workspace_id,
        brand_account_id=account.account_id,
        network=account.network,
        body=body,
        digest=hashlib.sha256(body).hexdigest(),
        received_at=utcnow(),
    )


class DeliveryWriter:
    """Stores webhook deliveries from many request threads with one writer (group commit).

    Each caller waits until its delivery is committed. Deliveries that arrive while a
    transaction is being written go into the next one together, so a burst costs one commit
    per batch, and request threads never queue on the database's write lock themselves
    (SQLite's busy wait sleeps in steps of milliseconds, which is what made bursts slow).
    """

    def __init__(self, engine: Engine, max_batch: int = 500) -> None:
        self.engine, self.max_batch = inbound_log(engine), max_batch
        self._queue: queue.SimpleQueue[tuple[AccountConfig, bytes, Future[bool]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def store(self, account: AccountConfig, body: bytes, timeout_s: float = 30.0) -> bool:
        """Keep a verified delivery for processing; False when the same one was already
        stored (networks re-send). Raises what the write raised."""
        done: Future[bool] = Future()
        self._queue.put((account, body, done))
        self._ensure_running()
        return done.result(timeout_s)

    def _ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="caredesk-webhook-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        written = 0
        while True:
            # When idle; under a burst that never pauses, at last anyway (the WAL must not grow
            # without bound).
            if written >= CHECKPOINT_EVERY and (self._queue.empty() or written >= 20 * CHECKPOINT_EVERY):
                checkpoint_when_idle(self.engine)
                written = 0
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                with write_transaction(self.engine) as connection:
                    stored = [_insert_delivery(connection, account, body) for account, body, _ in batch]
            except Exception as error:  # each caller answers 5xx; the network sends it again
                for _, _, done in batch:
                    done.set_exception(error)
            else:
                for (_, _, done), fresh in zip(batch, stored, strict=True):
                    done.set_result(fresh)
                written += len(batch)


@dataclass
class Intake:
    """Turns what connectors received into conversations, one ingestor per workspace."""

    engine: Engine
    vault: Vault
    reopen_window: timedelta = timedelta(days=7)
    _ingestors: dict[int, Ingestor] = field(default_factory=dict)

    def ingestor(self, workspace_id: int) -> Ingestor:
        if workspace_id not in self._ingestors:
            self._ingestors[workspace_id] = Ingestor(
                self.engine, workspace_id, reopen_window=self.reopen_window, live=True, triage=True
            )
        return self._ingestors[workspace_id]

    def store_polled(self, account: AccountConfig, polled: Polled) -> int:
        """Ingest a poll's messages and advance the account's cursor in one transaction."""
        result = self.ingestor(account.workspace_id).ingest(
            polled.messages,
            also=lambda connection: save_cursor(connection, account.account_id, polled.cursor),
        )
        return result.stored

    def store_received(
        self,
        account: AccountConfig,
        messages: list[InboundMessage],
        also: Callable[[Connection], None] | None = None,
    ) -> int:
        return self.ingestor(account.workspace_id).ingest(messages, also=also).stored

    def process_pending(self, limit: int = 100) -> int:
        """Parse and ingest up to `limit` stored deliveries; the number handled."""
        with inbound_log(self.engine).connect() as connection:
            pending = connection.execute(
                select(inbound_events.c.id, inbound_events.c.brand_account_id, inbound_events.c.body,
                       inbound_events.c.attempts)
                .where(inbound_events.c.status == InboundStatus.PENDING.value)
                .order_by(inbound_events.c.id)
                .limit(limit)
            ).all()  # fmt: skip
        by_account: dict[int, list[tuple[int, bytes, int]]] = {}
        for row in pending:
            by_account.setdefault(row.brand_account_id, []).append((row.id, row.body, row.attempts))
        for account_id, events in by_account.items():
            self._process_account(account_id, events)
        return len(pending)

    def _process_account(self, account_id: int, events: list[tuple[int, bytes, int]]) -> None:
        with self.engine.connect() as connection:
            account = load_account(connection, self.vault, account_id)
        receiver = receives_webhooks(network(account.network)) if account is not None else None
        if account is None or receiver is None:
            self._fail([event_id for event_id, _, _ in events], "the account no longer receives webhooks")
            return
        messages: list[InboundMessage] = []
        parsed: list[int] = []
        for event_id, body, attempts in events:
            try:
                messages.extend(receiver.parse(account, body))
            except MalformedEvent as error:
                self._fail([event_id], f"unreadable delivery: {error}")
            except Exception as error:  # a parser bug: kept for replay once fixed
                log.exception("parsing inbound event %s failed", event_id)
                self._fail([event_id], f"{type(error).__name__}: {error}", retry=attempts + 1 < MAX_ATTEMPTS)
            else:
                parsed.append(event_id)
        if not parsed:
            return
        events_log = inbound_log(self.engine)
        if events_log is self.engine:  # one database: marked processed with the messages, atomically
            self.store_received(
                account, messages, also=lambda connection: _mark_processed(connection, parsed)
            )
        else:  # the log is apart (SQLite): marked once the messages are committed
            self.store_received(account, messages)
            with write_transaction(events_log) as connection:
                _mark_processed(connection, parsed)

    def _fail(self, event_ids: list[int], reason: str, *, retry: bool = False) -> None:
        with write_transaction(inbound_log(self.engine)) as connection:
            connection.execute(
                update(inbound_events)
                .where(inbound_events.c.id.in_(event_ids))
                .values(
                    status=(InboundStatus.PENDING if retry else InboundStatus.FAILED).value,
                    attempts=inbound_events.c.attempts + 1,
                    error=reason[:2000],
                )
            )


def _mark_processed(connection: Connection, event_ids: list[int]) -> None:
    connection.execute(
        update(inbound_events)
        .where(inbound_events.c.id.in_(event_ids))
        .values(status=InboundStatus.PROCESSED.value, processed_at=utcnow(), error=None)
    )
