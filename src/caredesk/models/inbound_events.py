"""The inbound log: every webhook delivery, stored raw before anything reads it.

A webhook answers as soon as the delivery is verified and stored; a worker parses and ingests
it later. Nothing a network sent is lost to a parser bug: a failed event keeps its body and
its error until someone fixes the cause and replays it. Identical re-deliveries (networks
resend what was not acknowledged in time) are stored once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.clock import utcnow
from caredesk.db.types import Id
from caredesk.models.base import Base, HasId
from caredesk.models.enums import check_in


class InboundStatus(StrEnum):
    PENDING = "pending"
    PROCESSED = "processed"
    FAILED = "failed"  # unreadable or a bug: kept for replay


class InboundEvent(HasId, Base):
    __tablename__ = "inbound_events"
    __table_args__ = (
        CheckConstraint(check_in("status", InboundStatus), name="status"),
        UniqueConstraint("brand_account_id", "digest"),
        Index(None, "status", "id"),
    )

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"))
    brand_account_id: Mapped[int] = mapped_column(Id, ForeignKey("brand_accounts.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the body
    status: Mapped[str] = mapped_column(String(16), default=InboundStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
