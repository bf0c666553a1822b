"""Brand accounts as connectors see them: configured, loaded with their secrets, flagged.

Secrets go in sealed and come out only as an `AccountConfig` for a connector; nothing here
returns them to a page, a response or a log.
"""

from __future__ import annotations

import secrets as tokens
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, insert, select, update

from caredesk.clock import utcnow
from caredesk.connectors.base import AccountConfig
from caredesk.connectors.networks import network, polls, receives_webhooks
from caredesk.connectors.secrets import Vault
from caredesk.models import AccountStatus
from caredesk.models.tables import brand_accounts


class AccountSetupError(ValueError):
    """An account cannot be configured as asked."""


RECEIVE_MODES = ("poll", "webhook")


def setting_names(network_name: str) -> tuple[str, ...]:
    """The network's settings, and `receive` (poll or webhook) where it offers both."""
    known = network(network_name)
    both = receives_webhooks(known) is not None and polls(known) is not None
    return (*known.setting_names, "receive") if both else known.setting_names


def check_fields(network_name: str, settings: Mapping[str, str], secrets: Mapping[str, str]) -> None:
    """Refuse settings or secrets the network does not know (a typo would be silently unused)."""
    known = network(network_name)
    if settings.get("receive", "poll") not in RECEIVE_MODES:
        raise AccountSetupError(f"receive must be one of {', '.join(RECEIVE_MODES)}")
    for given, allowed, what in (
        (settings, setting_names(network_name), "setting"),
        (secrets, known.secret_names, "secret"),
    ):
        unknown = sorted(set(given) - set(allowed))
        if unknown:
            raise AccountSetupError(
                f"{network_name} has no {what} {', '.join(unknown)}; its {what}s are: "
                + (", ".join(allowed) or "none")
            )


def add_account(
    connection: Connection,
    vault: Vault,
    workspace_id: int,
    network_name: str,
    handle: str,
    *,
    platform_id: str | None = None,
    display_name: str | None = None,
    settings: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> int:
    """Connect a brand account, or reconfigure the one with the same handle; its id."""
    settings, secrets = dict(settings or {}), dict(secrets or {})
    check_fields(network_name, settings, secrets)
    handle = handle.strip().lstrip("@")
    if not handle or len(handle) > 200 or not handle.isprintable():
        raise AccountSetupError("give the account's handle (1-200 printable characters)")
    values: dict[str, Any] = {
        "platform_id": platform_id,
        "display_name": display_name,
        "settings": settings,
        "secrets": vault.seal(secrets) if secrets else None,
        "status": AccountStatus.ACTIVE.value,
        "status_reason": None,
        "updated_at": utcnow(),
    }
    existing = connection.execute(
        select(brand_accounts.c.id, brand_accounts.c.webhook_key).where(
            brand_accounts.c.workspace_id == workspace_id,
            brand_accounts.c.network == network_name,
            brand_accounts.c.handle == handle,
        )
    ).first()
    if existing is not None:
        values["webhook_key"] = existing.webhook_key or tokens.token_urlsafe(24)
        connection.execute(update(brand_accounts).where(brand_accounts.c.id == existing.id).values(**values))
        return int(existing.id)
    return int(
        connection.scalar(
            insert(brand_accounts)
            .values(
                workspace_id=workspace_id,
                network=network_name,
                handle=handle,
                webhook_key=tokens.token_urlsafe(24),
                **values,
            )
            .returning(brand_accounts.c.id)
        )
    )


_COLUMNS = (
    brand_accounts.c.id,
    brand_accounts.c.workspace_id,
    brand_accounts.c.network,
    brand_accounts.c.handle,
    brand_accounts.c.platform_id,
    brand_accounts.c.settings,
    brand_accounts.c.secrets,
)


def load_account(connection: Connection, vault: Vault, account_id: int) -> AccountConfig | None:
    row = connection.execute(select(*_COLUMNS).where(brand_accounts.c.id == account_id)).first()
    return None if row is None else _config(vault, row)


def account_for_webhook(
    connection: Connection, vault: Vault, network_name: str, key: str
) -> AccountConfig | None:
    """The account whose webhook address ends in `key`, on `network_name`."""
    row = connection.execute(
        select(*_COLUMNS).where(brand_accounts.c.webhook_key == key, brand_accounts.c.network == network_name)
    ).first()
    return None if row is None else _config(vault, row)


def _config(vault: Vault, row: Any) -> AccountConfig:
    return AccountConfig(
        account_id=row.id,
        workspace_id=row.workspace_id,
        network=row.network,
        handle=row.handle,
        platform_id=row.platform_id,
        settings=dict(row.settings or {}),
        secrets=vault.open(row.secrets),
    )


def flag_account(connection: Connection, account_id: int, status: AccountStatus, reason: str | None) -> None:
    connection.execute(
        update(brand_accounts)
        .where(brand_accounts.c.id == account_id)
        .values(status=status.value, status_reason=reason, updated_at=utcnow())
    )


def save_cursor(connection: Connection, account_id: int, cursor: str | None) -> None:
    connection.execute(
        update(brand_accounts)
        .where(brand_accounts.c.id == account_id)
        .values(cursor=cursor, updated_at=utcnow())
    )
