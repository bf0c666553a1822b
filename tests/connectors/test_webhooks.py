"""Webhook deliveries end to end: signed bytes in, a 200 at once, conversations after processing.

Runs the real app and the real X parser on real storage (security.md 17-21, R10). X's
Account Activity format and signature come from tests/peers/x_server.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from caredesk.connectors.accounts import add_account
from caredesk.connectors.intake import Intake
from caredesk.connectors.secrets import Vault
from caredesk.db.engine import write_transaction
from caredesk.db.inbound_log import inbound_log
from caredesk.models.tables import (
    brand_accounts,
    conversation_events,
    conversations,
    inbound_events,
    messages,
)
from caredesk.web.app import create_app
from caredesk.workspaces import ensure_workspace
from tests.peers.x_server import (
    BRAND_HANDLE,
    BRAND_ID,
    CONSUMER_SECRET,
    TOKEN,
    signed,
    tweet_delivery,
    v1_tweet,
    v1_user,
)

VAULT = Vault("webhook-tests")
CUSTOMER = v1_user("2002", "maria_k", "Maria K", followers=4100)
BRAND = v1_user(BRAND_ID, BRAND_HANDLE, "Acme Cares")


@pytest.fixture
def hook(engine: Engine) -> Iterator[tuple[TestClient, str]]:
    """A client of the app and the webhook path of an X account."""
    workspace = ensure_workspace(engine, "acme")
    with write_transaction(engine) as connection:
        account_id = add_account(
            connection, VAULT, workspace, "x", BRAND_HANDLE, platform_id=BRAND_ID,
            secrets={"access_token": TOKEN, "consumer_secret": CONSUMER_SECRET},
        )  # fmt: skip
        key = connection.scalar(select(brand_accounts.c.webhook_key).where(brand_accounts.c.id == account_id))
    with TestClient(create_app(engine, vault=VAULT)) as client:
        yield client, f"/webhooks/x/{key}"


def x_signature(data: bytes) -> str:
    """X's formula, written out independently of the code under test."""
    return (
        "sha256="
        + base64.b64encode(hmac.new(CONSUMER_SECRET.encode(), data, hashlib.sha256).digest()).decode()
    )


def mention(tweet_id: str = "9001", text: str = "@acme_cares my parcel is lost") -> dict[str, Any]:
    return tweet_delivery(v1_tweet(tweet_id, CUSTOMER, text))


def post(client: TestClient, path: str, payload: dict[str, Any]) -> int:
    headers, body = signed(payload)
    return client.post(path, content=body, headers=headers).status_code


def count(engine: Engine, table: Any) -> int:
    with (inbound_log(engine) if table is inbound_events else engine).connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def process(engine: Engine) -> None:
    Intake(engine, VAULT).process_pending()


def test_a_signed_mention_is_stored_raw_then_becomes_a_conversation(
    engine: Engine, hook: tuple[TestClient, str]
) -> None:
    client, path = hook
    headers, body = signed(mention(text="@acme_cares où est mon colis? 📦"))
    answer = client.post(path, content=body, headers=headers)
    assert answer.status_code == 200
    with inbound_log(engine).connect() as connection:
        assert connection.scalar(select(inbound_events.c.body)) == body  # byte for byte
    assert count(engine, messages) == 0  # processing is asynchronous
    process(engine)
    with engine.connect() as connection:
        message = connection.execute(select(messages.c.text, messages.c.network, messages.c.direction)).one()
        assert tuple(message) == ("@acme_cares où est mon colis? 📦", "x", "inbound")
        assert connection.scalar(select(func.count()).select_from(conversations)) == 1
        # live: an open inbox hears of it
        assert connection.scalar(select(conversation_events.c.kind)) == "message"
    with inbound_log(engine).connect() as connection:
        assert connection.scalar(select(inbound_events.c.status)) == "processed"


def test_a_wrong_missing_or_reserialised_signature_is_refused_and_nothing_is_written(
    engine: Engine, hook: tuple[TestClient, str]
) -> None:
    client, path = hook
    headers, body = signed(mention(text="crème brûlée"))
    wrong = {**headers, "x-twitter-webhooks-signature": "sha256=" + "A" * 44}
    assert client.post(path, content=body, headers=wrong).status_code == 403
    missing = {"content-type": "application/json"}
    assert client.post(path, content=body, headers=missing).status_code == 403
    reserialised = json.dumps(json.loads(body)).encode()  # \u escapes: same JSON, other bytes
    assert reserialised != body
    assert client.post(path, content=reserialised, headers=headers).status_code == 403
    assert count(engine, inbound_events) == 0


