"""The ingest pipeline against a real database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, func, select, update

from caredesk.events import ConversationOpened, ConversationsMerged, EventBus, MessageReceived
from caredesk.ingest.pipeline import Ingestor
from caredesk.models.tables import brand_accounts, contacts, conversations, identities, messages
from tests.conftest import at
from tests.factories import (
    all_conversations,
    brand_post,
    conversation_ids,
    customer_post,
    message_count,
)


def resolve(engine: Engine, conversation_id: int, minutes: float) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(status="resolved", resolved_at=at(minutes))
        )


def test_the_same_message_twice_is_stored_once(engine: Engine, ingestor: Ingestor) -> None:
    first = ingestor.ingest([customer_post("1"), customer_post("1"), brand_post("2", reply_to="1")])
    again = ingestor.ingest([customer_post("1"), brand_post("2", reply_to="1")])
    assert (first.stored, first.duplicates) == (2, 1)
    assert (again.stored, again.duplicates) == (0, 2)
    assert message_count(engine) == 2
    assert len(all_conversations(engine)) == 1


def test_a_thread_arriving_backwards_one_message_at_a_time_ends_in_one_conversation(
    engine: Engine, ingestor: Ingestor
) -> None:
    ingestor.ingest([customer_post("4", reply_to="3", minutes=30)])
    ingestor.ingest([brand_post("3", reply_to="2", minutes=20)])
    ingestor.ingest([customer_post("2", reply_to="1", minutes=10)])
    ingestor.ingest([brand_post("1", minutes=0, text="Our new app is out!")])
    assert len(set(conversation_ids(engine, "1", "2", "3", "4"))) == 1
    [conversation] = all_conversations(engine)
    assert conversation.started_by == "brand"
    assert conversation.first_customer_message_at == at(10)
    assert conversation.first_response_at == at(20)
    assert (conversation.customer_message_count, conversation.brand_message_count) == (2, 2)


def test_a_late_parent_merges_two_conversations_into_the_oldest(engine: Engine, workspace: int) -> None:
    bus = EventBus()
    merged: list[ConversationsMerged] = []
    bus.subscribe(ConversationsMerged, merged.append)
    ingestor = Ingestor(engine, workspace, create_accounts=True, events=bus)
    ingestor.ingest([customer_post("1", minutes=0)])
    ingestor.ingest([customer_post("3", reply_to="2", minutes=20)])
    first, third = conversation_ids(engine, "1", "3")
    assert first != third
    result = ingestor.ingest([brand_post("2", reply_to="1", minutes=10)])
    assert result.conversations_merged == 1
    assert set(conversation_ids(engine, "1", "2", "3")) == {first}
    assert [c.id for c in all_conversations(engine)] == [first]
    assert merged == [ConversationsMerged(workspace, first, (third,))]


def test_cycles_and_missing_parents_are_harmless(engine: Engine, ingestor: Ingestor) -> None:
    ingestor.ingest([customer_post("a", reply_to="b"), customer_post("self", reply_to="self")])
    ingestor.ingest([customer_post("b", reply_to="a", minutes=1), customer_post("x", reply_to="404")])
    a, b, own, orphan = conversation_ids(engine, "a", "b", "self", "x")
    assert a == b
    assert len({a, own, orphan}) == 3


def test_a_resolved_conversation_reopens_within_the_window_and_not_after(
    engine: Engine, ingestor: Ingestor
) -> None:
    ingestor.ingest([customer_post("1"), brand_post("2", reply_to="1", minutes=5)])
    [conversation] = conversation_ids(engine, "1")
    resolve(engine, conversation, minutes=10)
    result = ingestor.ingest([customer_post("3", reply_to="2", minutes=60 * 24 * 3)])
    assert result.conversations_reopened == 1
    assert conversation_ids(engine, "3") == [conversation]
    [row] = all_conversations(engine)
    assert (row.status, row.resolved_at) == ("open", None)

    resolve(engine, conversation, minutes=60 * 24 * 3)
    ingestor.ingest([customer_post("4", reply_to="3", minutes=60 * 24 * 11)])
    assert conversation_ids(engine, "4") != [conversation]


def test_the_reopen_window_is_configurable(engine: Engine, workspace: int) -> None:
    ingestor = Ingestor(engine, workspace, create_accounts=True, reopen_window=timedelta(hours=1))
    ingestor.ingest([customer_post("1")])
    [conversation] = conversation_ids(engine, "1")
    resolve(engine, conversation, minutes=1)
    ingestor.ingest([customer_post("2", reply_to="1", minutes=120)])
    assert conversation_ids(engine, "2") != [conversation]


def test_private_messages_thread_by_customer_and_brand_account(engine: Engine, ingestor: Ingestor) -> None:
    ingestor.ingest([customer_post("p1", private=True)])
    ingestor.ingest(
        [
            brand_post("p2", private=True, to_customer="c1", minutes=3),
            customer_post("p3", private=True, minutes=4),
            customer_post("q1", private=True, by="c2", minutes=5),
            customer_post("r1", private=True, to="acme_shop", minutes=6),
        ]
    )
    p1, p2, p3, q1, r1 = conversation_ids(engine, "p1", "p2", "p3", "q1", "r1")
    assert p1 == p2 == p3
    assert len({p1, q1, r1}) == 3


def test_a_private_message_after_the_window_starts_a_new_conversation(
    engine: Engine, ingestor: Ingestor
) -> None:
    ingestor.ingest([customer_post("p1", private=True)])
    [conversation] = conversation_ids(engine, "p1")
    resolve(engine, conversation, minutes=1)
    ingestor.ingest([customer_post("p2", private=True, minutes=60 * 24 * 30)])
    assert conversation_ids(engine, "p2") != [conversation]


def test_a_customer_post_without_an_account_is_routed_by_the_brands_reply(
    engine: Engine, ingestor: Ingestor
) -> None:
    ingestor.ingest([customer_post("1", to=None)])
    [row] = all_conversations(engine)
    assert row.brand_account_id is None
    ingestor.ingest([brand_post("2", reply_to="1", brand="AcmeSupport", minutes=7)])
    [row] = all_conversations(engine)
    with engine.connect() as connection:
        handle = connection.scalar(
            select(brand_accounts.c.handle).where(brand_accounts.c.id == row.brand_account_id)
        )
    assert handle == "AcmeSupport"
    assert row.first_response_at == at(7)


def test_one_identity_per_network_user_and_news_about_them_is_kept(
    engine: Engine, ingestor: Ingestor
) -> None:
    ingestor.ingest([customer_post("1", followers=10)])
    ingestor.ingest([customer_post("2", followers=1_000_000), customer_post("3", network="bluesky")])
    with engine.connect() as connection:
        rows = connection.execute(select(identities.c.network, identities.c.followers)).all()
        contact_count = connection.scalar(select(func.count()).select_from(contacts))
    assert sorted(rows) == [("bluesky", None), ("x", 1_000_000)]
    assert contact_count == 2


def test_hostile_text_is_stored_as_text(engine: Engine, ingestor: Ingestor) -> None:
    hostile = [
        "<script>alert(1)</script>",
        "nul\x00byte",
        "مرحبا، طلبي لم يصل",
        "🙃" * 500,
        "x" * 100_000,
        "'); DROP TABLE messages; --",
    ]
    ingestor.ingest([customer_post(str(i), text=t, minutes=i) for i, t in enumerate(hostile)])
    with engine.connect() as connection:
        stored = dict(connection.execute(select(messages.c.network_message_id, messages.c.text)).all())
    assert stored["0"] == hostile[0]
    assert stored["1"] == "nulbyte"
    assert stored["2"] == hostile[2]
    assert len(stored["4"]) == 100_000
    assert stored["5"] == hostile[5]


def test_events_are_emitted_after_commit(engine: Engine, workspace: int) -> None:
    bus = EventBus()
    seen: list[object] = []
    bus.subscribe(MessageReceived, seen.append)
    bus.subscribe(ConversationOpened, seen.append)
    ingestor = Ingestor(engine, workspace, create_accounts=True, events=bus)
    ingestor.ingest([customer_post("1"), brand_post("2", reply_to="1", minutes=1)])
    opened = [e for e in seen if isinstance(e, ConversationOpened)]
    received = [e for e in seen if isinstance(e, MessageReceived)]
    assert len(opened) == 1
    assert [e.direction for e in received] == ["inbound", "outbound"]
    with engine.connect() as connection:
        stored_ids = set(connection.scalars(select(messages.c.id)))
    assert {e.message_id for e in received} == stored_ids


def test_two_writers_racing_on_the_same_messages_store_each_once(engine: Engine, workspace: int) -> None:
    batch = [customer_post(str(i), by=f"c{i % 7}", minutes=i) for i in range(200)]
    batch += [brand_post(f"r{i}", reply_to=str(i), minutes=i + 1) for i in range(0, 200, 3)]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def write() -> None:
        ingestor = Ingestor(engine, workspace, create_accounts=True)
        barrier.wait()
        try:
            ingestor.ingest(batch)
        except BaseException as error:  # reported below
            errors.append(error)

    workers = [threading.Thread(target=write) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert message_count(engine) == len(batch)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(identities)) == 7
        assert connection.scalar(select(func.count()).select_from(brand_accounts)) == 1


def test_hostile_raw_payloads_are_kept_as_json(engine: Engine, ingestor: Ingestor) -> None:
    from dataclasses import replace

    payload = {"text": "nul\x00 and a lone \ud800 surrogate", "nested": {"deep": ["<svg onload=x>"]}, "n": 1}
    ingestor.ingest([replace(customer_post("1"), raw=payload)])
    with engine.connect() as connection:
        [stored] = connection.scalars(select(messages.c.raw))
    assert stored["text"] == "nul\ufffd and a lone \ufffd surrogate"
    assert stored["nested"] == payload["nested"]
    assert stored["n"] == 1


def test_live_sources_log_each_new_message_for_open_inboxes(engine: Engine, workspace: int) -> None:
    from caredesk.models.tables import conversation_events

    Ingestor(engine, workspace, create_accounts=True, live=True).ingest(
        [customer_post("1"), customer_post("1")]
    )
    Ingestor(engine, workspace, create_accounts=True).ingest([customer_post("2", by="c2")])
    with engine.connect() as connection:
        logged = connection.execute(select(conversation_events.c.kind, conversation_events.c.data)).all()
    [(kind, data)] = logged
    assert kind == "message"
    assert data["direction"] == "inbound"


def test_what_earlier_posts_in_a_batch_said_about_a_customer_is_kept(
    engine: Engine, ingestor: Ingestor
) -> None:
    ingestor.ingest([customer_post("1", followers=1200), customer_post("2", followers=None)])
    with engine.connect() as connection:
        assert connection.execute(select(identities.c.followers)).scalar_one() == 1200
