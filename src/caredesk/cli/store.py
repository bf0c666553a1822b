"""Opening the store from the command line: engine, migrations, friendly errors."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from caredesk.db.engine import UnsupportedDatabaseError, make_engine
from caredesk.db.migrate import migrate

err = Console(stderr=True)


@dataclass(slots=True)
class CliState:
    database_url: str
    _engine: Engine | None = None

    def engine(self) -> Engine:
        """The store, migrated to the newest schema (migrations run on start)."""
        if self._engine is None:
            self._engine = open_store(self.database_url)
        return self._engine


def open_store(database_url: str) -> Engine:
    try:
        engine = make_engine(database_url)
        migrate(engine)
    except (ArgumentError, UnsupportedDatabaseError) as error:
        fail(f"bad database URL {database_url!r}: {error}")
    except OperationalError as error:
        where = make_url(database_url).render_as_string(hide_password=True)
        fail(
            f"cannot open the database {where}: {error.orig}\n"
            "Check CAREDESK_DATABASE_URL or --database (is PostgreSQL running? is the path writable?)."
        )
    return engine


def fail(message: str) -> typer.Exit:
    """Print an error that tells the user what to do, and exit with status 1."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(1)
