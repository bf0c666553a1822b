"""The migrations build exactly the schema the models describe, on this backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from caredesk.db.migrate import compare_type, include_object, is_current, migrate
from caredesk.models import Base


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": compare_type, "include_object": include_object}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_again_is_a_no_op(engine: Engine) -> None:
    assert is_current(engine)
    migrate(engine)
    assert is_current(engine)
    assert {"conversations", "messages", "identities", "alembic_version"} <= set(
        inspect(engine).get_table_names()
    )


def test_sqlite_runs_in_wal_mode(engine: Engine, backend: str) -> None:
    if backend != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_0002_backfills_how_long_customers_have_been_waiting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from caredesk.db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0001")
    times = ["2017-10-31 10:00:00.000000", "2017-10-31 10:05:00.000000", "2017-10-31 10:09:00.000000"]
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspaces (id, slug, name, created_at) VALUES (1, 'w', 'w', :t)"),
            {"t": times[0]},
        )
        for conversation in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO conversations (id, workspace_id, network, status, priority, started_by,"
                    " started_at, last_message_at, customer_message_count, brand_message_count,"
                    " created_at, updated_at)"
                    " VALUES (:id, 1, 'x', 'open', 0, 'customer', :t, :t, 0, 0, :t, :t)"
                ),
                {"id": conversation, "t": times[0]},
            )
        directions = [(1, "inbound"), (1, "outbound"), (1, "inbound"), (2, "inbound"), (2, "outbound")]
        for number, ((conversation, direction), at) in enumerate(
            zip(directions, times + times[:2], strict=True)
        ):
            connection.execute(
                text(
                    "INSERT INTO messages (id, workspace_id, conversation_id, network, direction,"
                    " visibility, text, created_at, received_at)"
                    " VALUES (:id, 1, :c, 'x', :d, 'public', 'hi', :t, :t)"
                ),
                {"id": number + 1, "c": conversation, "d": direction, "t": at},
            )
    migrate(engine)
    with engine.connect() as connection:
        waiting = dict(connection.execute(text("SELECT id, waiting_since FROM conversations")).all())
    assert waiting == {1: times[2], 2: None}
