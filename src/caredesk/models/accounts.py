"""Brand accounts: one handle or page of the brand on one network."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.db.types import Id
from caredesk.models.base import Base, HasCreatedAt, HasId


class BrandAccount(HasId, HasCreatedAt, Base):
    __tablename__ = "brand_accounts"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "handle"),)

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(200))
    # The network's stable id for the account, when known (handles can be renamed).
    platform_id: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
