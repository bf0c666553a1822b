"""A conversation is one case: one customer, one brand account, at most one owner at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.clock import utcnow
from caredesk.db.types import Document, Id
from caredesk.models.base import Base, HasCreatedAt, HasId
from caredesk.models.enums import ConversationStatus, StartedBy, check_in


class Conversation(HasId, HasCreatedAt, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint(check_in("status", ConversationStatus), name="status"),
        CheckConstraint(check_in("started_by", StartedBy), name="started_by"),
        CheckConstraint("priority BETWEEN 0 AND 100", name="priority"),
        # Private messages thread into the contact's latest conversation on the account.
        Index(None, "brand_account_id", "contact_id", "last_message_at"),
        # The inbox: open conversations, most urgent first, then longest waiting.
        Index("ix_conversations_queue", "workspace_id", "status", text("priority DESC"), "waiting_since"),
        Index(None, "workspace_id", "last_message_at"),
        # The customer's other conversations, on every network.
        Index(None, "workspace_id", "contact_id", "last_message_at"),
        # "Mine": what an agent owns and has not resolved.
        Index(
            "ix_conversations_owner_open",
            "workspace_id",
            "owner_agent_id",
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"))
    # None while unrouted: a customer post whose receiving account is not known yet (in
    # imported history, the brand's own reply tells which account it was).
    brand_account_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("brand_accounts.id", ondelete="SET NULL")
    )
    contact_id: Mapped[int | None] = mapped_column(Id, ForeignKey("contacts.id", ondelete="SET NULL"))
    network: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.OPEN.value)
    owner_agent_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(Id, ForeignKey("teams.id", ondelete="SET NULL"))
    priority: Mapped[int] = mapped_column(default=0)
    # What triage found that the inbox shows: why this conversation comes first, and flags
    # such as "take private" (card numbers posted in public) or a competitor's customer.
    triage: Mapped[dict[str, Any] | None] = mapped_column(Document)
    # Taken private (seed 002): since when, and the public post whose thread must get a
    # closing reply when the case resolves, so the public record never ends unanswered.
    private_since: Mapped[datetime | None]
    public_post_id: Mapped[str | None] = mapped_column(String(200))

    # Derived from the messages by caredesk.ingest.summary; kept here so the inbox and the
    # reports never scan messages.
    started_by: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    first_customer_message_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    last_customer_message_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime]
    # The customer's first message after the brand's last one: None when the brand spoke last.
    waiting_since: Mapped[datetime | None]
    customer_message_count: Mapped[int] = mapped_column(default=0)
    brand_message_count: Mapped[int] = mapped_column(default=0)

    resolved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
