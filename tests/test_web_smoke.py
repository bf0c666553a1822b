"""The web app end to end, in-process: sign in, inbox, conversation, reply, delivery."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from caredesk.connectors.registry import Connectors
from caredesk.outbox.worker import deliver_due
from tests.web_support import World


def test_an_agent_answers_a_customer_and_the_reply_is_delivered_once(
    engine: Engine, world: World, client_as: Callable[[str], TestClient]
) -> None:
    agent = client_as("agent")
    queue = agent.get("/api/v1/conversations").json()
    # Both customers spoke last; Li has waited longer (since minute 3, Maria since minute 9).
    assert [item["id"] for item in queue] == [world.conversations["acme2"], world.conversations["acme"]]
    conversation = world.conversations["acme"]
    response = agent.post(
        f"/api/v1/conversations/{conversation}/replies", json={"text": "Refund sent, Maria."}
    )
    assert response.status_code == 201, response.text
    reply_id = response.json()["id"]
    thread = agent.get(f"/api/v1/conversations/{conversation}").json()
    assert thread["owner_name"] == "Agent"  # replying took the unowned conversation
    assert [m["delivery"] for m in thread["messages"] if m["id"] == reply_id] == ["queued"]

    assert deliver_due(engine, Connectors(fallback=world.loopback)) == 1
    assert deliver_due(engine, Connectors(fallback=world.loopback)) == 0
    [sent] = world.loopback.sent
    assert (sent.text, sent.reply_to_network_id, sent.brand_handle) == (
        "Refund sent, Maria.",
        "a3",
        "acme_help",
    )
    thread = agent.get(f"/api/v1/conversations/{conversation}").json()
    [reply] = [m for m in thread["messages"] if m["id"] == reply_id]
    assert (reply["delivery"], reply["network_message_id"]) == ("sent", f"loopback-{reply_id}")
    remaining = agent.get("/api/v1/conversations").json()
    assert [item["id"] for item in remaining] == [world.conversations["acme2"]]  # Maria is answered


def test_pages_render_for_a_signed_in_agent(world: World, client_as: Callable[[str], TestClient]) -> None:
    agent = client_as("agent")
    inbox = agent.get("/inbox", headers={"accept": "text/html"})
    assert inbox.status_code == 200
    assert "My order #4411 never arrived" not in inbox.text  # the preview is the latest message
    assert "Still nothing, third time asking" in inbox.text
    page = agent.get(f"/conversations/{world.conversations['acme']}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "My order #4411 never arrived" in page.text


def test_signed_out_pages_go_to_the_login_form(engine: Engine, world: World) -> None:
    from tests.web_support import app_for

    with app_for(engine, world) as client:
        response = client.get("/inbox", headers={"accept": "text/html"}, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/login")
        assert client.get("/api/v1/conversations").status_code == 401
