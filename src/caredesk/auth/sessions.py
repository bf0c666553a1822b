"""Sessions: a random token in an HttpOnly cookie, only its SHA-256 in the database."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, delete, insert, select, update

from caredesk.clock import utcnow
from caredesk.models.tables import agent_sessions, agents

SESSION_LIFETIME = timedelta(hours=12)
_TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The agent behind a session cookie."""

    session_id: int
    agent_id: int
    workspace_id: int
    csrf_token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(connection: Connection, agent_id: int) -> tuple[str, str]:
    """A new session for `agent_id`: (cookie token, CSRF token), 256 random bits each."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    connection.execute(
        insert(agent_sessions).values(
            agent_id=agent_id,
            token_hash=token_hash(token),
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token, csrf


def signed_in(connection: Connection, token: str | None) -> SignedIn | None:
    """The live session of an active agent for this cookie token, or None."""
    if not token:
        return None
    now = utcnow()
    row = connection.execute(
        select(
            agent_sessions.c.id,
            agent_sessions.c.agent_id,
            agent_sessions.c.csrf_token,
            agent_sessions.c.last_seen_at,
            agents.c.workspace_id,
        )
        .join(agents, agents.c.id == agent_sessions.c.agent_id)
        .where(
            agent_sessions.c.token_hash == token_hash(token),
            agent_sessions.c.expires_at > now,
            agents.c.is_active.is_(True),
        )
    ).first()
    if row is None:
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        connection.execute(
            update(agent_sessions).where(agent_sessions.c.id == row.id).values(last_seen_at=now)
        )
    return SignedIn(row.id, row.agent_id, row.workspace_id, row.csrf_token)


def end_session(connection: Connection, token: str) -> None:
    connection.execute(delete(agent_sessions).where(agent_sessions.c.token_hash == token_hash(token)))


def end_all_sessions(connection: Connection, agent_id: int) -> None:
    """Sign the agent out everywhere: after a password or role change, or deactivation."""
    connection.execute(delete(agent_sessions).where(agent_sessions.c.agent_id == agent_id))
