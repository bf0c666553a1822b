"""Firehose readers: one per relay, for every Bluesky account that listens to it.

Each batch is stored the way a poll is: the mentions of and replies to each brand account
become its inbound messages, and the relay's cursor is saved on those accounts in the same
transaction, so a restart resumes where the stored messages end. Every public post of the
batch is offered to the workspace's listening rules first (kept matches are idempotent, so a
replay after a crash costs nothing).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict

from sqlalchemy import Connection, select, update

from caredesk.connectors.accounts import load_account
from caredesk.connectors.base import AccountConfig
from caredesk.connectors.bluesky import Firehose, FirehoseBatch, firehose_url
from caredesk.connectors.intake import Intake
from caredesk.connectors.listening import Listener
from caredesk.models import AccountStatus
from caredesk.models.tables import brand_accounts

log = logging.getLogger(__name__)


class FirehoseReader(threading.Thread):
    """Reads one relay until stopped; `accounts` can change while it runs."""

    def __init__(self, intake: Intake, url: str, cursor: int | None, listeners: dict[int, Listener]) -> None:
        super().__init__(name=f"caredesk-firehose {url}", daemon=True)
        self.intake, self.url, self.cursor, self.listeners = intake, url, cursor, listeners
        self.accounts: dict[str, AccountConfig] = {}  # DID -> account
        self.brands: dict[str, str] = {}  # DID -> handle, read by the firehose at every post
        self._stop_event = threading.Event()

    def use(self, accounts: list[AccountConfig]) -> None:
        self.accounts = {account.platform_id: account for account in accounts if account.platform_id}
        self.brands.clear()
        self.brands.update({did: account.handle for did, account in self.accounts.items()})

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        firehose = Firehose(self.url, self.brands, cursor=self.cursor)
        for batch in firehose.batches(self._stop_event):
            try:
                self.store(batch)
            except Exception:  # the batch is read again after a restart: its cursor was not saved
                log.exception("storing a firehose batch from %s failed", self.url)

    def store(self, batch: FirehoseBatch) -> None:
        by_workspace: dict[int, list[AccountConfig]] = defaultdict(list)
        for account in self.accounts.values():
            by_workspace[account.workspace_id].append(account)
        for workspace_id, accounts in by_workspace.items():
            listener = self.listeners.get(workspace_id)
            if listener is None:
                listener = self.listeners[workspace_id] = Listener(self.intake.engine, workspace_id)
            listener.hear(batch.posts)
            received = [
                message
                for account in accounts
                for message in batch.inbound_by_brand.get(account.platform_id or "", [])
            ]
            ids = [account.account_id for account in accounts]

            def save(connection: Connection, ids: list[int] = ids) -> None:
                connection.execute(
                    update(brand_accounts)
                    .where(brand_accounts.c.id.in_(ids))
                    .values(cursor=str(batch.cursor))
                )

            self.intake.store_received(accounts[0], received, also=save)


class Firehoses:
    """Keeps one reader running per relay that active Bluesky accounts listen to."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.readers: dict[str, FirehoseReader] = {}
        self.listeners: dict[int, Listener] = {}

    def sync(self) -> None:
        engine, vault = self.intake.engine, self.intake.vault
        with engine.connect() as connection:
            rows = connection.execute(
                select(brand_accounts.c.id, brand_accounts.c.cursor).where(
                    brand_accounts.c.network == "bluesky",
                    brand_accounts.c.status == AccountStatus.ACTIVE.value,
                    brand_accounts.c.secrets.is_not(None),
                    brand_accounts.c.platform_id.is_not(None),
                )
            ).all()
            accounts = [(load_account(connection, vault, row.id), row.cursor) for row in rows]
        by_url: dict[str, list[AccountConfig]] = defaultdict(list)
        cursors: dict[str, list[str | None]] = defaultdict(list)
        for account, cursor in accounts:
            if account is not None:
                by_url[firehose_url(account)].append(account)
                cursors[firehose_url(account)].append(cursor)
        for url in list(self.readers):
            if url not in by_url:
                self.readers.pop(url).stop()
        for url, listening in by_url.items():
            reader = self.readers.get(url)
            if reader is None or not reader.is_alive():
                reader = self.readers[url] = FirehoseReader(
                    self.intake, url, _resume_at(cursors[url]), self.listeners
                )
                reader.use(listening)
                reader.start()
            else:
                reader.use(listening)

    def stop(self) -> None:
        for reader in self.readers.values():
            reader.stop()
        for reader in self.readers.values():
            reader.join(timeout=5)


def _resume_at(cursors: list[str | None]) -> int | None:
    """Where a new reader starts: the oldest stored cursor, or the live stream when an account
    has none yet (a newly connected account does not import the relay's history)."""
    numbers = [int(cursor) for cursor in cursors if cursor and cursor.isdigit()]
    return min(numbers) if numbers and len(numbers) == len(cursors) else None
