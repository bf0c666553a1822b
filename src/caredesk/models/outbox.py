"""The outbox: outbound messages waiting to go to their network, sent exactly once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.clock import utcnow
from caredesk.db.types import Id
from caredesk.models.base import Base, HasCreatedAt, HasId
from caredesk.models.enums import check_in


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # waiting for a worker (again, after a transient failure)
    SENDING = "sending"  # claimed by a worker (send_started_at: the request may be out)
    SENT = "sent"  # the network accepted it and gave its id
    FAILED = "failed"  # a permanent failure, or retries used up: a person must look
    UNKNOWN = "unknown"  # a worker died mid-send: it may or may not have gone out


class OutboxItem(HasId, HasCreatedAt, Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(check_in("status", DeliveryStatus), name="status"),
        Index(None, "status", "next_attempt_at"),
    )

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(Id, ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    # Set just before the network is asked. A claim abandoned before it is safe to send
    # again; one abandoned after it may have gone out (R1, R2).
    send_started_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
