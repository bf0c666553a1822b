"""Who may see and change what. The only way to fetch a protected object.

Admins and supervisors see the whole workspace. Agents and read-only users see the
conversations of the brand accounts their teams answer for, and those assigned to them or
to their teams. A conversation someone may not see answers exactly like one that does not
exist. Lists, search, exports and live streams all filter with `visible_to`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, false, or_, select, true

from caredesk.models import Role, team_accounts, team_members
from caredesk.models.tables import agents, conversations


class NotFoundError(LookupError):
    """No such object, or not one this viewer may see (the two are never told apart)."""


class ForbiddenError(PermissionError):
    """The viewer may see the object but not make this change."""


@dataclass(frozen=True, slots=True)
class Viewer:
    agent_id: int
    workspace_id: int
    role: Role
    display_name: str
    team_ids: frozenset[int]
    account_ids: frozenset[int]

    @property
    def sees_whole_workspace(self) -> bool:
        return self.role in (Role.ADMIN, Role.SUPERVISOR)

    @property
    def can_change(self) -> bool:
        return self.role is not Role.READ_ONLY

    @property
    def supervises(self) -> bool:
        return self.role in (Role.ADMIN, Role.SUPERVISOR)

    def require_change(self) -> None:
        if not self.can_change:
            raise ForbiddenError("read-only users cannot change conversations")


def load_viewer(connection: Connection, agent_id: int) -> Viewer:
    agent = connection.execute(
        select(agents.c.id, agents.c.workspace_id, agents.c.role, agents.c.display_name).where(
            agents.c.id == agent_id, agents.c.is_active.is_(True)
        )
    ).first()
    if agent is None:
        raise NotFoundError("no such agent")
    team_ids = frozenset(
        connection.scalars(select(team_members.c.team_id).where(team_members.c.agent_id == agent_id))
    )
    account_ids = frozenset(
        connection.scalars(
            select(team_accounts.c.brand_account_id).where(team_accounts.c.team_id.in_(team_ids))
        )
        if team_ids
        else ()
    )
    return Viewer(agent.id, agent.workspace_id, Role(agent.role), agent.display_name, team_ids, account_ids)


def visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """The condition on `conversations` rows this viewer may see."""
    in_workspace = conversations.c.workspace_id == viewer.workspace_id
    if viewer.sees_whole_workspace:
        return and_(in_workspace, true())
    scope = [conversations.c.owner_agent_id == viewer.agent_id]
    if viewer.account_ids:
        scope.append(conversations.c.brand_account_id.in_(sorted(viewer.account_ids)))
    if viewer.team_ids:
        scope.append(conversations.c.team_id.in_(sorted(viewer.team_ids)))
    return and_(in_workspace, or_(false(), *scope))


def access_conversation_by_id(connection: Connection, viewer: Viewer, conversation_id: int) -> Row[Any]:
    """The conversation, if this viewer may see it; otherwise NotFoundError."""
    row = connection.execute(
        select(conversations).where(conversations.c.id == conversation_id, visible_to(viewer))
    ).first()
    if row is None:
        raise NotFoundError(f"no conversation {conversation_id}")
    return row


@dataclass(frozen=True, slots=True)
class AgentRef:
    id: int
    display_name: str
    role: Role


def access_agent_by_id(connection: Connection, viewer: Viewer, agent_id: int) -> AgentRef:
    """An active agent of the viewer's workspace."""
    row = connection.execute(
        select(agents.c.id, agents.c.display_name, agents.c.role).where(
            agents.c.id == agent_id,
            agents.c.workspace_id == viewer.workspace_id,
            agents.c.is_active.is_(True),
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no agent {agent_id}")
    return AgentRef(row.id, row.display_name, Role(row.role))
