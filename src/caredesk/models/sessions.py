"""Login sessions and the failed attempts that throttle logins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.db.types import Id
from caredesk.models.base import Base, HasCreatedAt, HasId


class AgentSession(HasId, HasCreatedAt, Base):
    """A signed-in browser. Only a hash of its token is stored; the token lives in a cookie."""

    __tablename__ = "agent_sessions"

    agent_id: Mapped[int] = mapped_column(Id, ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class LoginAttempt(HasId, HasCreatedAt, Base):
    """A failed login, kept a while to throttle guessing by e-mail and by address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index(None, "email", "created_at"), Index(None, "ip", "created_at"))

    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
