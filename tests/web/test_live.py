"""Live updates (security notes, item 12): the event stream checks access per conversation.

`events_after` is tested directly for each person; the `/live` Server-Sent Events stream is
read for real through the in-process client (it streams; a thread reads it with timeouts).
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, delete, func, select, update

from caredesk.access import load_viewer
from caredesk.actions.conversations import do_tag
from caredesk.db.engine import write_transaction
from caredesk.models import team_members
from caredesk.models.tables import conversation_events, conversations, teams
from caredesk.people import deactivate
from caredesk.web.live import events_after
from tests.web.support import HTML, client
from tests.web_support import World

ClientFor = Callable[[str], TestClient]
EVERYONE = ("admin", "supervisor", "agent", "agent2", "outsider", "reader", "rival_admin")
SEES = {
    "admin": {"acme", "acme2", "other"},
    "supervisor": {"acme", "acme2", "other"},
    "agent": {"acme", "acme2"},
    "agent2": {"acme", "acme2"},
    "reader": {"acme", "acme2"},
    "outsider": {"other"},
    "rival_admin": {"rival"},
}


def tag(engine: Engine, world: World, conversation: str, name: str) -> None:
    """A change on the conversation, made by its workspace's admin: one event in the log."""
    by = "rival_admin" if conversation == "rival" else "admin"
    with write_transaction(engine) as connection:
        do_tag(connection, load_viewer(connection, world.agents[by]), world.conversations[conversation], name)


def latest_event(engine: Engine) -> int:
    """The id of the last event in the log: the world's own ingest wrote some."""
    with engine.connect() as connection:
        return int(connection.scalar(select(func.max(conversation_events.c.id))) or 0)


def events_for(engine: Engine, world: World, person: str, after: int = 0) -> tuple[list[Any], int]:
    with engine.connect() as connection:
        viewer = load_viewer(connection, world.agents[person])
    return events_after(engine, viewer, after)


class EventReader:
    """Reads a text/event-stream in a thread; `next()` waits for the next event, or None."""

    def __init__(self, response: Response) -> None:
        self.response = response
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        fields: dict[str, Any] = {}
        try:
            for line in self.response.iter_lines():
                if line:
                    name, _, value = line.partition(": ")
                    fields[name] = value
                    continue
                if "data" in fields:
                    self.events.put({**fields, "data": json.loads(fields["data"])})
                fields = {}
        except Exception:  # the stream was closed under us, or broke
            pass
        self.events.put(None)  # the end of the stream

    def next(self, timeout: float = 5.0) -> dict[str, Any] | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None


