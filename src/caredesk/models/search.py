"""How far the full-text index has got (SQLite indexes messages after they are stored)."""

from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from caredesk.db.types import Id
from caredesk.models.base import Base


class SearchProgress(Base):
    __tablename__ = "search_progress"

    id: Mapped[int] = mapped_column(Id, primary_key=True)  # one row, id 1
    indexed_through: Mapped[int] = mapped_column(Id, default=0)  # the last message id indexed
