"""Schema migrations (Alembic), run from inside the installed package."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Engine

from caredesk.db.types import UTCDateTime


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "caredesk:migrations")
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of `engine`'s database up to `revision` (the newest by default)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def compare_type(
    _context: Any, _inspected_column: Any, _metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """Alembic's type comparison, told that `UTCDateTime` is a DATETIME column.

    On SQLite `UTCDateTime` binds through a string impl for speed, but the column is the
    DATETIME the migrations create; anything else falls back to Alembic's own comparison.
    """
    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, DateTime)
    return None


# Written by hand in the migrations, outside the models, and left out of comparisons:
# indexes on expressions (autogenerate cannot reflect them on SQLite) and the full-text
# search structures, which differ per database (caredesk.search).
HAND_WRITTEN_INDEXES = frozenset(
    {"ix_conversations_queue", "ix_conversations_queue_network", "ix_messages_text_search"}
)
FULL_TEXT_TABLES = "messages_fts"


def include_object(_object: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any) -> bool:
    """Alembic's filter of what autogenerate compares: all but what is written by hand."""
    if type_ == "index" and name in HAND_WRITTEN_INDEXES:
        return False
    return not (type_ == "table" and name is not None and name.startswith(FULL_TEXT_TABLES))