def test_a_missing_app_secret_fails_closed(engine: Engine, hook: tuple[TestClient, str]) -> None:
    client, path = hook
    with write_transaction(engine) as connection:
        add_account(
            connection, VAULT, 1, "x", BRAND_HANDLE, platform_id=BRAND_ID, secrets={"access_token": TOKEN}
        )
    assert post(client, path, mention()) == 403
    assert client.get(path, params={"crc_token": "abc"}).status_code == 403
    assert count(engine, inbound_events) == 0


def test_the_crc_challenge_is_answered_with_xs_formula(hook: tuple[TestClient, str]) -> None:
    client, path = hook
    answer = client.get(path, params={"crc_token": "challenge-123"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == {"response_token": x_signature(b"challenge-123")}


def test_unknown_addresses_are_404_like_any_missing_page(hook: tuple[TestClient, str]) -> None:
    client, path = hook
    for wrong in (path + "x", "/webhooks/x/nope", path.replace("/x/", "/facebook/"), "/webhooks/nowhere/k"):
        assert client.post(wrong, content=b"{}").status_code == 404
        assert client.get(wrong).status_code == 404


def test_the_same_delivery_ten_times_in_parallel_is_one_message(
    engine: Engine, hook: tuple[TestClient, str]
) -> None:
    client, path = hook
    headers, body = signed(mention())
    statuses: list[int] = []

    def deliver() -> None:
        statuses.append(client.post(path, content=body, headers=headers).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 10  # every copy is acknowledged, so X stops re-sending
    assert count(engine, inbound_events) == 1
    process(engine)
    assert count(engine, messages) == 1


def test_one_message_in_two_deliveries_is_stored_once_and_two_in_one_both(
    engine: Engine, hook: tuple[TestClient, str]
) -> None:
    client, path = hook
    first = tweet_delivery(v1_tweet("9001", CUSTOMER, "@acme_cares hello"))
    again = tweet_delivery(
        v1_tweet("9001", CUSTOMER, "@acme_cares hello"),
        v1_tweet("9002", CUSTOMER, "@acme_cares and also this"),
    )
    assert post(client, path, first) == 200
    assert post(client, path, again) == 200
    process(engine)
    with engine.connect() as connection:
        texts = sorted(connection.scalars(select(messages.c.text)))
    assert texts == ["@acme_cares and also this", "@acme_cares hello"]


def test_echoes_and_other_accounts_events_create_no_inbound_message(
    engine: Engine, hook: tuple[TestClient, str]
) -> None:
    client, path = hook
    assert post(client, path, tweet_delivery(v1_tweet("9001", CUSTOMER, "hi"), for_user_id="5555")) == 200
    own = v1_tweet("9003", BRAND, "We're on it!", in_reply_to=("9001", "2002", "maria_k"))
    assert post(client, path, tweet_delivery(own)) == 200
    process(engine)
    with engine.connect() as connection:
        directions = list(connection.scalars(select(messages.c.direction)))
    assert "inbound" not in directions


def test_oversized_unreadable_or_absurdly_nested_bodies_get_a_fast_4xx(
    engine: Engine, hook: tuple[TestClient, str]
) -> None:
    client, path = hook
    huge = b'{"for_user_id":"1001","pad":"' + b"x" * 1_100_000 + b'"}'
    assert client.post(path, content=huge, headers=signed({})[0]).status_code == 413
    nested: Any = "deep"
    for _ in range(200):
        nested = {"a": nested}
    assert post(client, path, nested) == 400
    headers, _ = signed({})
    garbage = b"\xff\xfe not json"
    import base64
    import hashlib
    import hmac

    headers["x-twitter-webhooks-signature"] = (
        "sha256="
        + base64.b64encode(hmac.new(CONSUMER_SECRET.encode(), garbage, hashlib.sha256).digest()).decode()
    )
    assert client.post(path, content=garbage, headers=headers).status_code == 400
    assert count(engine, inbound_events) == 0


def test_an_unreadable_event_is_kept_failed_with_its_reason_and_others_go_on(
    engine: Engine, hook: tuple[TestClient, str]
) -> None:
    client, path = hook
    broken = {"for_user_id": BRAND_ID, "tweet_create_events": [{"id_str": "1", "user": "not an object"}]}
    assert post(client, path, broken) == 200
    assert post(client, path, mention()) == 200
    process(engine)
    with inbound_log(engine).connect() as connection:
        rows = connection.execute(
            select(inbound_events.c.status, inbound_events.c.error).order_by(inbound_events.c.id)
        ).all()
    assert rows[0].status == "failed" and rows[0].error
    assert rows[1].status == "processed"
    assert count(engine, messages) == 1
