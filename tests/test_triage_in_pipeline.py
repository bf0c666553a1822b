"""Triage inside ingest: stored on each customer message, and driving the conversation's
priority and flags (real classifiers and rules, real storage)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from caredesk.ingest.pipeline import Ingestor
from caredesk.models.tables import conversations, messages
from tests.factories import brand_post, conversation_ids, customer_post


def test_each_customer_message_is_triaged_and_its_conversation_ordered_by_it(
    engine: Engine, workspace: int
) -> None:
    Ingestor(engine, workspace, create_accounts=True, triage=True).ingest(
        [
            customer_post("t1", by="fan", text="Thanks so much, the new app is lovely!", followers=12),
            customer_post(
                "t2", by="angry", minutes=1, followers=52_000,
                text="Third time asking!!! My refund never came and nobody answers. Disgusting service, "
                "I'm cancelling and reporting you to the BBB",
            ),
            customer_post("t3", by="oops", minutes=2, text="card 4111 1111 1111 1111 charged twice?"),
            brand_post("t4", reply_to="t1", minutes=3, text="Glad you like it!"),
        ]
    )  # fmt: skip
    thanks, angry, card = conversation_ids(engine, "t1", "t2", "t3")
    with engine.connect() as connection:
        stored = dict(connection.execute(select(messages.c.network_message_id, messages.c.triage)).all())
        rows = {
            row.id: row
            for row in connection.execute(
                select(conversations.c.id, conversations.c.priority, conversations.c.triage)
            )
        }
    assert stored["t4"] is None  # the brand's own message is not triaged
    assert stored["t1"]["sentiment"] == "positive" and stored["t1"]["intent"]
    assert stored["t2"]["sentiment"] == "negative" and stored["t2"]["complaint"] is True
    assert stored["t2"]["urgency"] in ("high", "critical")
    assert [span["type"] for span in stored["t3"]["pii"]] == ["card"]
    assert rows[angry].priority > rows[thanks].priority
    assert rows[angry].triage["priority_reasons"]  # "why is this first?"
    assert rows[card].triage["take_private"] is True and rows[card].triage["public_pii"] == ["card"]
    assert rows[thanks].triage["take_private"] is False


def test_take_private_sticks_when_a_later_message_is_clean(engine: Engine, workspace: int) -> None:
    ingestor = Ingestor(engine, workspace, create_accounts=True, triage=True)
    ingestor.ingest(
        [customer_post("p1", by="oops", text="call me on +1 415 555 0100 about order 88", minutes=0)]
    )
    ingestor.ingest([customer_post("p2", by="oops", reply_to="p1", text="hello?", minutes=5)])
    [conversation] = conversation_ids(engine, "p1")
    with engine.connect() as connection:
        flags = connection.scalar(select(conversations.c.triage).where(conversations.c.id == conversation))
    assert flags["take_private"] is True and "phone" in flags["public_pii"]


def test_history_imports_can_skip_triage(engine: Engine, workspace: int) -> None:
    Ingestor(engine, workspace, create_accounts=True).ingest([customer_post("h1", by="x", text="awful!!!")])
    with engine.connect() as connection:
        assert connection.scalar(select(messages.c.triage)) is None
