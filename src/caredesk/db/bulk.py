"""Bulk inserts for the ingest hot path, straight to the driver's `executemany`.

SQLAlchemy's per-row parameter processing costs more than SQLite's own insert here, so
the rows are converted once per column by a function chosen from the column's type, and
handed to the DBAPI as tuples. The table definitions still come from the models.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table

from caredesk.db.types import UTCDateTime, as_utc, sqlite_utc_text

Convert = Callable[[Any], Any]


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT every row of `rows` (dicts with the same keys) into `table`."""
    if not rows:
        return
    columns = list(rows[0])
    pick = itemgetter(*columns)
    if len(columns) == 1:
        insert_tuples(connection, table, columns, [(pick(row),) for row in rows])
    else:
        insert_tuples(connection, table, columns, [pick(row) for row in rows])


def insert_tuples(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows`, each holding the values of `columns` in that order, into `table`."""
    if not rows:
        return
    dialect = connection.dialect.name
    defaults = _defaults(table, columns)
    fill = tuple(_convert(table.c[name].type, dialect, value) for name, value in defaults.items())
    converters = [
        (index, convert)
        for index, name in enumerate(columns)
        if (convert := _converter(table.c[name].type, dialect)) is not None
    ]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        value = list(row)
        for index, convert in converters:
            value[index] = convert(value[index])
        values.append((*value, *fill))
    quote = connection.dialect.identifier_preparer.quote
    names = [*columns, *defaults]
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    connection.exec_driver_sql(sql, values)


def _convert(column_type: Any, dialect: str, value: Any) -> Any:
    convert = _converter(column_type, dialect)
    return value if convert is None else convert(value)


def _defaults(table: Table, given: Sequence[str]) -> dict[str, Any]:
    """Python-side defaults of the columns `given` leaves out, evaluated once for the batch."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or not hasattr(default, "arg"):
            continue
        defaults[column.name] = default.arg(None) if callable(default.arg) else default.arg
    return defaults


def _converter(column_type: Any, dialect: str) -> Convert | None:
    if isinstance(column_type, UTCDateTime):
        return _sqlite_time if dialect == "sqlite" else _utc
    if isinstance(column_type, JSON):  # JSONB variant included: PostgreSQL casts the text
        return _json
    return None


@lru_cache(maxsize=65_536)
def _sqlite_time(value: datetime | None) -> str | None:
    # Cached: a conversation's timestamps are its messages' timestamps again.
    return None if value is None else sqlite_utc_text(value)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


_SURROGATE = re.compile("[\ud800-\udfff]")
# PostgreSQL's jsonb refuses the NUL character; networks deliver it anyway.
_JSON_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def _json(value: Any) -> str | None:
    if value is None:
        return None
    try:
        text = orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        # Lone surrogates (valid JSON escapes, refused by UTF-8 and by jsonb) become U+FFFD;
        # anything else orjson refuses (non-string keys) goes through the lenient encoder.
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
        text = _SURROGATE.sub("\ufffd", text)
    return _JSON_NUL.sub(r"\1\\ufffd", text) if "\\u0000" in text else text
