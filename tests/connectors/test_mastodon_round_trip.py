"""A Mastodon mention through Caredesk and back, on real storage and the Mastodon stand-in:
polled into a conversation, answered in its thread, and sent once even when the worker is
killed mid-send (Mastodon's Idempotency-Key makes the resend safe: R1)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select

from caredesk.access import load_viewer
from caredesk.actions.replies import do_reply
from caredesk.connectors.accounts import add_account
from caredesk.connectors.intake import Intake
from caredesk.connectors.receiving import Poller
from caredesk.connectors.registry import Connectors
from caredesk.connectors.secrets import Vault
from caredesk.db.engine import write_transaction
from caredesk.models import Role, Visibility
from caredesk.models.tables import brand_accounts, conversations, messages
from caredesk.outbox.worker import deliver_due
from caredesk.people import add_agent
from caredesk.workspaces import ensure_workspace
from tests.connectors.test_reliability import SECRET_KEY, age_claims, start_worker, status_of, stop, wait_for
from tests.peers.mastodon_server import MastodonServer, RunningServer, Scripted

TOKEN = "brand-token"


@dataclass
class Setup:
    server: MastodonServer
    brand_id: str
    customer_id: str
    agent_id: int
    vault: Vault


@pytest.fixture
def setup(engine: Engine) -> Iterator[Setup]:
    server = MastodonServer()
    running = RunningServer(server)
    url = running.start()
    brand_id = server.add_account("acme_cares", followers=12_000)
    customer_id = server.add_account("alice", remote_domain="other.social", followers=1_250)
    server.grant(brand_id, TOKEN)
    vault = Vault(SECRET_KEY)
    workspace = ensure_workspace(engine, "acme")
    with write_transaction(engine) as connection:
        add_account(
            connection, vault, workspace, "mastodon", "acme_cares", platform_id=brand_id,
            settings={"api_base": url}, secrets={"access_token": TOKEN},
        )  # fmt: skip
        agent = add_agent(
            connection, workspace, "lead@acme.test", "Lead", Role.ADMIN, "correct horse battery"
        )
    yield Setup(server, brand_id, customer_id, agent, vault)
    running.stop()


def mention_and_poll(engine: Engine, setup: Setup) -> tuple[str, int]:
    """Alice mentions the brand; one polling pass; the status id and the conversation."""
    poller = Poller(Intake(engine, setup.vault))
    poller.poll_due()  # the first poll only marks where to start: history is not imported
    status = setup.server.mention(setup.customer_id, setup.brand_id, "<p>@acme_cares my order is late</p>")
    assert poller.poll_due(now_for_all=True) == 1
    with engine.connect() as connection:
        conversation = connection.scalar(select(conversations.c.id))
        text = connection.scalar(select(messages.c.text))
    assert text == "@acme_cares my order is late"
    return status["id"], int(conversation)


def reply(engine: Engine, setup: Setup, conversation: int, text: str) -> int:
    with write_transaction(engine) as connection:
        viewer = load_viewer(connection, setup.agent_id)
        return do_reply(connection, viewer, conversation, text, Visibility.PUBLIC)


def test_a_mention_becomes_a_conversation_and_the_answer_lands_in_its_thread(
    engine: Engine, setup: Setup
) -> None:
    status_id, conversation = mention_and_poll(engine, setup)
    message_id = reply(engine, setup, conversation, "Sorry Alice, we're checking now")
    assert deliver_due(engine, Connectors(engine=engine, vault=setup.vault)) == 1
    [answer] = setup.server.statuses_by(setup.brand_id)
    assert answer["in_reply_to_id"] == status_id
    assert "@alice@other.social" in answer["content"] and "checking now" in answer["content"]
    assert status_of(engine, message_id) == "sent"
    with engine.connect() as connection:
        cursor = connection.scalar(select(brand_accounts.c.cursor))
        stored_id = connection.scalar(
            select(messages.c.network_message_id).where(messages.c.id == message_id)
        )
    assert cursor  # advanced with the stored mention
    assert stored_id == answer["id"]


def test_a_worker_killed_mid_send_resends_safely_with_the_same_key(
    engine: Engine, database_url: str, setup: Setup
) -> None:
    _, conversation = mention_and_poll(engine, setup)
    message_id = reply(engine, setup, conversation, "Sorry Alice, we're checking now")
    setup.server.script(Scripted("slow", seconds=1.5))
    worker = start_worker(database_url)
    try:
        wait_for(lambda: any(r.path == "/api/v1/statuses" for r in setup.server.requests), "the send")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        wait_for(lambda: len(setup.server.statuses_by(setup.brand_id)) == 1, "Mastodon to post it")
        age_claims(engine)
        worker = start_worker(database_url)  # reclaims it as safe to resend, and resends
        wait_for(lambda: status_of(engine, message_id) == "sent", "the resend")
    finally:
        stop(worker)
    assert len(setup.server.statuses_by(setup.brand_id)) == 1
    keys = {r.headers.get("idempotency-key") for r in setup.server.requests if r.path == "/api/v1/statuses"}
    assert len(keys) == 1
