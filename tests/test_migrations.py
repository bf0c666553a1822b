"""The migrations build exactly the schema the models describe, on this backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from caredesk.db.migrate import compare_type, is_current, migrate
from caredesk.models import Base


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": compare_type})
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
