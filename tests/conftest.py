"""Fixtures: a migrated store per test, on SQLite (default) or PostgreSQL.

Set CAREDESK_TEST_DATABASE_URL=postgresql+psycopg://… to run the whole suite on PostgreSQL;
`.ci/run` does both.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, text

from caredesk.db.engine import make_engine
from caredesk.db.migrate import migrate
from caredesk.ingest.pipeline import Ingestor
from caredesk.models import Base
from caredesk.workspaces import ensure_workspace

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from tests.web_support import World

POSTGRES_URL = os.environ.get("CAREDESK_TEST_DATABASE_URL")
SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE = Path(__file__).resolve().parents[1] / "src" / "caredesk" / "demo" / "twcs_head5000.csv"
T0 = datetime(2017, 10, 31, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A moment `minutes` after T0, for readable test timelines."""
    return T0 + timedelta(minutes=minutes)


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if POSTGRES_URL else "sqlite"


@pytest.fixture(scope="session")
def _postgres_engine() -> Iterator[Engine | None]:
    if not POSTGRES_URL:
        yield None
        return
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "caredesk.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def database_url(_postgres_engine: Engine | None, _sqlite_template: Path, tmp_path: Path) -> str:
    """A freshly migrated, empty database for this test."""
    if _postgres_engine is not None:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with _postgres_engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        assert POSTGRES_URL
        return POSTGRES_URL
    path = tmp_path / "caredesk.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def workspace(engine: Engine) -> int:
    return ensure_workspace(engine, "acme")


@pytest.fixture
def ingestor(engine: Engine, workspace: int) -> Ingestor:
    return Ingestor(engine, workspace, create_accounts=True)


@pytest.fixture
def world(engine: Engine) -> World:
    from tests.web_support import build_world

    return build_world(engine)


@pytest.fixture
def client_as(engine: Engine, world: World) -> Iterator[Callable[[str], TestClient]]:
    """`client_as("agent")`: a fresh signed-in client for that person of the world."""
    from tests.web_support import app_for, sign_in

    clients = []

    def make(person: str) -> TestClient:
        client = app_for(engine, world)
        clients.append(client)
        sign_in(client, world.emails[person])
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id with test-sized parameters: the same code path, milliseconds instead of 100 ms."""
    from argon2 import PasswordHasher

    from caredesk.auth import passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = production
