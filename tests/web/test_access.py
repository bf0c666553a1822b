"""Access and tenancy (security notes, items 1–7): who may see and change which conversation.

A conversation someone may not see answers exactly like one that does not exist, writes
nothing, and never shows up in a list or a search; read-only users change nothing; request
bodies cannot smuggle in fields; stored secrets never leave the server.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert, select, update

from caredesk.access import NotFoundError, access_conversation_by_id, load_viewer
from caredesk.actions.conversations import do_tag
from caredesk.connectors.base import Permanent
from caredesk.connectors.registry import Connectors
from caredesk.db.engine import write_transaction
from caredesk.inbox import InboxQuery, View, inbox
from caredesk.models import team_accounts, team_members
from caredesk.models.tables import agent_sessions, agents, brand_accounts, conversation_events, conversations
from caredesk.models.tables import outbox as outbox_table
from caredesk.models.tables import teams as teams_table
from caredesk.outbox.worker import deliver_due
from caredesk.people import add_team, deactivate
from caredesk.web.live import events_after
from tests.web.support import HTML, MISSING_ID, changes, state
from tests.web_support import World

ClientFor = Callable[[str], TestClient]
ACME_PEOPLE = ("admin", "supervisor", "agent", "agent2", "outsider", "reader")
EVERYONE = (*ACME_PEOPLE, "rival_admin")
# Who sees what in the world as built: teams answer for brand accounts, supervisors see all.
SEES = {
    "admin": {"acme", "acme2", "other"},
    "supervisor": {"acme", "acme2", "other"},
    "agent": {"acme", "acme2"},
    "agent2": {"acme", "acme2"},
    "reader": {"acme", "acme2"},
    "outsider": {"other"},
    "rival_admin": {"rival"},
}
# A word of each conversation's messages, for searches.
WORD_OF = {"acme": "order", "acme2": "love", "other": "brand", "rival": "customer"}


def requests_on(conversation_id: int, me: int) -> list[tuple[str, str, dict[str, Any]]]:
    """Every way to read or change one conversation, through the API and the pages."""
    api = f"/api/v1/conversations/{conversation_id}"
    page = f"/conversations/{conversation_id}"
    return [
        ("GET", api, {}),
        ("POST", f"{api}/replies", {"json": {"text": "Hello from another team"}}),
        ("POST", f"{api}/replies", {"json": {"text": "Privately", "visibility": "private"}}),
        ("POST", f"{api}/notes", {"json": {"text": "A note"}}),
        ("POST", f"{api}/assignment", {"json": {"owner_id": me, "reason": "mine now"}}),
        ("POST", f"{api}/assignment", {"json": {"owner_id": None}}),
        ("POST", f"{api}/status", {"json": {"status": "resolved"}}),
        ("POST", f"{api}/tags", {"json": {"name": "vip"}}),
        ("DELETE", f"{api}/tags/vip", {}),
        ("POST", f"{api}/presence", {"json": {"typing": True}}),
        ("GET", page, {"headers": HTML}),
        ("GET", page, {"headers": {**HTML, "hx-request": "true"}}),
        ("POST", f"{page}/reply", {"data": {"text": "Hello from the page"}}),
        ("POST", f"{page}/reply", {"data": {"text": "A page note", "visibility": "note"}}),
        ("POST", f"{page}/owner", {"data": {"owner_id": str(me), "reason": "mine"}}),
        ("POST", f"{page}/status", {"data": {"status": "resolved"}}),
        ("POST", f"{page}/tags", {"data": {"name": "vip"}}),
    ]


def fail_a_reply(engine: Engine, world: World, by: TestClient, conversation_id: int) -> int:
    """A reply on the conversation whose delivery failed for good: the kind agents retry."""
    sent = by.post(f"/api/v1/conversations/{conversation_id}/replies", json={"text": "On it"})
    assert sent.status_code == 201, sent.text
    world.loopback.fail_next(Permanent("the customer's post was deleted"))
    assert deliver_due(engine, Connectors(fallback=world.loopback)) == 1
    with engine.connect() as connection:
        status = connection.scalar(
            select(outbox_table.c.status).where(outbox_table.c.message_id == sent.json()["id"])
        )
    assert status == "failed"
    return int(sent.json()["id"])


def same_answer(hidden: Any, missing: Any, hidden_id: int, missing_id: int) -> bool:
    """The two answers are equal once each names its own id."""
    return (
        hidden.status_code == missing.status_code
        and hidden.headers.get("content-type") == missing.headers.get("content-type")
        and hidden.text.replace(str(hidden_id), "<id>") == missing.text.replace(str(missing_id), "<id>")
    )


def linked_conversations(page: str) -> set[int]:
    return {int(found) for found in re.findall(r'href="/conversations/(\d+)"', page)}


# --- Items 1 and 2: someone else's conversation answers like a missing one -------------------


@pytest.mark.parametrize(
    ("person", "target"),
    [("outsider", "acme"), ("agent", "other"), ("rival_admin", "acme"), ("admin", "rival")],
)
def test_a_conversation_someone_may_not_see_answers_404_like_a_missing_one_and_nothing_is_written(
    engine: Engine, world: World, client_for: ClientFor, person: str, target: str
) -> None:
    browser = client_for(person)
    hidden_id = world.conversations[target]
    before = state(engine)
    differences = []
    for (method, path, options), (_, missing_path, _) in zip(
        requests_on(hidden_id, world.agents[person]),
        requests_on(MISSING_ID, world.agents[person]),
        strict=True,
    ):
        hidden = browser.request(method, path, **options)
        missing = browser.request(method, missing_path, **options)
        if hidden.status_code != 404 or not same_answer(hidden, missing, hidden_id, MISSING_ID):
            differences.append((method, path, hidden.status_code, hidden.text[:200], missing.text[:200]))
    assert differences == []
    assert changes(before, state(engine)) == []
    assert world.loopback.sent == []


def test_retrying_a_reply_of_a_conversation_one_may_not_see_answers_404_and_queues_nothing(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    reply_id = fail_a_reply(engine, world, client_for("admin"), world.conversations["acme"])
    before = state(engine)
    for person in ("outsider", "rival_admin"):
        browser = client_for(person)
        assert browser.post(f"/api/v1/messages/{reply_id}/retry").status_code == 404
        page = f"/conversations/{world.conversations['acme']}/messages/{reply_id}/retry"
        assert browser.post(page).status_code == 404
    assert changes(before, state(engine)) == []


def test_retrying_a_reply_of_a_conversation_one_may_not_see_answers_exactly_like_a_missing_reply(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    reply_id = fail_a_reply(engine, world, client_for("admin"), world.conversations["acme"])
    outsider = client_for("outsider")
    hidden = outsider.post(f"/api/v1/messages/{reply_id}/retry")
    missing = outsider.post(f"/api/v1/messages/{MISSING_ID}/retry")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert same_answer(hidden, missing, reply_id, MISSING_ID), (hidden.text, missing.text)


# --- Item 3: lists and searches hold only what the single-object check allows ---------------


def test_each_person_opens_lists_searches_and_sees_in_the_inbox_exactly_their_conversations(
    world: World, client_for: ClientFor
) -> None:
    ids = world.conversations
    for person in EVERYONE:
        browser = client_for(person)
        may_open = {
            ids[name] for name in ids if browser.get(f"/api/v1/conversations/{ids[name]}").status_code == 200
        }
        assert may_open == {ids[name] for name in SEES[person]}
        listed = browser.get("/api/v1/conversations", params={"view": "all", "limit": 200})
        assert {item["id"] for item in listed.json()} == may_open, person
        for view in View:
            queue = browser.get("/api/v1/conversations", params={"view": view.value, "limit": 200})
            assert queue.status_code == 200
            assert {item["id"] for item in queue.json()} <= may_open, (person, view)
        page = browser.get("/inbox", params={"view": "all"}, headers=HTML)
        assert linked_conversations(page.text) == may_open, person
        for name, word in WORD_OF.items():
            found = browser.get("/api/v1/conversations", params={"view": "all", "q": word})
            assert found.status_code == 200, found.text
            expected = {ids[name]} & may_open
            assert {item["id"] for item in found.json()} == expected, (person, word)
            page = browser.get("/inbox", params={"view": "all", "q": word}, headers=HTML)
            assert linked_conversations(page.text) == expected, (person, word)


def test_filters_naming_another_workspaces_account_team_or_tag_find_nothing(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    with write_transaction(engine) as connection:
        rival_viewer = load_viewer(connection, world.agents["rival_admin"])
        do_tag(connection, rival_viewer, world.conversations["rival"], "rival-secret")
        rival_account = connection.scalar(
            select(brand_accounts.c.id).where(brand_accounts.c.workspace_id == world.rival_workspace_id)
        )
        rival_team = add_team(connection, world.rival_workspace_id, "Rival team", ["rival_help"])
    admin = client_for("admin")
    for params in (
        {"brand_account_id": rival_account},
        {"team_id": rival_team},
        {"tag": "rival-secret"},
        {"network": "x", "q": "rival"},
    ):
        answer = admin.get("/api/v1/conversations", params={"view": "all", **params})
        assert (answer.status_code, answer.json()) == (200, []), params


ACME_CONVERSATIONS = ("acme", "acme2", "other")
TEAM_NAMES = ("Acme", "Other", "Night shift")
ACCOUNT_HANDLES = ("acme_help", "other_brand")

assignments = st.fixed_dictionaries(
    {
        "members": st.fixed_dictionaries(
            {person: st.frozensets(st.sampled_from(TEAM_NAMES)) for person in ACME_PEOPLE}
        ),
        "covers": st.fixed_dictionaries(
            {team: st.frozensets(st.sampled_from(ACCOUNT_HANDLES)) for team in TEAM_NAMES}
        ),
        "owner": st.fixed_dictionaries(
            {name: st.none() | st.sampled_from(ACME_PEOPLE) for name in ACME_CONVERSATIONS}
        ),
        "team": st.fixed_dictionaries(
            {name: st.none() | st.sampled_from(TEAM_NAMES) for name in ACME_CONVERSATIONS}
        ),
        "account": st.fixed_dictionaries(
            {name: st.none() | st.sampled_from(ACCOUNT_HANDLES) for name in ACME_CONVERSATIONS}
        ),
    }
)


def may_see(person: str, conversation: str, setup: dict[str, Any]) -> bool:
    """The access rule, written independently of the code under test."""
    if conversation == "rival" or person == "rival_admin":
        return conversation == "rival" and person == "rival_admin"
    if person in ("admin", "supervisor"):
        return True
    teams = setup["members"][person]
    accounts = {handle for team in teams for handle in setup["covers"][team]}
    return (
        setup["owner"][conversation] == person
        or (setup["account"][conversation] is not None and setup["account"][conversation] in accounts)
        or setup["team"][conversation] in teams
    )


def test_lists_single_lookups_and_live_events_agree_with_the_access_rule_for_any_team_setup(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    with write_transaction(engine) as connection:
        add_team(connection, world.workspace_id, "Night shift", [])
        team_ids = dict(
            connection.execute(
                select(teams_table.c.name, teams_table.c.id).where(
                    teams_table.c.workspace_id == world.workspace_id
                )
            ).all()
        )
        account_ids = dict(
            connection.execute(
                select(brand_accounts.c.handle, brand_accounts.c.id).where(
                    brand_accounts.c.workspace_id == world.workspace_id
                )
            ).all()
        )
        for name, conversation_id in world.conversations.items():  # one live event each
            tagger = "rival_admin" if name == "rival" else "admin"
            do_tag(connection, load_viewer(connection, world.agents[tagger]), conversation_id, "seen")
    browsers = {person: client_for(person) for person in EVERYONE}

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(assignments)
    def check(setup: dict[str, Any]) -> None:
        with write_transaction(engine) as connection:
            connection.execute(delete(team_members))
            connection.execute(delete(team_accounts).where(team_accounts.c.team_id.in_(team_ids.values())))
            members = [
                {"team_id": team_ids[team], "agent_id": world.agents[person]}
                for person, teams in setup["members"].items()
                for team in teams
            ]
            covers = [
                {"team_id": team_ids[team], "brand_account_id": account_ids[handle]}
                for team, handles in setup["covers"].items()
                for handle in handles
            ]
            for rows, table in ((members, team_members), (covers, team_accounts)):
                if rows:
                    connection.execute(insert(table), rows)
            for name in ACME_CONVERSATIONS:
                owner, team, account = (setup[key][name] for key in ("owner", "team", "account"))
                connection.execute(
                    update(conversations)
                    .where(conversations.c.id == world.conversations[name])
                    .values(
                        owner_agent_id=None if owner is None else world.agents[owner],
                        team_id=None if team is None else team_ids[team],
                        brand_account_id=None if account is None else account_ids[account],
                    )
                )
        for person in EVERYONE:
            allowed = {
                world.conversations[name] for name in world.conversations if may_see(person, name, setup)
            }
            listed = browsers[person].get("/api/v1/conversations", params={"view": "all", "limit": 200})
            assert {item["id"] for item in listed.json()} == allowed, person
            with engine.connect() as connection:
                viewer = load_viewer(connection, world.agents[person])
                for view in View:
                    queue = inbox(connection, viewer, InboxQuery(view=view, limit=200))
                    assert {item.id for item in queue} <= allowed, (person, view)
                opened = set()
                for conversation_id in world.conversations.values():
                    with suppress(NotFoundError):
                        opened.add(access_conversation_by_id(connection, viewer, conversation_id).id)
                assert opened == allowed, person
            events, _cursor = events_after(engine, viewer, 0)
            assert {event.conversation_id for event in events} == allowed, person

    check()


# --- Item 4: read-only users change nothing --------------------------------------------------


def test_a_read_only_user_gets_403_for_every_change_and_nothing_is_written(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    admin = client_for("admin")
    conversation_id = world.conversations["acme"]
    assert (
        admin.post(f"/api/v1/conversations/{conversation_id}/tags", json={"name": "vip"}).status_code == 200
    )
    reply_id = fail_a_reply(engine, world, admin, conversation_id)
    reader = client_for("reader")
    assert reader.get(f"/api/v1/conversations/{conversation_id}").status_code == 200  # may read it
    before = state(engine)
    refused = [
        *[
            (method, path, options)
            for method, path, options in requests_on(conversation_id, world.agents["reader"])
            if method != "GET" and not path.endswith("/presence")
        ],
        ("POST", f"/api/v1/messages/{reply_id}/retry", {}),
        ("POST", f"/conversations/{conversation_id}/messages/{reply_id}/retry", {}),
    ]
    answers = [
        (method, path, reader.request(method, path, **options).status_code)
        for method, path, options in refused
    ]
    assert [answer for answer in answers if answer[2] != 403] == []
    assert changes(before, state(engine)) == []
    page = reader.get(f"/conversations/{conversation_id}", headers=HTML).text
    assert "You have read-only access." in page
    assert 'id="composer"' not in page and "/owner" not in page and "Retry" not in page


# --- Item 5: no mass assignment --------------------------------------------------------------

SMUGGLED = {
    "workspace_id": 2,
    "inbox_id": 2,
    "role": "admin",
    "is_admin": True,
    "priority": 100,
    "sla": "none",
    "owner": 1,
    "owner_agent_id": 1,
    "source_id": "x1",
    "team_id": 1,
    "brand_account_id": 1,
    "author_agent_id": 1,
    "direction": "inbound",
    "id": 1,
}


def test_request_bodies_with_fields_they_do_not_declare_are_refused_and_change_nothing(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    admin = client_for("admin")
    api = f"/api/v1/conversations/{world.conversations['acme']}"
    bodies = {
        f"{api}/replies": {"text": "hello"},
        f"{api}/notes": {"text": "hello"},
        f"{api}/assignment": {"owner_id": world.agents["admin"], "reason": "mine"},
        f"{api}/status": {"status": "resolved"},
        f"{api}/tags": {"name": "vip"},
        f"{api}/presence": {"typing": False},
    }
    before = state(engine)
    accepted = []
    for path, body in bodies.items():
        for field, value in SMUGGLED.items():
            answer = admin.post(path, json={**body, field: value})
            if answer.status_code != 422 or field not in answer.text:
                accepted.append((path, field, answer.status_code))
    assert accepted == []
    assert changes(before, state(engine)) == []


def test_page_forms_ignore_fields_they_do_not_declare(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    conversation_id = world.conversations["acme"]
    answer = client_for("admin").post(
        f"/conversations/{conversation_id}/status",
        data={"status": "pending", **{field: str(value) for field, value in SMUGGLED.items()}},
    )
    assert answer.status_code == 200
    with engine.connect() as connection:
        row = connection.execute(select(conversations).where(conversations.c.id == conversation_id)).one()
    assert (row.status, row.priority, row.workspace_id, row.owner_agent_id, row.team_id) == (
        "pending",
        0,
        world.workspace_id,
        None,
        None,
    )


# --- Owners: agents take and release, supervisors reassign -----------------------------------


def assignment_events(engine: Engine, conversation_id: int) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(conversation_events.c.actor_agent_id, conversation_events.c.data)
                .where(
                    conversation_events.c.conversation_id == conversation_id,
                    conversation_events.c.kind == "assigned",
                )
                .order_by(conversation_events.c.id)
            )
        ]


def owner_of(engine: Engine, conversation_id: int) -> int | None:
    with engine.connect() as connection:
        return connection.scalar(
            select(conversations.c.owner_agent_id).where(conversations.c.id == conversation_id)
        )


def test_an_agent_cannot_take_release_or_hand_over_a_conversation_another_agent_owns(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    conversation_id = world.conversations["acme"]
    path = f"/api/v1/conversations/{conversation_id}/assignment"
    agent, agent2 = client_for("agent"), client_for("agent2")
    assert agent.post(path, json={"owner_id": world.agents["agent"], "reason": "mine"}).status_code == 200
    before = state(engine)
    attempts = [
        (agent2, {"owner_id": world.agents["agent2"], "reason": "taking it"}),
        (agent2, {"owner_id": None, "reason": "dropping it"}),
        (agent2, {"owner_id": world.agents["supervisor"]}),
        (agent, {"owner_id": world.agents["agent2"], "reason": "yours"}),  # giving away: supervisors
    ]
    assert [browser.post(path, json=body).status_code for browser, body in attempts] == [403] * 4
    form = agent2.post(
        f"/conversations/{conversation_id}/owner", data={"owner_id": str(world.agents["agent2"])}
    )
    assert form.status_code == 403
    reply = agent2.post(f"/api/v1/conversations/{conversation_id}/replies", json={"text": "I'll answer"})
    assert reply.status_code == 409  # the owner answers, or a supervisor
    assert changes(before, state(engine)) == []
    assert owner_of(engine, conversation_id) == world.agents["agent"]


def test_a_supervisor_reassigns_a_conversation_and_the_reason_is_kept_in_its_history(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    conversation_id = world.conversations["acme"]
    path = f"/api/v1/conversations/{conversation_id}/assignment"
    assert client_for("agent").post(path, json={"owner_id": world.agents["agent"]}).status_code == 200
    supervisor = client_for("supervisor")
    answer = supervisor.post(path, json={"owner_id": world.agents["agent2"], "reason": "Agent's shift ended"})
    assert (answer.status_code, answer.json()) == (200, {"ok": True})
    assert owner_of(engine, conversation_id) == world.agents["agent2"]
    assert assignment_events(engine, conversation_id)[-1] == (
        world.agents["supervisor"],
        {
            "previous_owner_id": world.agents["agent"],
            "owner_id": world.agents["agent2"],
            "reason": "Agent's shift ended",
        },
    )
    history = supervisor.get(f"/api/v1/conversations/{conversation_id}").json()["history"]
    assert history[-1]["actor"] == "Supervisor" and history[-1]["data"]["reason"] == "Agent's shift ended"


def test_assigning_to_an_agent_of_another_workspace_answers_404_like_a_missing_agent(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    gone = world.agents["agent2"]
    with write_transaction(engine) as connection:
        deactivate(connection, gone)
    supervisor = client_for("supervisor")
    conversation_id = world.conversations["acme"]
    path = f"/api/v1/conversations/{conversation_id}/assignment"
    before = state(engine)
    missing = supervisor.post(path, json={"owner_id": MISSING_ID, "reason": "x"})
    assert missing.status_code == 404
    for other in (world.agents["rival_admin"], gone):
        answer = supervisor.post(path, json={"owner_id": other, "reason": "x"})
        assert same_answer(answer, missing, other, MISSING_ID), answer.text
        form = supervisor.post(f"/conversations/{conversation_id}/owner", data={"owner_id": str(other)})
        assert form.status_code == 404
    assert changes(before, state(engine)) == []


def test_assigning_to_a_colleague_who_cannot_see_the_conversation_is_refused(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    conversation_id = world.conversations["acme"]
    before = state(engine)
    answer = client_for("supervisor").post(
        f"/api/v1/conversations/{conversation_id}/assignment", json={"owner_id": world.agents["outsider"]}
    )
    assert answer.status_code == 409
    assert changes(before, state(engine)) == []


# --- Item 7: stored secrets never leave the server -------------------------------------------


def test_password_hashes_and_session_tokens_never_appear_in_any_answer(
    engine: Engine, world: World, client_for: ClientFor, anonymous: TestClient
) -> None:
    admin = client_for("admin")
    conversation_id = world.conversations["acme"]
    admin.post(f"/api/v1/conversations/{conversation_id}/tags", json={"name": "vip"})
    admin.post(f"/api/v1/conversations/{conversation_id}/notes", json={"text": "note"})
    with engine.connect() as connection:
        hashes = [h for h in connection.scalars(select(agents.c.password_hash)) if h]
        token_hashes = list(connection.scalars(select(agent_sessions.c.token_hash)))
    answers = [anonymous.get("/login"), anonymous.get("/api/openapi.json"), anonymous.get("/api/docs")]
    for person in EVERYONE:
        browser = client_for(person)
        cookie = browser.cookies.get("caredesk_session")
        for path in ("/api/v1/me", "/api/v1/agents", "/api/v1/conversations?view=all", "/inbox?view=all"):
            answers.append(browser.get(path, headers=HTML))
        for other_id in world.conversations.values():
            answers.append(browser.get(f"/api/v1/conversations/{other_id}"))
            answers.append(browser.get(f"/conversations/{other_id}", headers=HTML))
        leaked = [
            answer.request.url
            for answer in answers
            if cookie in answer.text or any(cookie in value for value in answer.headers.values())
        ]
        assert leaked == [], person
    assert len(answers) > 50
    secrets = [*hashes, *token_hashes, "$argon2", "password_hash", "token_hash"]
    assert [(answer.request.url, s) for answer in answers for s in secrets if s in answer.text] == []
    assert len(hashes) == 7
    assert all(answer.status_code < 500 for answer in answers)
