"""Connecting the brand's accounts: for admins only; credentials go in, never come out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from caredesk.access import ForbiddenError, NotFoundError, Viewer
from caredesk.connectors.accounts import add_account, flag_account
from caredesk.connectors.networks import NETWORKS, network, receives_webhooks
from caredesk.connectors.secrets import Vault
from caredesk.models import AccountStatus, Role
from caredesk.models.tables import brand_accounts


def require_admin(viewer: Viewer) -> None:
    if viewer.role is not Role.ADMIN:
        raise ForbiddenError("only admins manage the brand's accounts")


@dataclass(frozen=True, slots=True)
class AccountRow:
    """What an admin sees of an account: never its credentials, only whether they are set."""

    id: int
    network: str
    handle: str
    platform_id: str | None
    settings: dict[str, Any]
    status: str
    status_reason: str | None
    connected: bool
    webhook_path: str | None


def list_accounts(connection: Connection, viewer: Viewer) -> list[AccountRow]:
    require_admin(viewer)
    rows = connection.execute(
        select(
            brand_accounts.c.id, brand_accounts.c.network, brand_accounts.c.handle,
            brand_accounts.c.platform_id, brand_accounts.c.settings, brand_accounts.c.status,
            brand_accounts.c.status_reason, brand_accounts.c.secrets.is_not(None).label("connected"),
            brand_accounts.c.webhook_key,
        )
        .where(brand_accounts.c.workspace_id == viewer.workspace_id)
        .order_by(brand_accounts.c.network, brand_accounts.c.handle)
    )  # fmt: skip
    accounts = []
    for row in rows:
        hooked = row.network in NETWORKS and receives_webhooks(network(row.network)) is not None
        accounts.append(
            AccountRow(
                row.id, row.network, row.handle, row.platform_id, dict(row.settings or {}), row.status,
                row.status_reason, bool(row.connected),
                f"/webhooks/{row.network}/{row.webhook_key}" if hooked and row.webhook_key else None,
            )
        )  # fmt: skip
    return accounts


def do_connect_account(
    connection: Connection,
    viewer: Viewer,
    vault: Vault,
    network_name: str,
    handle: str,
    platform_id: str | None,
    settings: Mapping[str, str],
    secrets: Mapping[str, str],
) -> int:
    """Connect an account of this workspace, or reconfigure it. Blank secrets keep the stored
    ones, so an admin can change a setting without typing every token again."""
    require_admin(viewer)
    existing = connection.execute(
        select(brand_accounts.c.secrets).where(
            brand_accounts.c.workspace_id == viewer.workspace_id,
            brand_accounts.c.network == network_name,
            brand_accounts.c.handle == handle.strip().lstrip("@"),
        )
    ).first()
    kept = vault.open(existing.secrets) if existing is not None else {}
    given = {name: value for name, value in secrets.items() if value}
    return add_account(
        connection, vault, viewer.workspace_id, network_name, handle,
        platform_id=platform_id or None, settings={k: v for k, v in settings.items() if v},
        secrets={**kept, **given},
    )  # fmt: skip


def do_set_account_status(
    connection: Connection, viewer: Viewer, account_id: int, status: AccountStatus
) -> None:
    require_admin(viewer)
    found = connection.scalar(
        select(brand_accounts.c.id).where(
            brand_accounts.c.id == account_id, brand_accounts.c.workspace_id == viewer.workspace_id
        )
    )
    if found is None:
        raise NotFoundError(f"no account {account_id}")
    reason = f"paused by {viewer.display_name}" if status is AccountStatus.PAUSED else None
    flag_account(connection, account_id, status, reason)