@contextmanager
def live(browser: TestClient, **headers: str) -> Iterator[EventReader]:
    with browser.stream("GET", "/live", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = EventReader(response)
        yield reader
    reader.thread.join(timeout=5)


# --- events_after: the rule every stream uses ----------------------------------------------


def test_each_person_gets_only_the_events_of_conversations_they_may_see(engine: Engine, world: World) -> None:
    start = latest_event(engine)
    for n, name in enumerate(["acme", "other", "acme2", "rival", "other", "acme"]):
        tag(engine, world, name, f"tag {n}")
    by_id = {conversation_id: name for name, conversation_id in world.conversations.items()}
    for person in EVERYONE:
        events, _cursor = events_for(engine, world, person, start)
        assert {by_id[event.conversation_id] for event in events} == SEES[person], person
        assert all(event.kind == "tagged" for event in events)


def test_the_cursor_moves_past_events_the_viewer_may_not_see(engine: Engine, world: World) -> None:
    start = latest_event(engine)
    tag(engine, world, "acme", "first")
    tag(engine, world, "other", "hidden")
    tag(engine, world, "other", "hidden too")
    events, cursor = events_for(engine, world, "agent", start)
    assert [event.data["tag"] for event in events] == ["first"]
    assert cursor > events[-1].id  # the hidden ones are skipped, never re-read
    assert events_for(engine, world, "agent", cursor) == ([], cursor)
    tag(engine, world, "acme", "second")
    events, _ = events_for(engine, world, "agent", cursor)
    assert [event.data["tag"] for event in events] == ["second"]


def test_access_is_checked_when_events_are_forwarded_not_when_they_were_written(
    engine: Engine, world: World
) -> None:
    start = latest_event(engine)
    tag(engine, world, "acme", "before the move")
    assert events_for(engine, world, "outsider", start)[0] == []
    with write_transaction(engine) as connection:
        team_other = connection.scalar(
            select(teams.c.id).where(teams.c.workspace_id == world.workspace_id, teams.c.name == "Other")
        )
        connection.execute(
            update(conversations)
            .where(conversations.c.id == world.conversations["acme"])
            .values(team_id=team_other)
        )
        connection.execute(delete(team_members).where(team_members.c.agent_id == world.agents["agent"]))
    assert [e.data["tag"] for e in events_for(engine, world, "outsider", start)[0]] == ["before the move"]
    assert events_for(engine, world, "agent", start)[0] == []


# --- The /live stream over HTTP --------------------------------------------------------------


def test_the_live_stream_needs_a_session(engine: Engine, world: World) -> None:
    anonymous = client(engine, world)
    assert anonymous.get("/live").status_code == 401
    page = anonymous.get("/live", headers=HTML, follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")


def test_the_live_stream_sends_each_agent_only_events_of_conversations_they_may_see(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    with live(client_for("agent")) as agent, live(client_for("outsider")) as outsider:
        tag(engine, world, "other", "for the other team")
        tag(engine, world, "rival", "for the rival")
        tag(engine, world, "acme", "for team acme")
        first = agent.next()
        assert first is not None
        assert (first["event"], first["data"]["conversation_id"], first["data"]["tag"]) == (
            "tagged",
            world.conversations["acme"],
            "for team acme",
        )
        seen = outsider.next()
        assert seen is not None and seen["data"]["tag"] == "for the other team"
        tag(engine, world, "acme2", "not for the outsider")
        tag(engine, world, "other", "again for the other team")
        seen = outsider.next()
        assert seen is not None and seen["data"]["tag"] == "again for the other team"
        following = agent.next()
        assert following is not None and following["data"]["tag"] == "not for the outsider"


def test_resuming_the_stream_from_the_start_replays_only_visible_events(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    tag(engine, world, "other", "hidden")
    tag(engine, world, "acme", "visible")
    with live(client_for("agent"), **{"Last-Event-ID": "0"}) as agent:
        replayed = []
        while (event := agent.next(timeout=1.5)) is not None:
            replayed.append(event)
    by_id = {conversation_id: name for name, conversation_id in world.conversations.items()}
    assert {by_id[event["data"]["conversation_id"]] for event in replayed} == SEES["agent"]
    assert [event["data"].get("tag") for event in replayed if event["event"] == "tagged"] == ["visible"]


def end_session_by(engine: Engine, world: World, how: str) -> None:
    agent_id = world.agents["agent"]
    with write_transaction(engine) as connection:
        if how == "deactivated":
            deactivate(connection, agent_id)
        else:
            connection.execute(delete(team_members).where(team_members.c.agent_id == agent_id))


@pytest.mark.parametrize("how", ["signed out", "deactivated", "removed from the team"])
def test_an_open_stream_stops_forwarding_once_the_session_ends_or_access_is_removed(
    engine: Engine, world: World, client_for: ClientFor, how: str
) -> None:
    browser = client_for("agent")
    with live(browser) as agent:
        tag(engine, world, "acme", "while allowed")
        allowed = agent.next()
        assert allowed is not None and allowed["data"]["tag"] == "while allowed"
        if how == "signed out":
            assert browser.post("/logout").status_code == 204
        else:
            end_session_by(engine, world, how)
        tag(engine, world, "acme", "after access ended")
        leaked = agent.next(timeout=1.5)  # a poll is every 0.5 s
        if leaked is not None and leaked["event"] == "signed-out":  # the stream's last word
            leaked = agent.next(timeout=1.0)
        assert leaked is None, leaked


def test_a_last_event_id_past_64_bits_gets_a_4xx_or_a_working_stream(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    browser = client_for("agent")
    with browser.stream("GET", "/live", headers={"Last-Event-ID": str(10**20)}) as response:
        if 400 <= response.status_code < 500:
            return
        assert response.status_code == 200
        reader = EventReader(response)
        tag(engine, world, "acme", "still streaming")
        # Nothing has an id past 10**20, so a working stream stays quiet rather than ending.
        assert reader.next(timeout=1.5) is None
        reader.thread.join(timeout=0.2)
        assert reader.thread.is_alive()
