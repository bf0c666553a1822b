"""The care team: adding agents, teams, and what each team answers for."""

from __future__ import annotations

import re

from sqlalchemy import Connection, insert, select, update

from caredesk.auth.passwords import hash_password
from caredesk.auth.sessions import end_all_sessions
from caredesk.models import Role, team_accounts, team_members
from caredesk.models.tables import agents, brand_accounts, teams

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")


class AgentExistsError(ValueError):
    """An agent with this e-mail is already in the workspace."""


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValueError(f"not an e-mail address: {email[:80]!r}")
    return email


def add_agent(
    connection: Connection,
    workspace_id: int,
    email: str,
    display_name: str,
    role: Role,
    password: str,
) -> int:
    email = normalise_email(email)
    exists = connection.scalar(
        select(agents.c.id).where(agents.c.workspace_id == workspace_id, agents.c.email == email)
    )
    if exists is not None:
        raise AgentExistsError(f"{email} is already an agent of this workspace")
    return int(
        connection.scalar(
            insert(agents)
            .values(
                workspace_id=workspace_id,
                email=email,
                display_name=display_name.strip()[:200] or email,
                role=Role(role).value,
                password_hash=hash_password(password),
            )
            .returning(agents.c.id)
        )
    )


def set_password(connection: Connection, agent_id: int, password: str) -> None:
    """A new password signs the agent out of every session."""
    connection.execute(
        update(agents).where(agents.c.id == agent_id).values(password_hash=hash_password(password))
    )
    end_all_sessions(connection, agent_id)


def set_role(connection: Connection, agent_id: int, role: Role) -> None:
    connection.execute(update(agents).where(agents.c.id == agent_id).values(role=Role(role).value))
    end_all_sessions(connection, agent_id)


def deactivate(connection: Connection, agent_id: int) -> None:
    connection.execute(update(agents).where(agents.c.id == agent_id).values(is_active=False))
    end_all_sessions(connection, agent_id)


def add_team(connection: Connection, workspace_id: int, name: str, account_handles: list[str]) -> int:
    """A team answering for the named brand accounts of the workspace."""
    team_id: int = connection.execute(
        insert(teams).values(workspace_id=workspace_id, name=name).returning(teams.c.id)
    ).scalar_one()
    account_ids = connection.scalars(
        select(brand_accounts.c.id).where(
            brand_accounts.c.workspace_id == workspace_id, brand_accounts.c.handle.in_(account_handles)
        )
    ).all()
    if account_ids:
        connection.execute(
            insert(team_accounts), [{"team_id": team_id, "brand_account_id": a} for a in account_ids]
        )
    return team_id


def join_team(connection: Connection, team_id: int, agent_id: int) -> None:
    connection.execute(insert(team_members).values(team_id=team_id, agent_id=agent_id))
