"""Sending replies to a Mastodon instance on loopback."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from caredesk.connectors.base import AuthExpired, OutboundReply, Permanent, RateLimited, Transient
from caredesk.connectors.mastodon import NETWORK
from tests.connectors.mastodon.conftest import TOKEN, Instance
from tests.peers.mastodon_server import Scripted


def reply_to(
    status: dict[str, Any] | None, *, visibility: str = "public", text: str = "On it!", **more: Any
) -> OutboundReply:
    return OutboundReply(
        message_id=more.pop("message_id", 41),
        network="mastodon",
        brand_handle="acme_cares",
        visibility=visibility,
        text=text,
        reply_to_network_id=status["id"] if status else None,
        recipient_platform_user_id=more.pop("recipient", status["account"]["id"] if status else None),
        reply_to_raw=status,
    )


def test_a_public_reply_is_a_status_in_the_thread_mentioning_the_customer(instance: Instance) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>help</p>")

    sent_id = NETWORK.connector(instance.account).send(reply_to(mention))

    (status,) = instance.server.statuses_by(instance.brand_id)
    assert status["id"] == sent_id
    assert status["in_reply_to_id"] == mention["id"]
    assert status["visibility"] == "public"
    assert status["content"] == "<p>@alice@other.social On it!</p>"
    posted = instance.server.requests[-1]
    assert posted.headers["idempotency-key"] == "caredesk-41"
    assert posted.headers["authorization"] == f"Bearer {TOKEN}"


def test_a_reply_to_an_unlisted_status_stays_unlisted(instance: Instance) -> None:
    mention = instance.server.mention(
        instance.customer_id, instance.brand_id, "<p>quiet</p>", visibility="unlisted"
    )

    NETWORK.connector(instance.account).send(reply_to(mention))

    assert instance.server.statuses_by(instance.brand_id)[0]["visibility"] == "unlisted"


def test_a_private_reply_is_a_direct_status_addressed_to_the_customer(instance: Instance) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>my card was charged</p>")

    NETWORK.connector(instance.account).send(
        reply_to(mention, visibility="private", text="Could you send us the last 4 digits here?")
    )

    (status,) = instance.server.statuses_by(instance.brand_id)
    assert status["visibility"] == "direct"
    assert [m["id"] for m in status["mentions"]] == [instance.customer_id]


def test_a_direct_message_without_the_answered_status_looks_the_customer_up(instance: Instance) -> None:
    reply = reply_to(None, visibility="private", recipient=instance.customer_id)

    NETWORK.connector(instance.account).send(reply)

    (status,) = instance.server.statuses_by(instance.brand_id)
    assert status["content"].startswith("<p>@alice@other.social ")
    assert status["in_reply_to_id"] is None
    assert instance.server.requests[0].path == f"/api/v1/accounts/{instance.customer_id}"


def test_a_direct_message_to_nobody_is_refused(instance: Instance) -> None:
    with pytest.raises(Permanent, match="recipient"):
        NETWORK.connector(instance.account).send(reply_to(None, visibility="private", recipient=None))
    assert instance.server.requests == []


def test_the_customer_is_not_mentioned_twice(instance: Instance) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>help</p>")

    NETWORK.connector(instance.account).send(reply_to(mention, text="Thanks @alice@other.social!"))

    assert (
        instance.server.statuses_by(instance.brand_id)[0]["content"] == "<p>Thanks @alice@other.social!</p>"
    )


def test_sending_twice_with_the_same_message_posts_one_status(instance: Instance) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>help</p>")
    connector = NETWORK.connector(instance.account)

    first = connector.send(reply_to(mention))
    again = connector.send(reply_to(mention))

    assert first == again
    assert len(instance.server.statuses_by(instance.brand_id)) == 1
    other = connector.send(reply_to(mention, message_id=42))
    assert other != first


def test_a_status_accepted_before_a_5xx_is_not_posted_again_on_retry(instance: Instance) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>help</p>")
    connector = NETWORK.connector(instance.account)
    instance.server.script(Scripted("post-then-5xx"))

    with pytest.raises(Transient):
        connector.send(reply_to(mention))
    retried = connector.send(reply_to(mention))

    (status,) = instance.server.statuses_by(instance.brand_id)
    assert status["id"] == retried


def test_a_reply_to_a_deleted_status_is_permanent(instance: Instance) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>help</p>")
    deleted = {**mention, "id": "999999"}

    with pytest.raises(Permanent, match=r"404.*Record not found"):
        NETWORK.connector(instance.account).send(reply_to(deleted))


def test_a_reply_the_instance_refuses_is_permanent_with_its_reason(instance: Instance) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>help</p>")

    with pytest.raises(Permanent, match="character limit of 500"):
        NETWORK.connector(instance.account).send(reply_to(mention, text="x" * 600))


def test_a_reply_to_something_that_is_not_a_status_id_is_refused_before_sending(instance: Instance) -> None:
    bogus = dataclasses.replace(reply_to(None), reply_to_network_id="../accounts/1")

    with pytest.raises(Permanent, match="not a status id"):
        NETWORK.connector(instance.account).send(bogus)
    assert instance.server.requests == []


def test_a_revoked_token_needs_reauthorisation(instance: Instance) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>help</p>")
    instance.server.revoked.add(TOKEN)

    with pytest.raises(AuthExpired) as raised:
        NETWORK.connector(instance.account).send(reply_to(mention))

    assert TOKEN not in str(raised.value)


def test_a_token_without_write_scope_needs_reauthorisation(instance: Instance) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>help</p>")
    instance.server.grant(instance.brand_id, "read-only", write=False)
    account = dataclasses.replace(instance.account, secrets={"access_token": "read-only"})

    with pytest.raises(AuthExpired, match="scope"):
        NETWORK.connector(account).send(reply_to(mention))


def test_429_on_send_waits_for_the_reset(instance: Instance) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>help</p>")
    instance.server.script(Scripted("429", seconds=30))

    with pytest.raises(RateLimited) as raised:
        NETWORK.connector(instance.account).send(reply_to(mention))

    assert 20 <= raised.value.retry_after_s <= 31
    assert instance.server.statuses_by(instance.brand_id) == []


def test_5xx_and_timeouts_on_send_are_transient(instance: Instance, monkeypatch: pytest.MonkeyPatch) -> None:
    mention = instance.server.mention(instance.customer_id, instance.brand_id, "<p>help</p>")
    monkeypatch.setattr("caredesk.connectors.mastodon.api.TIMEOUT", httpx.Timeout(0.3, connect=0.3))
    instance.server.script(Scripted("5xx"), Scripted("slow", seconds=1.5))
    connector = NETWORK.connector(instance.account)

    with pytest.raises(Transient, match="502"):
        connector.send(reply_to(mention))
    with pytest.raises(Transient, match="timed out"):
        connector.send(reply_to(mention))
