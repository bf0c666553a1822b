"""Messages: inbound from customers, outbound from the brand, and internal notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.clock import utcnow
from caredesk.db.types import Document, Id
from caredesk.models.base import Base, HasId
from caredesk.models.enums import Direction, Visibility, check_in


class Message(HasId, Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(check_in("direction", Direction), name="direction"),
        CheckConstraint(check_in("visibility", Visibility), name="visibility"),
        # Ingestion is idempotent: one message per (network, account, network message id).
        # Its prefix is also how threading finds a message by its network id.
        Index(
            "uq_messages_network_id",
            "workspace_id",
            "network",
            "network_message_id",
            "brand_account_id",
            unique=True,
        ),
        # SQL treats NULLs as distinct, so unrouted messages need their own unique index.
        Index(
            "uq_messages_unrouted_network_id",
            "workspace_id",
            "network",
            "network_message_id",
            unique=True,
            sqlite_where=text("brand_account_id IS NULL"),
            postgresql_where=text("brand_account_id IS NULL"),
        ),
        # Out-of-order arrival: a parent finds the replies that came before it.
        Index(
            "ix_messages_reply_to",
            "workspace_id",
            "network",
            "reply_to_network_id",
            sqlite_where=text("reply_to_network_id IS NOT NULL"),
            postgresql_where=text("reply_to_network_id IS NOT NULL"),
        ),
        Index(None, "conversation_id", "created_at"),
    )

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(Id, ForeignKey("conversations.id", ondelete="CASCADE"))
    # The account the message was received on or sent from; None when not known (see
    # Conversation.brand_account_id).
    brand_account_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("brand_accounts.id", ondelete="SET NULL")
    )
    network: Mapped[str] = mapped_column(String(32))
    network_message_id: Mapped[str | None] = mapped_column(String(200))
    reply_to_network_id: Mapped[str | None] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16))
    author_identity_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("identities.id", ondelete="SET NULL")
    )
    author_agent_id: Mapped[int | None] = mapped_column(Id, ForeignKey("agents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    # The payload exactly as the network (or the import file) gave it.
    raw: Mapped[dict[str, Any] | None] = mapped_column(Document)
    # What triage found in an inbound message (caredesk.triage): language, sentiment, intent,
    # PII spans, urgency and their reasons.
    triage: Mapped[dict[str, Any] | None] = mapped_column(Document)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
