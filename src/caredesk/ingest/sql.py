"""Small helpers for the batched queries ingest runs."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY


def among(connection: Connection, column: ColumnElement[Any], values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN values` as one bound array, however many values there are.

    An IN list of thousands of parameters is compiled anew for every batch; one array
    parameter keeps the statement cached. SQLite unpacks a JSON array with `json_each`,
    PostgreSQL compares with `= ANY(array)`; both use the column's index.
    """
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    unpacked: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(list(values))))
    )
    return column.in_(unpacked.scalar_subquery())


def clean_text(value: str) -> str:
    """Text as PostgreSQL can store it: NUL characters are dropped (SQLite would keep them)."""
    return value.replace("\x00", "") if "\x00" in value else value


def clip(value: str | None, length: int = 200) -> str | None:
    """A display string cut to its column's length; hostile sources send megabyte names."""
    if value is None:
        return None
    return clean_text(value)[:length]
