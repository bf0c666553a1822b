"""A small workspace with people in every role, and signed-in HTTP clients for them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from caredesk.connectors.loopback import LoopbackConnector
from caredesk.connectors.registry import Connectors
from caredesk.connectors.secrets import Vault
from caredesk.db.engine import write_transaction
from caredesk.ingest.pipeline import Ingestor
from caredesk.models import Role
from caredesk.people import add_agent, add_team, join_team
from caredesk.web.app import create_app
from caredesk.workspaces import ensure_workspace
from tests.factories import brand_post, conversation_ids, customer_post

PASSWORD = "correct horse battery staple"


TEST_VAULT = Vault("caredesk-tests")


@dataclass
class World:
    """Workspace "acme": team Acme answers for @acme_help, team Other for @other_brand.

    People: admin, supervisor, agent and agent2 (team Acme), outsider (team Other),
    reader (read-only, team Acme). Workspace "rival" has its own admin and conversation.
    """

    workspace_id: int
    rival_workspace_id: int
    agents: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    conversations: dict[str, int] = field(default_factory=dict)
    loopback: LoopbackConnector = field(default_factory=LoopbackConnector)


def build_world(engine: Engine) -> World:
    acme = ensure_workspace(engine, "acme")
    rival = ensure_workspace(engine, "rival")
    world = World(acme, rival)
    live = Ingestor(engine, acme, create_accounts=True, live=True)
    live.ingest(
        [
            customer_post("a1", by="maria", text="My order #4411 never arrived", minutes=0, followers=1200),
            brand_post("a2", reply_to="a1", minutes=5, text="Sorry Maria, checking now"),
            customer_post(
                "a3", by="maria", reply_to="a2", minutes=9, text="Still nothing, third time asking"
            ),
            customer_post("b1", by="li", text="Love the new app!", minutes=3),
            customer_post("o1", by="omar", to="other_brand", text="Other brand question", minutes=4),
        ]
    )
    Ingestor(engine, rival, create_accounts=True, live=True).ingest(
        [customer_post("r1", by="zed", to="rival_help", text="Rival's customer", minutes=1)]
    )
    world.conversations = dict(
        zip(("acme", "acme2", "other"), conversation_ids(engine, "a1", "b1", "o1"), strict=True)
    )
    world.conversations["rival"] = conversation_ids(engine, "r1")[0]
    people = {
        "admin": Role.ADMIN,
        "supervisor": Role.SUPERVISOR,
        "agent": Role.AGENT,
        "agent2": Role.AGENT,
        "outsider": Role.AGENT,
        "reader": Role.READ_ONLY,
    }
    with write_transaction(engine) as connection:
        team_acme = add_team(connection, acme, "Acme", ["acme_help"])
        team_other = add_team(connection, acme, "Other", ["other_brand"])
        for name, role in people.items():
            email = f"{name}@acme.test"
            world.agents[name] = add_agent(connection, acme, email, name.title(), role, PASSWORD)
            world.emails[name] = email
            if name in ("agent", "agent2", "reader"):
                join_team(connection, team_acme, world.agents[name])
            if name == "outsider":
                join_team(connection, team_other, world.agents[name])
        world.agents["rival_admin"] = add_agent(
            connection, rival, "admin@rival.test", "Rival", Role.ADMIN, PASSWORD
        )
        world.emails["rival_admin"] = "admin@rival.test"
    return world


def app_for(engine: Engine, world: World) -> TestClient:
    """A client of the app on `engine`, delivering to the world's loopback network on demand."""
    app = create_app(
        engine, connectors=Connectors(fallback=world.loopback), deliver_in_process=False, vault=TEST_VAULT
    )
    return TestClient(app, base_url="http://testserver")


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign `client` in through the login form; returns the session's CSRF token."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    me = client.get("/api/v1/me")
    assert me.status_code == 200, me.text
    csrf: str = me.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = csrf
    return csrf
