"""Full-text search over message text: words, in any order, the last one as a prefix.

SQLite answers from an FTS5 index that `catch_up` fills after messages are stored (the
outbox worker calls it in the background; a search first indexes whatever is left, so
results are never stale). PostgreSQL answers from a GIN index it maintains itself.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, func, literal_column, select, text, update

from caredesk.db.engine import write_transaction
from caredesk.models.tables import messages, search_progress

MAX_WORDS = 12
_WORD = re.compile(r"\w+", re.UNICODE)
log = logging.getLogger(__name__)


def words(query: str) -> list[str]:
    """The words of a search, at most MAX_WORDS; punctuation and operators are not syntax."""
    return _WORD.findall(query.lower())[:MAX_WORDS]


def _fts5_query(found: list[str]) -> str:
    quoted = [f'"{word}"' for word in found]  # \w+ never holds a double quote
    quoted[-1] += "*"
    return " ".join(quoted)


def matching_messages(connection: Connection, query: str) -> ColumnElement[bool] | None:
    """A condition on `messages` rows containing every word of `query` (None: no words)."""
    found = words(query)
    if not found:
        return None
    if connection.dialect.name == "postgresql":
        tsquery = " & ".join([*found[:-1], f"{found[-1]}:*"])
        return func.to_tsvector(literal_column("'simple'"), messages.c.text).op("@@")(
            func.to_tsquery(literal_column("'simple'"), tsquery)
        )
    hits: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text("messages_fts"))
        .where(text("messages_fts MATCH :fts_query").bindparams(fts_query=_fts5_query(found)))
    )
    return messages.c.id.in_(hits.scalar_subquery())


def index_pending(engine: Engine, limit: int = 50_000) -> int:
    """Index what is waiting, in a write transaction of its own; how many messages."""
    if engine.dialect.name != "sqlite":
        return 0
    with write_transaction(engine) as connection:
        return catch_up(connection, limit)


class SearchIndexer(threading.Thread):
    """Keeps the SQLite full-text index current in the background of `caredesk serve`."""

    def __init__(self, engine: Engine, poll_s: float = 2.0) -> None:
        super().__init__(name="caredesk-search-index", daemon=True)
        self.engine, self.poll_s = engine, poll_s
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                busy = index_pending(self.engine, limit=5_000)
            except Exception:
                log.exception("search indexing pass failed")
                busy = 0
            if not busy:
                self._stop_event.wait(self.poll_s)


def catch_up(connection: Connection, limit: int = 50_000) -> int:
    """Index up to `limit` stored messages not indexed yet (SQLite); how many were indexed."""
    if connection.dialect.name != "sqlite":
        return 0
    done = int(
        connection.scalar(select(search_progress.c.indexed_through).where(search_progress.c.id == 1)) or 0
    )
    last = connection.scalar(
        select(func.max(messages.c.id)).where(messages.c.id > done, messages.c.id <= done + limit)
    )
    if last is None:
        return 0
    connection.execute(
        text(
            "INSERT INTO messages_fts (rowid, text)"
            " SELECT id, text FROM messages WHERE id > :done AND id <= :last"
        ),
        {"done": done, "last": last},
    )
    connection.execute(update(search_progress).where(search_progress.c.id == 1).values(indexed_through=last))
    return int(last) - done
