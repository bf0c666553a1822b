"""INSERT … ON CONFLICT DO NOTHING, for both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_if_absent(connection: Connection, table: Table, conflict: list[str], **values: Any) -> bool:
    """Insert one row unless a row with the same `conflict` columns exists; whether it did."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
    return connection.execute(statement).rowcount == 1
