"""Brand accounts by handle, looked up once per process and created on demand by importers."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select

from caredesk.models.tables import brand_accounts as _accounts


class UnknownBrandAccountError(LookupError):
    """A message names a brand account this workspace has not configured."""


class AccountDirectory:
    """Maps (network, handle) to brand account ids; handles match case-insensitively."""

    def __init__(self, workspace_id: int, *, create_missing: bool) -> None:
        self.workspace_id = workspace_id
        self.create_missing = create_missing
        self._ids: dict[tuple[str, str], int] = {}

    def forget(self) -> None:
        """Drop the cache, e.g. after a rolled-back transaction created accounts."""
        self._ids.clear()

    def resolve(self, connection: Connection, network: str, handle: str) -> int:
        key = (network, handle.casefold())
        account_id = self._ids.get(key)
        if account_id is not None:
            return account_id
        account_id = connection.scalar(
            select(_accounts.c.id).where(
                _accounts.c.workspace_id == self.workspace_id,
                _accounts.c.network == network,
                func.lower(_accounts.c.handle) == handle.lower(),
            )
        )
        if account_id is None:
            if not self.create_missing:
                raise UnknownBrandAccountError(
                    f"no {network} brand account {handle!r} in this workspace: "
                    f"add it with `caredesk account add {network} {handle}`"
                )
            account_id = connection.scalar(
                insert(_accounts)
                .values(workspace_id=self.workspace_id, network=network, handle=handle)
                .returning(_accounts.c.id)
            )
        assert account_id is not None
        self._ids[key] = int(account_id)
        return int(account_id)
