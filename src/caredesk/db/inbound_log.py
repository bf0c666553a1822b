"""Where webhook deliveries are written first.

On PostgreSQL, the `inbound_events` table of the main database: inserts there never wait on
other transactions. On SQLite, which has one write lock per database, a database file of its
own beside the main one (`<main file>-inbound`): storing a delivery then never waits for a
worker's ingest transaction, so webhooks answer in milliseconds while the backlog is being
processed. A worker reads from the log, ingests into the main database, then marks the
delivery processed in the log; a crash between the two repeats the ingest, which its unique
keys make harmless.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlalchemy import Column, Engine, Index, MetaData, Table, UniqueConstraint, event

from caredesk.db.engine import make_engine
from caredesk.models.tables import inbound_events

# The same table without its foreign keys: the workspaces and accounts live in the main file.
_LOG = Table(
    inbound_events.name,
    MetaData(),
    *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable) for c in inbound_events.c),
    UniqueConstraint("brand_account_id", "digest"),
    Index("ix_inbound_events_status_id", "status", "id"),
)
_logs: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def inbound_log(engine: Engine) -> Engine:
    """The engine that holds `engine`'s inbound log (the same one on PostgreSQL)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return engine
    with _lock:
        log = _logs.get(engine)
        if log is None:
            log = make_engine(f"sqlite:///{database}-inbound")
            _never_checkpoint_on_commit(log)
            _LOG.create(log, checkfirst=True)
            _logs[engine] = log
        return log


def _never_checkpoint_on_commit(log: Engine) -> None:
    """A commit that crosses the WAL's size runs a checkpoint, and a checkpoint waits for the
    disk (fsync): seconds on a busy virtual disk, during which no delivery could be stored.
    The writer checkpoints when it is idle instead (`checkpoint_when_idle`)."""

    @event.listens_for(log, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def checkpoint_when_idle(log: Engine) -> None:
    """Move the log's WAL into the database file without blocking writers (SQLite only)."""
    if log.dialect.name == "sqlite":
        with log.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
