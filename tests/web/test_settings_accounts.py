"""The accounts settings page: admins connect accounts; credentials never come back out."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from caredesk.models.tables import brand_accounts
from tests.web.support import HTML
from tests.web_support import TEST_VAULT, World

TOKEN = "secret-access-token-1f9a"
APP_SECRET = "secret-consumer-6c2e"


def connect(client: TestClient, **fields: str) -> str:
    form = {"network": "x", "handle": "acme_help", "platform_id": "1001", "setting_api_base": "",
            "secret_access_token": TOKEN, "secret_consumer_secret": APP_SECRET, **fields}  # fmt: skip
    answer = client.post("/settings/accounts", data=form, headers=HTML)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_an_admin_connects_an_account_and_never_sees_its_secrets_again(
    engine: Engine, world: World, client_for: Callable[[str], TestClient]
) -> None:
    admin = client_for("admin")
    page = connect(admin)
    assert "x account acme_help is connected" in page
    assert "/webhooks/x/" in page
    for shown in (page, admin.get("/settings/accounts", headers=HTML).text):
        assert TOKEN not in shown and APP_SECRET not in shown
    with engine.connect() as connection:
        sealed = connection.scalar(
            select(brand_accounts.c.secrets).where(brand_accounts.c.handle == "acme_help")
        )
    assert sealed and TOKEN not in sealed  # encrypted at rest
    assert TEST_VAULT.open(sealed) == {"access_token": TOKEN, "consumer_secret": APP_SECRET}


def test_blank_credentials_keep_the_stored_ones(
    engine: Engine, world: World, client_for: Callable[[str], TestClient]
) -> None:
    admin = client_for("admin")
    connect(admin)
    connect(admin, secret_access_token="", secret_consumer_secret="", setting_api_base="http://127.0.0.1:9")
    with engine.connect() as connection:
        row = connection.execute(
            select(brand_accounts.c.secrets, brand_accounts.c.settings).where(
                brand_accounts.c.handle == "acme_help"
            )
        ).one()
    assert TEST_VAULT.open(row.secrets)["access_token"] == TOKEN
    assert row.settings == {"api_base": "http://127.0.0.1:9"}


def test_unknown_fields_and_bad_handles_are_explained(
    world: World, client_for: Callable[[str], TestClient]
) -> None:
    admin = client_for("admin")
    assert "choose a network" in connect(admin, network="myspace")
    assert "handle" in connect(admin, handle="  ")


def test_only_admins_manage_accounts(
    engine: Engine, world: World, client_for: Callable[[str], TestClient]
) -> None:
    for person in ("supervisor", "agent", "reader"):
        client = client_for(person)
        assert client.get("/settings/accounts", headers=HTML).status_code == 403
        answer = client.post("/settings/accounts", data={"network": "x", "handle": "evil"}, headers=HTML)
        assert answer.status_code == 403
    with engine.connect() as connection:
        assert connection.scalar(select(brand_accounts.c.id).where(brand_accounts.c.handle == "evil")) is None


def test_pausing_and_resuming_an_account(
    engine: Engine, world: World, client_for: Callable[[str], TestClient]
) -> None:
    admin = client_for("admin")
    connect(admin)
    with engine.connect() as connection:
        account = connection.scalar(select(brand_accounts.c.id).where(brand_accounts.c.handle == "acme_help"))
    assert "resume" in admin.post(f"/settings/accounts/{account}/status", data={"status": "paused"}).text
    with engine.connect() as connection:
        assert (
            connection.scalar(select(brand_accounts.c.status).where(brand_accounts.c.id == account))
            == "paused"
        )
    admin.post(f"/settings/accounts/{account}/status", data={"status": "active"})
    rival = client_for("rival_admin")
    assert rival.post(f"/settings/accounts/{account}/status", data={"status": "paused"}).status_code == 404
