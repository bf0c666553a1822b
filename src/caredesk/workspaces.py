"""Workspaces (tenants): found or created by slug."""

from __future__ import annotations

import re

from sqlalchemy import Engine, insert, select

from caredesk.db.engine import write_transaction
from caredesk.models.tables import workspaces

DEFAULT_SLUG = "default"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class UnknownWorkspaceError(LookupError):
    """No workspace has this slug."""


def check_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise ValueError(f"invalid workspace slug {slug!r}: use lowercase letters, digits and dashes")
    return slug


def ensure_workspace(engine: Engine, slug: str = DEFAULT_SLUG, name: str | None = None) -> int:
    """The id of workspace `slug`, created if it does not exist yet."""
    check_slug(slug)
    with write_transaction(engine) as connection:
        found = connection.scalar(select(workspaces.c.id).where(workspaces.c.slug == slug))
        if found is not None:
            return int(found)
        created = connection.scalar(
            insert(workspaces).values(slug=slug, name=name or slug).returning(workspaces.c.id)
        )
        return int(created)


def workspace_id(engine: Engine, slug: str) -> int:
    """The id of an existing workspace."""
    with engine.connect() as connection:
        found = connection.scalar(select(workspaces.c.id).where(workspaces.c.slug == slug))
    if found is None:
        raise UnknownWorkspaceError(f"no workspace {slug!r}: import some data into it first")
    return int(found)
