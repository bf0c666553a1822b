"""Listening: what a workspace listens for on public networks, and what was heard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.clock import utcnow
from caredesk.db.types import Document, Id
from caredesk.listening.rules import RuleKind
from caredesk.models.base import Base, HasCreatedAt, HasId
from caredesk.models.enums import check_in


class ListeningRule(HasId, HasCreatedAt, Base):
    __tablename__ = "listening_rules"
    __table_args__ = (CheckConstraint(check_in("kind", RuleKind), name="kind"),)

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    terms: Mapped[list[str]] = mapped_column(Document)
    exclusions: Mapped[list[str] | None] = mapped_column(Document)
    # The brand account a brand/product rule's posts are answered from.
    brand_account_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("brand_accounts.id", ondelete="SET NULL")
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ListeningMatch(HasId, Base):
    """A public post a rule matched, kept for analysis whether or not it became a conversation."""

    __tablename__ = "listening_matches"
    __table_args__ = (
        UniqueConstraint("rule_id", "network", "network_message_id"),
        Index(None, "workspace_id", "matched_at"),
    )

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"))
    rule_id: Mapped[int] = mapped_column(Id, ForeignKey("listening_rules.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    network_message_id: Mapped[str] = mapped_column(String(200))
    author_platform_id: Mapped[str | None] = mapped_column(String(200))
    author_handle: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    term: Mapped[str] = mapped_column(String(200))
    posted_at: Mapped[datetime]
    matched_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the post needed care and became (part of) a conversation.
    conversation_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("conversations.id", ondelete="SET NULL")
    )
    raw: Mapped[dict[str, Any] | None] = mapped_column(Document)
