"""Engines for SQLite (default) and PostgreSQL, configured the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",  # durable at checkpoints; safe with WAL
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA cache_size=-65536",  # 64 MiB page cache
    "PRAGMA temp_store=MEMORY",
    "PRAGMA wal_autocheckpoint=10000",
)


class UnsupportedDatabaseError(ValueError):
    """The database URL names a backend Caredesk does not run on."""


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for `url`: `sqlite:///path` or `postgresql+psycopg://…`."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, **options)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        # psycopg prepares a statement server-side after a few runs, and PostgreSQL may then
        # settle on a generic plan made while the tables were small (a sequential scan) and
        # keep it as they grow. Ingest's lookups are cheap to plan with their real values.
        connect_args = {"options": "-c plan_cache_mode=force_custom_plan", **options.pop("connect_args", {})}
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)
    raise UnsupportedDatabaseError(
        f"unsupported database {backend!r}: use sqlite:///caredesk.db or "
        "postgresql+psycopg://user@host/dbname"
    )


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling issues BEGIN lazily and never IMMEDIATE; take it
    # over so writers can take the write lock up front (one writer at a time, no upgrade
    # deadlocks between a reading and a writing transaction).
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that holds the write lock from its first statement.

    On PostgreSQL this is an ordinary transaction (row locks do the work); on SQLite it is
    `BEGIN IMMEDIATE`, so two writers queue instead of failing on lock upgrade.
    """
    with (
        engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection,
        connection.begin(),
    ):
        yield connection
