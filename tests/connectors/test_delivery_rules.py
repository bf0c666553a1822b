"""Delivery rules with real accounts against the X stand-in (security.md R3, R5, R9)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select

from caredesk.access import load_viewer
from caredesk.actions.replies import do_reply, do_retry_delivery
from caredesk.connectors.accounts import AccountSetupError, add_account, load_account
from caredesk.connectors.base import Polled
from caredesk.connectors.intake import Intake
from caredesk.connectors.receiving import Poller
from caredesk.connectors.registry import Connectors
from caredesk.connectors.secrets import Vault
from caredesk.db.engine import write_transaction
from caredesk.ingest.accounts import UnknownBrandAccountError
from caredesk.ingest.pipeline import Ingestor
from caredesk.models import Role, Visibility
from caredesk.models.tables import brand_accounts, messages, outbox
from caredesk.outbox.worker import deliver_due
from caredesk.people import add_agent
from caredesk.workspaces import ensure_workspace
from tests.factories import conversation_ids, customer_post
from tests.peers import serving
from tests.peers.x_server import CONSUMER_SECRET, TOKEN, Scripted, XPeer

VAULT = Vault("delivery-rules")


@dataclass
class Setup:
    peer: XPeer
    engine: Engine
    agent: int
    accounts: dict[str, int]
    conversations: dict[str, int]
    base_url: str

    def reply(self, handle: str, text: str) -> int:
        with write_transaction(self.engine) as connection:
            viewer = load_viewer(connection, self.agent)
            return do_reply(connection, viewer, self.conversations[handle], text, Visibility.PUBLIC)

    def deliver(self) -> int:
        return deliver_due(self.engine, Connectors(engine=self.engine, vault=VAULT))

    def state(self, message_id: int) -> tuple[str, str | None]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(outbox.c.status, outbox.c.last_error).where(outbox.c.message_id == message_id)
            ).one()
        return row.status, row.last_error


@pytest.fixture
def setup(engine: Engine) -> Iterator[Setup]:
    peer = XPeer()
    with serving(peer.app) as base_url:
        workspace = ensure_workspace(engine, "acme")
        accounts = {}
        with write_transaction(engine) as connection:
            for number, handle in enumerate(("acme_help", "acme_shop"), start=1):
                accounts[handle] = add_account(
                    connection, VAULT, workspace, "x", handle, platform_id=str(1000 + number),
                    settings={"api_base": base_url},
                    secrets={"access_token": TOKEN, "consumer_secret": CONSUMER_SECRET},
                )  # fmt: skip
            agent = add_agent(
                connection, workspace, "lead@acme.test", "Lead", Role.ADMIN, "correct horse battery"
            )
        Ingestor(engine, workspace).ingest(
            [customer_post(f"900{i}", by=f"c{i}", to=name, text="help") for i, name in enumerate(accounts)]
        )
        ids = dict(zip(accounts, conversation_ids(engine, "9000", "9001"), strict=True))
        yield Setup(peer, engine, agent, accounts, ids, base_url)


def test_a_rate_limited_account_waits_alone(setup: Setup) -> None:
    first, second = setup.reply("acme_help", "one"), setup.reply("acme_help", "two")
    other = setup.reply("acme_shop", "three")
    reset = int(time.time()) + 600
    setup.peer.script(Scripted(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(reset)}))
    assert setup.deliver() == 3
    assert setup.state(first)[0] == "queued" and setup.state(second)[0] == "queued"
    assert setup.state(other) == ("sent", None)
    assert [tweet["text"] for tweet in setup.peer.tweets] == ["three"]
    tweets_asked = [seen for seen in setup.peer.seen if seen.path == "/2/tweets"]
    assert len(tweets_asked) == 2  # "two" was put back without asking X again


def test_revoked_credentials_flag_the_account_and_stop_its_sends_until_renewed(setup: Setup) -> None:
    first = setup.reply("acme_help", "one")
    setup.peer.tokens.clear()  # the brand revoked the app's access
    setup.deliver()
    status, error = setup.state(first)
    assert status == "failed" and error and "AuthExpired" in error and TOKEN not in error
    with setup.engine.connect() as connection:
        account = connection.execute(
            select(brand_accounts.c.status, brand_accounts.c.status_reason).where(
                brand_accounts.c.id == setup.accounts["acme_help"]
            )
        ).one()
    assert account.status == "needs_reauth" and account.status_reason
    asked = len(setup.peer.seen)
    second = setup.reply("acme_help", "two")
    setup.deliver()
    assert setup.state(second)[0] == "failed" and len(setup.peer.seen) == asked  # not tried again

    setup.peer.tokens.add("renewed-token")
    with write_transaction(setup.engine) as connection:
        add_account(
            connection, VAULT, 1, "x", "acme_help", platform_id="1001",
            settings={"api_base": setup.base_url},
            secrets={"access_token": "renewed-token", "consumer_secret": CONSUMER_SECRET},
        )  # fmt: skip
        viewer = load_viewer(connection, setup.agent)
        do_retry_delivery(connection, viewer, first)
        do_retry_delivery(connection, viewer, second)
    setup.deliver()
    assert setup.state(first)[0] == "sent" and setup.state(second)[0] == "sent"


def test_a_polls_cursor_advances_only_with_its_messages(engine: Engine, setup: Setup) -> None:
    with engine.connect() as connection:
        account = load_account(connection, VAULT, setup.accounts["acme_help"])
    assert account is not None
    good = customer_post("p1", by="dora", to="acme_help", text="where is my order?")
    orphan = customer_post("p2", by="dora", to="an_account_deleted_meanwhile", text="hello?")
    intake = Intake(engine, VAULT)
    with pytest.raises(UnknownBrandAccountError):
        intake.store_polled(account, Polled([good, orphan], cursor="1800"))
    with engine.connect() as connection:
        cursor = connection.scalar(
            select(brand_accounts.c.cursor).where(brand_accounts.c.id == account.account_id)
        )
        stored = connection.scalar(select(messages.c.id).where(messages.c.network_message_id == "p1"))
    assert cursor is None and stored is None  # neither the messages nor the cursor
    intake.store_polled(account, Polled([good], cursor="1800"))
    with engine.connect() as connection:
        assert (
            connection.scalar(
                select(brand_accounts.c.cursor).where(brand_accounts.c.id == account.account_id)
            )
            == "1800"
        )


def test_an_account_on_webhooks_is_not_polled_too(engine: Engine, setup: Setup) -> None:
    poller = Poller(Intake(engine, VAULT))
    poller.poll_due()
    assert any(seen.path.endswith("/mentions") for seen in setup.peer.seen)
    setup.peer.seen.clear()
    with write_transaction(engine) as connection:
        for handle in setup.accounts:
            settings = {"api_base": setup.base_url, "receive": "webhook"}
            secrets = {"access_token": TOKEN, "consumer_secret": CONSUMER_SECRET}
            add_account(connection, VAULT, 1, "x", handle, settings=settings, secrets=secrets)
        with pytest.raises(AccountSetupError, match="receive must be one of"):
            add_account(connection, VAULT, 1, "x", "acme_help", settings={"receive": "sometimes"})
    poller.poll_due(now_for_all=True)
    assert setup.peer.seen == []
