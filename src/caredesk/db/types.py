"""Column types shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

# A 64-bit id on PostgreSQL; on SQLite only INTEGER PRIMARY KEY is the fast rowid alias.
Id = BigInteger().with_variant(Integer(), "sqlite")

# JSON documents (raw network payloads): JSONB on PostgreSQL, JSON text on SQLite.
Document = JSON().with_variant(JSONB(), "postgresql")


class NaiveDatetimeError(ValueError):
    """A datetime without a timezone reached the database; Caredesk stores only aware UTC."""


def as_utc(value: datetime) -> datetime:
    """`value` in UTC; a naive datetime is refused, never guessed."""
    if value.tzinfo is None:
        raise NaiveDatetimeError(f"naive datetime {value!r}: pass an aware UTC datetime")
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def sqlite_utc_text(value: datetime) -> str:
    """How SQLite stores a moment: naive UTC, `YYYY-MM-DD HH:MM:SS.ffffff`."""
    # The first 26 characters of the aware UTC form, without its "+00:00".
    return as_utc(value).isoformat(" ", "microseconds")[:26]


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, on every backend.

    PostgreSQL uses `timestamptz`. SQLite has no timezone type: values are stored there as
    naive UTC text, `YYYY-MM-DD HH:MM:SS.ffffff` (SQLAlchemy's own SQLite format, so it sorts
    and compares correctly), written with `isoformat` because this runs for every message.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | str | None:
        if value is None:
            return None
        return sqlite_utc_text(value) if dialect.name == "sqlite" else as_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
