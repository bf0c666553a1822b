"""Contacts are people; identities are their accounts on each network.

One contact may hold identities on several networks, which is how Caredesk recognises the
same customer on X, Bluesky and e-mail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.clock import utcnow
from caredesk.db.types import Id
from caredesk.models.base import Base, HasCreatedAt, HasId


class Contact(HasId, HasCreatedAt, Base):
    __tablename__ = "contacts"

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))


class Identity(HasId, HasCreatedAt, Base):
    __tablename__ = "identities"
    __table_args__ = (
        # Ingestion is idempotent per person: one identity per (network, platform user id).
        Index(None, "workspace_id", "network", "platform_user_id", unique=True),
    )

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(Id, ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(32))
    platform_user_id: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    followers: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
