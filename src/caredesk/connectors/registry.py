"""Which connector sends a reply: the brand account's own, a fixed one, or the fallback.

An account with credentials sends through its network's connector, built from its stored
configuration and rebuilt when that changes. An account without credentials (one known only
from imported history) goes to `fallback`: the built-in loopback network in the demo, none
in production, where such a reply fails with a reason the agent can read.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import Engine, select

from caredesk.connectors.accounts import load_account
from caredesk.connectors.base import AuthExpired, Connector, Permanent
from caredesk.connectors.networks import network
from caredesk.connectors.secrets import Vault
from caredesk.models import AccountStatus
from caredesk.models.tables import brand_accounts


class Connectors:
    """The connectors a process delivers with."""

    def __init__(
        self, fallback: Connector | None = None, *, engine: Engine | None = None, vault: Vault | None = None
    ) -> None:
        self._by_network: dict[str, Connector] = {}
        self.fallback = fallback
        self._engine, self._vault = engine, vault
        self._built: dict[int, tuple[datetime, Connector]] = {}
        self._lock = threading.Lock()

    def register(self, connector: Connector, network: str | None = None) -> None:
        """Send everything on `network` with `connector` (tests, stand-in networks)."""
        self._by_network[network or connector.network] = connector

    def for_account(self, account_id: int | None, network_name: str) -> Connector:
        fixed = self._by_network.get(network_name)
        if fixed is not None:
            return fixed
        if account_id is not None and self._engine is not None and self._vault is not None:
            connector = self._account_connector(self._engine, self._vault, account_id)
            if connector is not None:
                return connector
        if self.fallback is None:
            raise Permanent(
                f"no connector is configured for this {network_name} account: connect it with "
                "`caredesk account add` or in Settings, then retry"
            )
        return self.fallback

    def _account_connector(self, engine: Engine, vault: Vault, account_id: int) -> Connector | None:
        with engine.connect() as connection:
            row = connection.execute(
                select(brand_accounts.c.secrets, brand_accounts.c.status, brand_accounts.c.status_reason,
                       brand_accounts.c.updated_at)
                .where(brand_accounts.c.id == account_id)
            ).first()  # fmt: skip
            if row is None or row.secrets is None:
                return None
            if row.status == AccountStatus.NEEDS_REAUTH.value:
                raise AuthExpired(
                    f"the account needs re-authorising ({row.status_reason or 'credentials refused'})"
                )
            if row.status == AccountStatus.PAUSED.value:
                raise Permanent("the account is paused: resume it in Settings, then retry")
            with self._lock:
                built = self._built.get(account_id)
                if built is not None and built[0] == row.updated_at:
                    return built[1]
            account = load_account(connection, vault, account_id)
        assert account is not None
        connector = network(account.network).connector(account)
        with self._lock:
            self._built[account_id] = (row.updated_at, connector)
        return connector
