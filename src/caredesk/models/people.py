"""The care team: agents, the teams they belong to, and their roles."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caredesk.db.types import Id
from caredesk.models.base import Base, HasCreatedAt, HasId
from caredesk.models.enums import Role, check_in


class Team(HasId, HasCreatedAt, Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))


class Agent(HasId, HasCreatedAt, Base):
    __tablename__ = "agents"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email"),
        CheckConstraint(check_in("role", Role), name="role"),
    )

    workspace_id: Mapped[int] = mapped_column(Id, ForeignKey("workspaces.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default=Role.AGENT.value)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)


team_members = Table(
    "team_members",
    Base.metadata,
    Column("team_id", Id, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("agent_id", Id, ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, index=True),
)


# The brand accounts a team answers for: its agents see those accounts' conversations.
team_accounts = Table(
    "team_accounts",
    Base.metadata,
    Column("team_id", Id, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("brand_account_id", Id, ForeignKey("brand_accounts.id", ondelete="CASCADE"), primary_key=True),
)
