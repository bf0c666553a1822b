"""Alembic environment: migrations run on the connection that `caredesk.db.migrate` passes in."""

from alembic import context
from sqlalchemy import Connection

from caredesk.db.migrate import compare_type, include_object
from caredesk.models import Base

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by table copy
        compare_type=compare_type,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `caredesk migrate`, which passes the connection")
run(connection)
