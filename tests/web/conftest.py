"""Fixtures for the web security tests.

`world` is the World of tests/web_support.py, built once per database backend and then
restored row by row into each test's fresh database (building it hashes seven passwords,
which costs a second). `client_for("agent")` is a client of the real app carrying a real
session of that person; `anonymous` is a signed-out one. Server errors come back as 500
answers rather than exceptions, so tests can assert "never 5xx".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.web.support import Rows, client, copy_world, dump, restore, signed_in
from tests.web_support import World, build_world

_BUILT: dict[str, tuple[World, Rows]] = {}


@pytest.fixture
def world(engine: Engine) -> World:
    backend = engine.dialect.name
    if backend not in _BUILT:
        built = build_world(engine)
        _BUILT[backend] = (copy_world(built), dump(engine))
        return built
    template, rows = _BUILT[backend]
    restore(engine, rows)
    return copy_world(template)


@pytest.fixture
def client_for(engine: Engine, world: World) -> Iterator[Callable[[str], TestClient]]:
    """`client_for("outsider")`: a signed-in client of the app for that person of the world."""
    made: list[TestClient] = []

    def make(person: str) -> TestClient:
        browser = signed_in(engine, world, person)
        made.append(browser)
        return browser

    yield make
    for browser in made:
        browser.close()


@pytest.fixture
def anonymous(engine: Engine, world: World) -> Iterator[TestClient]:
    """A signed-out client of the app."""
    browser = client(engine, world)
    yield browser
    browser.close()
