"""Sessions made from an account's app password, kept per process and refreshed on expiry.

Creating a session is rate limited hard on bsky.social (30 per 5 minutes, 300 per day per
account), so a session lives as long as its tokens do: the access token is refreshed with
the refresh token when it expires, and the app password is used again only when the refresh
token is refused too. A password that is refused (wrong or revoked) is `AuthExpired`.
Sessions are kept in memory only: a new process logs in once per account.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from caredesk.connectors.base import AccountConfig, AuthExpired, Transient
from caredesk.connectors.bluesky.xrpc import SessionRejected, Xrpc

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Session:
    did: str
    handle: str
    access_jwt: str
    refresh_jwt: str

    def __repr__(self) -> str:  # never show tokens, even in a traceback's locals
        return f"Session(did={self.did!r}, handle={self.handle!r})"


class Sessions:
    """Live sessions by (service, identifier, password): one login per account per process."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str, str], Session] = {}
        self._lock = threading.Lock()

    def call(self, xrpc: Xrpc, account: AccountConfig, request: Callable[[Session], T]) -> T:
        """Run `request` with a live session for `account`, refreshing or logging in again
        once if the server refuses the session it was given."""
        identifier, password = _identifier(account), account.secret("app_password")
        key = (xrpc.service, identifier, hashlib.sha256(password.encode()).hexdigest())
        session = self._current(xrpc, key, identifier, password)
        try:
            return request(session)
        except SessionRejected as rejected:
            session = self._renew(xrpc, key, identifier, password, session, rejected.expired)
        try:
            return request(session)
        except SessionRejected:
            with self._lock:
                self._by_key.pop(key, None)
            raise Transient("bluesky refused a session it had just issued: will log in again") from None

    def _current(self, xrpc: Xrpc, key: tuple[str, str, str], identifier: str, password: str) -> Session:
        with self._lock:
            session = self._by_key.get(key)
            if session is None:
                session = self._by_key[key] = _create(xrpc, identifier, password)
            return session

    def _renew(
        self,
        xrpc: Xrpc,
        key: tuple[str, str, str],
        identifier: str,
        password: str,
        refused: Session,
        expired: bool,
    ) -> Session:
        with self._lock:
            session = self._by_key.get(key)
            if session is not None and session is not refused:
                return session  # another thread renewed it meanwhile
            fresh: Session | None = None
            if expired:
                try:
                    fresh = _session_of(
                        xrpc.procedure("com.atproto.server.refreshSession", {}, token=refused.refresh_jwt)
                    )
                except SessionRejected:
                    fresh = None
            if fresh is None:
                fresh = _create(xrpc, identifier, password)
            self._by_key[key] = fresh
            return fresh


def _identifier(account: AccountConfig) -> str:
    """The brand's DID when known (a handle can change), else its handle."""
    return account.platform_id or account.handle.removeprefix("@")


def _create(xrpc: Xrpc, identifier: str, password: str) -> Session:
    try:
        answer = xrpc.procedure(
            "com.atproto.server.createSession", {"identifier": identifier, "password": password}
        )
    except SessionRejected as rejected:
        raise AuthExpired(f"bluesky refused the app password of {identifier}: {rejected}") from None
    return _session_of(answer)


def _session_of(answer: dict[str, Any]) -> Session:
    fields = [answer.get(name) for name in ("did", "handle", "accessJwt", "refreshJwt")]
    if not all(isinstance(value, str) and value for value in fields):
        raise Transient("bluesky answered a session request without its tokens")
    did, handle, access, refresh = (str(value) for value in fields)
    return Session(did, handle, access, refresh)
