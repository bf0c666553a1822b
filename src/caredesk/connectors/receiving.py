"""The receiving worker: processes stored webhook deliveries, polls the polled accounts and
runs the firehose readers (Bluesky).

It runs inside `caredesk serve` and in every `caredesk worker`. A network that rate-limits an
account pauses that account alone until the time the network names; refused credentials flag
the account for re-authorisation instead of being tried again and again.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from sqlalchemy import Engine, select

from caredesk.connectors.accounts import flag_account, load_account
from caredesk.connectors.base import AuthExpired, DeliveryError, Permanent, RateLimited
from caredesk.connectors.firehoses import Firehoses
from caredesk.connectors.intake import Intake
from caredesk.connectors.networks import NETWORKS, network, polls
from caredesk.connectors.secrets import Vault
from caredesk.db.engine import write_transaction
from caredesk.models import AccountStatus
from caredesk.models.tables import brand_accounts

log = logging.getLogger(__name__)

MAX_PAGES_PER_POLL = 20
FIREHOSE_SYNC_S = 30.0
# Webhook deliveries ingested per transaction: small, so webhooks (which write too) never
# wait long for the database's write lock.
PROCESS_BATCH = 20


class Poller:
    """Polls every active, connected account of a polling network."""

    def __init__(self, intake: Intake, every_s: float = 60.0) -> None:
        self.intake, self.every_s = intake, every_s
        self._due: dict[int, float] = {}  # account id -> monotonic time of its next poll

    def poll_due(self, *, now_for_all: bool = False) -> int:
        """Poll the accounts whose turn it is (every account with `now_for_all`); the number
        of messages stored."""
        engine, vault = self.intake.engine, self.intake.vault
        with engine.connect() as connection:
            accounts = connection.execute(
                select(brand_accounts.c.id, brand_accounts.c.network).where(
                    brand_accounts.c.status == AccountStatus.ACTIVE.value,
                    brand_accounts.c.secrets.is_not(None),
                    brand_accounts.c.network.in_(list(NETWORKS)),
                )
            ).all()
        stored = 0
        now = time.monotonic()
        for account_id, network_name in accounts:
            waiting = self._due.get(account_id, 0.0) > now and not now_for_all
            if waiting or polls(network(network_name)) is None:
                continue
            self._due[account_id] = now + self.every_s
            try:
                stored += self._poll(engine, vault, account_id)
            except RateLimited as error:
                self._due[account_id] = now + max(error.retry_after_s, 1.0)
            except (AuthExpired, Permanent) as error:
                with write_transaction(engine) as connection:
                    flag_account(connection, account_id, AccountStatus.NEEDS_REAUTH, str(error)[:500])
            except DeliveryError as error:  # transient: the next turn tries again
                log.warning("polling account %s failed: %s", account_id, error)
            except Exception:
                log.exception("polling account %s failed", account_id)
        return stored

    def _poll(self, engine: Engine, vault: Vault, account_id: int) -> int:
        stored = 0
        for _ in range(MAX_PAGES_PER_POLL):
            with engine.connect() as connection:
                account = load_account(connection, vault, account_id)
                cursor = connection.scalar(
                    select(brand_accounts.c.cursor).where(brand_accounts.c.id == account_id)
                )
            if account is None:
                return stored
            poller = polls(network(account.network))
            assert poller is not None
            if account.settings.get("receive") == "webhook":  # its webhook brings everything
                return stored
            polled = poller.poll(account, cursor)
            stored += self.intake.store_polled(account, polled)
            if not polled.more:
                break
        return stored


class ReceivingWorker(threading.Thread):
    """Processes the inbound log and runs the pollers until stopped."""

    def __init__(
        self,
        engine: Engine,
        vault: Vault,
        *,
        reopen_window: timedelta = timedelta(days=7),
        poll_every_s: float = 60.0,
        idle_s: float = 0.5,
    ) -> None:
        super().__init__(name="caredesk-receiving", daemon=True)
        self.intake = Intake(engine, vault, reopen_window)
        self.poller = Poller(self.intake, poll_every_s)
        self.firehoses = Firehoses(self.intake)
        self.idle_s = idle_s
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        synced = -float("inf")
        while not self._stop_event.is_set():
            busy = 0
            try:
                if time.monotonic() - synced > FIREHOSE_SYNC_S:  # accounts added, paused, removed
                    self.firehoses.sync()
                    synced = time.monotonic()
                busy = self.intake.process_pending(limit=PROCESS_BATCH)
                self.poller.poll_due()
            except Exception:
                log.exception("receiving pass failed")
            if not busy:
                self._stop_event.wait(self.idle_s)
        self.firehoses.stop()
