"""The conversation event log: what happened, by whom, in order.

Written in the same transaction as the change it records. It is the audit trail
(reassignments with who and why) and the feed of live updates: every web process follows it,
so an agent sees what another process or machine did.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.db.types import Document, Id
from caredesk.models.base import Base, HasCreatedAt, HasId


class ConversationEvent(HasId, HasCreatedAt, Base):
    __tablename__ = "conversation_events"
    __table_args__ = (Index(None, "conversation_id", "id"),)

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(Id, ForeignKey("conversations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    actor_agent_id: Mapped[int | None] = mapped_column(Id, ForeignKey("agents.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any] | None] = mapped_column(Document)
