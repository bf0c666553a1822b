"""A workspace is one tenant: a brand's care team with its accounts, people and conversations."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.models.base import Base, HasCreatedAt, HasId


class Workspace(HasId, HasCreatedAt, Base):
    __tablename__ = "workspaces"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
