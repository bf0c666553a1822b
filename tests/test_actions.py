"""The rules of ownership, status, notes and replies."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from caredesk.access import ForbiddenError, NotFoundError, load_viewer
from caredesk.actions.conversations import ConflictError, do_assign, do_set_status, do_tag, do_untag
from caredesk.actions.replies import do_add_note, do_reply
from caredesk.conversation_view import conversation_view
from caredesk.db.engine import write_transaction
from caredesk.models import ConversationStatus, Visibility
from caredesk.models.tables import conversation_events, outbox
from tests.web_support import World


def act(engine: Engine, world: World, person: str, action, *args):  # type: ignore[no-untyped-def]
    with write_transaction(engine) as connection:
        return action(connection, load_viewer(connection, world.agents[person]), *args)


def view(engine: Engine, world: World, person: str, conversation: str):  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return conversation_view(
            connection, load_viewer(connection, world.agents[person]), world.conversations[conversation]
        )


def test_one_owner_at_a_time_and_every_handover_is_recorded_with_who_and_why(
    engine: Engine, world: World
) -> None:
    acme = world.conversations["acme"]
    act(engine, world, "agent", do_assign, acme, world.agents["agent"], "mine")
    with pytest.raises(ForbiddenError, match="supervisors"):
        act(engine, world, "agent2", do_assign, acme, world.agents["agent2"], "let me")
    act(engine, world, "supervisor", do_assign, acme, world.agents["agent2"], "Sam is out sick")
    history = view(engine, world, "agent2", "acme").history
    assert [(h.actor, h.data["owner_id"], h.data["reason"]) for h in history] == [
        ("Agent", world.agents["agent"], "mine"),
        ("Supervisor", world.agents["agent2"], "Sam is out sick"),
    ]
    act(engine, world, "agent2", do_assign, acme, None, "done for today")
    assert view(engine, world, "agent", "acme").owner_id is None


def test_a_conversation_cannot_go_to_someone_who_cannot_see_it(engine: Engine, world: World) -> None:
    with pytest.raises(ConflictError, match="cannot see"):
        act(engine, world, "supervisor", do_assign, world.conversations["acme"], world.agents["outsider"], "")
    with pytest.raises(NotFoundError):
        act(
            engine,
            world,
            "supervisor",
            do_assign,
            world.conversations["acme"],
            world.agents["rival_admin"],
            "",
        )


def test_an_agent_cannot_answer_a_conversation_someone_else_owns(engine: Engine, world: World) -> None:
    acme = world.conversations["acme"]
    act(engine, world, "agent", do_reply, acme, "Looking into it", Visibility.PUBLIC)  # takes it
    with pytest.raises(ConflictError, match="someone else owns"):
        act(engine, world, "agent2", do_reply, acme, "Me too", Visibility.PUBLIC)
    act(engine, world, "supervisor", do_reply, acme, "Supervisor here", Visibility.PRIVATE)
    with engine.connect() as connection:
        assert len(connection.execute(select(outbox.c.id)).all()) == 2


def test_notes_are_never_sent(engine: Engine, world: World) -> None:
    act(engine, world, "agent", do_add_note, world.conversations["acme"], "Customer is a journalist")
    with engine.connect() as connection:
        assert connection.execute(select(outbox.c.id)).all() == []
    [note] = [m for m in view(engine, world, "agent", "acme").messages if m.direction == "note"]
    assert note.text == "Customer is a journalist"


def test_resolving_and_reopening_keep_the_resolution_time(engine: Engine, world: World) -> None:
    acme = world.conversations["acme"]
    resolved = act(engine, world, "agent", do_set_status, acme, ConversationStatus.RESOLVED)
    assert resolved.resolved_at is not None
    reopened = act(engine, world, "agent", do_set_status, acme, ConversationStatus.OPEN)
    assert (reopened.status, reopened.resolved_at) == ("open", None)


def test_tags_are_added_once_and_removed(engine: Engine, world: World) -> None:
    acme = world.conversations["acme"]
    for _ in range(2):
        act(engine, world, "agent", do_tag, acme, "  late   delivery ")
    assert view(engine, world, "agent", "acme").tags == ["late delivery"]
    act(engine, world, "agent", do_untag, acme, "late delivery")
    assert view(engine, world, "agent", "acme").tags == []
    with engine.connect() as connection:
        kinds = [k for (k,) in connection.execute(select(conversation_events.c.kind)) if "tag" in k]
    assert kinds == ["tagged", "untagged"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_001])
def test_empty_or_huge_replies_are_refused_with_a_reason(engine: Engine, world: World, text: str) -> None:
    with pytest.raises(ValueError, match=r"write something|under 10,000"):
        act(engine, world, "agent", do_reply, world.conversations["acme"], text, Visibility.PUBLIC)


def test_read_only_users_change_nothing(engine: Engine, world: World) -> None:
    with pytest.raises(ForbiddenError):
        act(engine, world, "reader", do_add_note, world.conversations["acme"], "hello")
    assert view(engine, world, "reader", "acme").id == world.conversations["acme"]
