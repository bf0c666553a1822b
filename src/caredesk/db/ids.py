"""Row ids allocated before a bulk insert, so batches need no row-at-a-time RETURNING."""

from __future__ import annotations

from sqlalchemy import Connection, Table, func, select, text


def allocate_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """`count` fresh ids for `table`, valid until the surrounding transaction ends.

    PostgreSQL takes them from the table's sequence, so concurrent writers never collide.
    SQLite continues after the largest id: safe because Caredesk writes inside `BEGIN
    IMMEDIATE` (see `caredesk.db.engine.write_transaction`), which admits one writer at a time.
    """
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": table.name, "count": count},
        )
        return [int(value) for (value,) in rows]
    if not connection.in_transaction():
        raise RuntimeError("allocate ids inside the write transaction that inserts them")
    largest = connection.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    start = int(largest or 0) + 1
    return list(range(start, start + count))
