"""Brand accounts: one handle or page of the brand on one network, and how we reach it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.clock import utcnow
from caredesk.db.types import Document, Id
from caredesk.models.base import Base, HasCreatedAt, HasId
from caredesk.models.enums import check_in


class AccountStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"  # the network refused its credentials: a person must renew them
    PAUSED = "paused"  # an admin stopped receiving and sending


class BrandAccount(HasId, HasCreatedAt, Base):
    __tablename__ = "brand_accounts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "network", "handle"),
        CheckConstraint(check_in("status", AccountStatus), name="status"),
    )

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(200))
    # The network's stable id for the account, when known (handles can be renamed).
    platform_id: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    # What the connector needs that may be shown (an API base URL, a page id).
    settings: Mapped[dict[str, Any] | None] = mapped_column(Document)
    # Tokens and app secrets, encrypted (caredesk.connectors.secrets); never shown back.
    secrets: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=AccountStatus.ACTIVE.value)
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Where receiving resumes: a poller's since_id, a firehose sequence number.
    cursor: Mapped[str | None] = mapped_column(String(200))
    # The unguessable part of this account's webhook address.
    webhook_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
