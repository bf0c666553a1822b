"""The Done-when of the connectors issue, on a real AT Protocol server: a customer's mention
on a local Bluesky server becomes a Caredesk conversation, and the agent's answer lands on
that server in the mention's thread. Everything in between is Caredesk's own: the account as
an admin connects it, the receiving worker reading the firehose, ingest and triage, the
agent's reply action and the outbox worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select

from caredesk.access import load_viewer
from caredesk.actions.replies import do_reply
from caredesk.connectors.accounts import add_account
from caredesk.connectors.receiving import ReceivingWorker
from caredesk.connectors.registry import Connectors
from caredesk.connectors.secrets import Vault
from caredesk.db.engine import write_transaction
from caredesk.models import Role, Visibility
from caredesk.models.tables import brand_accounts, conversations, messages, outbox
from caredesk.outbox.worker import deliver_due
from caredesk.people import add_agent
from caredesk.workspaces import ensure_workspace
from tests.connectors.bluesky.pds import LocalPds, create_app_password, create_user, get_post, post

VAULT = Vault("bluesky-end-to-end")


def eventually(probe: Callable[[], Any], what: str, timeout_s: float = 20) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_mention_becomes_a_conversation_and_the_answer_lands_in_its_thread(
    engine: Engine, pds: LocalPds
) -> None:
    brand = create_user(pds, "acme")
    customer = create_user(pds, "maria")
    workspace = ensure_workspace(engine, "acme")
    with write_transaction(engine) as connection:
        account_id = add_account(
            connection, VAULT, workspace, "bluesky", brand.handle, platform_id=brand.did,
            settings={"service": pds.url, "firehose": pds.url},
            secrets={"app_password": create_app_password(pds, brand)},
        )  # fmt: skip
        agent = add_agent(
            connection, workspace, "lead@acme.test", "Lead", Role.ADMIN, "correct horse battery"
        )

    worker = ReceivingWorker(engine, VAULT, idle_s=0.1)
    worker.start()
    try:
        eventually(lambda: worker.firehoses.readers, "the firehose reader to start")
        time.sleep(1.0)  # connected to the live stream
        mention = post(
            pds, customer, f"@{brand.handle} my parcel never arrived, can you help?", mention=brand
        )

        def conversation() -> Any:
            with engine.connect() as connection:
                return connection.execute(
                    select(conversations.c.id, conversations.c.brand_account_id, conversations.c.priority)
                ).first()

        found = eventually(conversation, "the mention to become a conversation")
        with engine.connect() as connection:
            stored = connection.execute(
                select(messages.c.network_message_id, messages.c.text, messages.c.triage)
            ).one()
            cursor = connection.scalar(
                select(brand_accounts.c.cursor).where(brand_accounts.c.id == account_id)
            )
    finally:
        worker.stop()
        worker.join(10)

    assert found.brand_account_id == account_id
    assert stored.network_message_id == mention.uri
    assert stored.triage is not None and stored.triage["actionable"] is True
    assert cursor and int(cursor) > 0  # saved with the message: a restart resumes after it

    with write_transaction(engine) as connection:
        reply_id = do_reply(
            connection, load_viewer(connection, agent), found.id, "So sorry Maria! A new one ships today.",
            Visibility.PUBLIC,
        )  # fmt: skip
    assert deliver_due(engine, Connectors(engine=engine, vault=VAULT)) == 1
    with engine.connect() as connection:
        status = connection.scalar(select(outbox.c.status).where(outbox.c.message_id == reply_id))
        answer_uri = connection.scalar(select(messages.c.network_message_id).where(messages.c.id == reply_id))
    assert status == "sent"
    answer = get_post(pds, answer_uri)["value"]
    assert answer["text"] == "So sorry Maria! A new one ships today."
    assert answer["reply"]["parent"] == {"uri": mention.uri, "cid": mention.cid}
    assert answer["reply"]["root"] == {"uri": mention.uri, "cid": mention.cid}
