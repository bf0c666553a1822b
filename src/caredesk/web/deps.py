"""Request dependencies: the store, the signed-in agent, CSRF."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection, Engine

from caredesk.access import Viewer, load_viewer
from caredesk.auth.sessions import SignedIn, signed_in
from caredesk.db.engine import write_transaction

SESSION_COOKIE = "caredesk_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequiredError(Exception):
    """No valid session: pages redirect to the login form, the API answers 401."""


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def reading(request: Request) -> Iterator[Connection]:
    with engine_of(request).connect() as connection:
        yield connection


def writing(request: Request) -> Iterator[Connection]:
    with write_transaction(engine_of(request)) as connection:
        yield connection


@dataclass(frozen=True, slots=True)
class Session:
    signed_in: SignedIn
    viewer: Viewer
    token: str


def session(request: Request) -> Session:
    token = request.cookies.get(SESSION_COOKIE)
    with engine_of(request).connect() as connection:
        found = signed_in(connection, token)
        if found is None or token is None:
            raise LoginRequiredError
        viewer = load_viewer(connection, found.agent_id)
        connection.commit()  # keeps the last-seen touch
    if request.method in UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), found.csrf_token.encode()):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    return Session(found, viewer, token)


def viewer(current: Session = Depends(session)) -> Viewer:  # noqa: B008
    return current.viewer
