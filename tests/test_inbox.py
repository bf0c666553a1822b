"""Inbox views, filters, search and order."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from caredesk.access import load_viewer
from caredesk.actions.conversations import do_assign, do_set_status
from caredesk.db.engine import write_transaction
from caredesk.inbox import InboxQuery, View, inbox, view_counts
from caredesk.models import ConversationStatus
from caredesk.search import index_pending, words
from tests.web_support import World


def ids(engine: Engine, world: World, person: str, **query: object) -> list[int]:
    index_pending(engine)  # as the web routes do before a search
    with engine.connect() as connection:
        viewer = load_viewer(connection, world.agents[person])
        return [item.id for item in inbox(connection, viewer, InboxQuery(**query))]  # type: ignore[arg-type]


def test_needs_answer_puts_the_longest_waiting_customer_first(engine: Engine, world: World) -> None:
    assert ids(engine, world, "agent") == [world.conversations["acme2"], world.conversations["acme"]]
    assert ids(engine, world, "admin") == [
        world.conversations["acme2"],
        world.conversations["other"],
        world.conversations["acme"],
    ]


def test_views_mine_unassigned_and_resolved(engine: Engine, world: World) -> None:
    acme, acme2 = world.conversations["acme"], world.conversations["acme2"]
    with write_transaction(engine) as connection:
        agent = load_viewer(connection, world.agents["agent"])
        do_assign(connection, agent, acme, agent.agent_id, "")
        do_set_status(connection, agent, acme2, ConversationStatus.RESOLVED)
    assert ids(engine, world, "agent", view=View.MINE) == [acme]
    assert ids(engine, world, "agent", view=View.UNASSIGNED) == []
    assert ids(engine, world, "agent", view=View.RESOLVED) == [acme2]
    assert set(ids(engine, world, "agent", view=View.ALL)) == {acme, acme2}
    with engine.connect() as connection:
        counts = view_counts(connection, load_viewer(connection, world.agents["agent"]))
    assert counts == {View.NEEDS_ANSWER: 1, View.MINE: 1, View.UNASSIGNED: 0}


@pytest.mark.parametrize(
    ("words", "expected"),
    [("third time", ["acme"]), ("LOVE", ["acme2"]), ("%", []), ("nothing at all", [])],
)
def test_search_finds_words_in_any_message_case_insensitively(
    engine: Engine, world: World, words: str, expected: list[str]
) -> None:
    found = ids(engine, world, "agent", view=View.ALL, search=words)
    assert found == [world.conversations[name] for name in expected]


def test_filters_by_network_and_refuses_absurd_pages(engine: Engine, world: World) -> None:
    assert ids(engine, world, "admin", view=View.ALL, network="bluesky") == []
    with pytest.raises(ValueError, match="limit"):
        InboxQuery(limit=0)
    with pytest.raises(ValueError, match="offset"):
        InboxQuery(offset=50_000)


def test_messages_stored_after_the_last_search_are_found_too(engine: Engine, world: World) -> None:
    from caredesk.ingest.pipeline import Ingestor
    from tests.factories import customer_post

    assert ids(engine, world, "agent", view=View.ALL, search="refund") == []
    Ingestor(engine, world.workspace_id, create_accounts=True).ingest(
        [customer_post("a4", by="maria", reply_to="a3", minutes=20, text="Where is my refund?")]
    )
    assert ids(engine, world, "agent", view=View.ALL, search="refun") == [world.conversations["acme"]]
    assert index_pending(engine) == 0  # nothing left to index


def test_search_words_are_never_query_syntax() -> None:
    assert words('refund" OR NEAR(a b) * -x ^y') == ["refund", "or", "near", "a", "b", "x", "y"]
    assert words("") == []
