"""Who is looking at or typing in a conversation right now, for collision notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.db.types import Id
from caredesk.models.base import Base


class Presence(Base):
    __tablename__ = "presence"

    conversation_id: Mapped[int] = mapped_column(
        Id, ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[int] = mapped_column(Id, ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    typing_until: Mapped[datetime | None]
    seen_at: Mapped[datetime]
