"""Helpers for the web security tests: signed-in clients, the world's rows, and what changed."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, delete, func, insert, select, text

from caredesk.auth.sessions import start_session
from caredesk.connectors.loopback import LoopbackConnector
from caredesk.connectors.registry import Connectors
from caredesk.db.engine import write_transaction
from caredesk.models import Base
from caredesk.web.app import create_app
from caredesk.web.deps import CSRF_HEADER, SESSION_COOKIE
from tests.web_support import TEST_VAULT, World

HTML = {"accept": "text/html"}
MISSING_ID = 987_654  # no object in the world has this id
# Tables a request may touch without changing anything a user could see.
BOOKKEEPING = frozenset({"agent_sessions", "login_attempts", "search_progress"})

Rows = dict[str, list[dict[str, Any]]]


def client(
    engine: Engine, world: World, *, secure_cookies: bool = False, base_url: str = "http://testserver"
) -> TestClient:
    """A signed-out client of the real app; server errors come back as 500 answers."""
    app = create_app(
        engine,
        connectors=Connectors(fallback=world.loopback),
        secure_cookies=secure_cookies,
        vault=TEST_VAULT,
    )
    return TestClient(app, base_url=base_url, raise_server_exceptions=False)


def open_session(engine: Engine, agent_id: int) -> tuple[str, str]:
    """A real session for the agent, as a successful login starts it: (cookie token, CSRF token)."""
    with write_transaction(engine) as connection:
        return start_session(connection, agent_id)


def signed_in(engine: Engine, world: World, person: str) -> TestClient:
    """A client carrying `person`'s session cookie and CSRF header (no password hashing: fast)."""
    token, csrf = open_session(engine, world.agents[person])
    browser = client(engine, world)
    browser.cookies.set(SESSION_COOKIE, token)
    browser.headers[CSRF_HEADER] = csrf
    return browser


def dump(engine: Engine) -> Rows:
    """Every row of every table, by table name."""
    with engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in Base.metadata.sorted_tables
        }


def restore(engine: Engine, rows: Rows) -> None:
    """Make the database hold exactly `rows` (ids included); sequences continue after them."""
    tables = Base.metadata.sorted_tables
    with write_transaction(engine) as connection:
        for table in reversed(tables):
            connection.execute(delete(table))
        for table in tables:
            if rows.get(table.name):
                connection.execute(insert(table), rows[table.name])
        if engine.dialect.name == "postgresql":
            for table in tables:
                if rows.get(table.name) and "id" in table.c and table.c.id.autoincrement:
                    connection.execute(
                        text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                        {"table": table.name, "last": max(row["id"] for row in rows[table.name])},
                    )


def copy_world(world: World) -> World:
    """The same people and conversations, with a loopback network of its own."""
    return dataclasses.replace(
        world,
        agents=dict(world.agents),
        emails=dict(world.emails),
        conversations=dict(world.conversations),
        loopback=LoopbackConnector(),
    )


def state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """What users can see of the store: every table but sessions and bookkeeping, rows sorted."""
    with engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
            if table.name not in BOOKKEEPING
        }


def changes(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """The tables whose rows differ, with the rows added and removed: empty when nothing changed."""
    found = []
    for name, rows in after.items():
        old = before.get(name, [])
        if rows != old:
            added = [row for row in rows if row not in old]
            removed = [row for row in old if row not in rows]
            found.append(f"{name}: +{added} -{removed}")
    return found


def count(engine: Engine, table_name: str) -> int:
    table = Base.metadata.tables[table_name]
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def login_token(browser: TestClient, path: str = "/login") -> str:
    """Open the login form; the CSRF token it carries (its cookie is now set on `browser`)."""
    form = browser.get(path)
    found = re.search(r'name="csrf_token" value="([^"]*)"', form.text)
    assert form.status_code == 200 and found, form.text
    return found.group(1)


def log_in(browser: TestClient, email: str, password: str, **fields: str) -> Response:
    """Submit the login form as a browser does, without following the redirect."""
    data = {"email": email, "password": password, "csrf_token": login_token(browser), **fields}
    return browser.post("/login", data=data, follow_redirects=False)
