"""Taking a public conversation private, and closing its public thread on resolving (seed 002)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from caredesk.access import load_viewer
from caredesk.actions.conversations import do_set_status
from caredesk.actions.errors import ConflictError
from caredesk.actions.private import PUBLIC_CLOSING, PUBLIC_POINTER, do_take_private
from caredesk.actions.replies import do_reply
from caredesk.connectors.registry import Connectors
from caredesk.db.engine import write_transaction
from caredesk.ingest.pipeline import Ingestor
from caredesk.models import ConversationStatus, Visibility
from caredesk.models.tables import conversations
from caredesk.outbox.worker import deliver_due
from tests.factories import conversation_ids, customer_post
from tests.web_support import World


def take_private(engine: Engine, world: World, **options: str | None) -> int:
    with write_transaction(engine) as connection:
        viewer = load_viewer(connection, world.agents["agent"])
        return do_take_private(
            connection, viewer, world.conversations["acme"], "Card details here?", **options
        )


def resolve(engine: Engine, world: World, closing_text: str | None = None) -> None:
    with write_transaction(engine) as connection:
        viewer = load_viewer(connection, world.agents["agent"])
        do_set_status(
            connection, viewer, world.conversations["acme"], ConversationStatus.RESOLVED, closing_text
        )


def sent(engine: Engine, world: World) -> list[tuple[str, str, str | None]]:
    deliver_due(engine, Connectors(fallback=world.loopback))
    return [(reply.visibility, reply.text, reply.reply_to_network_id) for reply in world.loopback.sent]


def test_the_customer_gets_the_private_message_and_the_thread_is_closed_in_public(
    engine: Engine, world: World
) -> None:
    take_private(engine, world)
    assert sent(engine, world) == [
        ("public", PUBLIC_POINTER, "a3"),  # in the public thread, answering the latest post
        ("private", "Card details here?", "a3"),  # a DM on the same network, to the same customer
    ]
    assert world.loopback.sent[1].recipient_platform_user_id == "maria"
    with engine.connect() as connection:
        row = connection.execute(
            select(conversations.c.private_since, conversations.c.public_post_id).where(
                conversations.c.id == world.conversations["acme"]
            )
        ).one()
    assert row.private_since is not None and row.public_post_id == "a3"

    resolve(engine, world)
    assert sent(engine, world)[2:] == [("public", PUBLIC_CLOSING, "a3")]


def test_the_closing_words_can_be_the_agents_own(engine: Engine, world: World) -> None:
    take_private(engine, world, public_text=None)
    resolve(engine, world, closing_text="All sorted, Maria. Enjoy the parcel!")
    assert [visibility for visibility, _, _ in sent(engine, world)] == ["private", "public"]
    assert world.loopback.sent[-1].text == "All sorted, Maria. Enjoy the parcel!"


def test_no_second_closing_when_the_brand_already_answered_in_public(engine: Engine, world: World) -> None:
    take_private(engine, world, public_text=None)
    with write_transaction(engine) as connection:
        viewer = load_viewer(connection, world.agents["agent"])
        do_reply(connection, viewer, world.conversations["acme"], "Fixed, thanks all", Visibility.PUBLIC)
    resolve(engine, world)
    assert [text for _, text, _ in sent(engine, world)] == ["Card details here?", "Fixed, thanks all"]


def test_a_conversation_that_never_went_private_resolves_quietly(engine: Engine, world: World) -> None:
    resolve(engine, world)
    assert sent(engine, world) == []


def test_going_private_twice_or_where_the_network_has_no_private_messages_is_refused(
    engine: Engine, world: World
) -> None:
    take_private(engine, world)
    with pytest.raises(ConflictError, match="already private"):
        take_private(engine, world)
    Ingestor(engine, world.workspace_id, create_accounts=True).ingest(
        [customer_post("bs1", by="kim", network="bluesky", text="@acme_help broken again")]
    )
    [bluesky] = conversation_ids(engine, "bs1")
    with write_transaction(engine) as connection, pytest.raises(ConflictError, match="bluesky"):
        do_take_private(connection, load_viewer(connection, world.agents["admin"]), bluesky, "DM?")


def test_the_api_takes_it_private(
    engine: Engine, world: World, client_as: Callable[[str], TestClient]
) -> None:
    client = client_as("agent")
    answer = client.post(
        f"/api/v1/conversations/{world.conversations['acme']}/private",
        json={"text": "Let's continue here", "public_text": None},
    )
    assert answer.status_code == 201, answer.text
    assert sent(engine, world) == [("private", "Let's continue here", "a3")]
    answer = client.post(
        f"/api/v1/conversations/{world.conversations['acme']}/status",
        json={"status": "resolved", "closing_text": "Sorted in DMs, thanks!"},
    )
    assert answer.status_code == 200
    assert sent(engine, world)[-1] == ("public", "Sorted in DMs, thanks!", "a3")
