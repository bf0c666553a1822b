"""Replies and direct messages sent to the X stand-in, and every way sending fails."""

from __future__ import annotations

import time

import pytest

from caredesk.connectors.base import AuthExpired, OutboundReply, Permanent, RateLimited, Transient
from caredesk.connectors.x import XNetwork
from caredesk.connectors.x.api import checked_api_base
from tests.connectors.x.conftest import TEST_TIMEOUT, XWorld, brand_account
from tests.peers.x_server import Scripted

QUESTION = "1790000000000000777"
CUSTOMER = "2002"


def public(
    text: str = "Sorry Jo, a new parcel leaves today: tracking AB123.", to: str | None = QUESTION
) -> OutboundReply:
    return OutboundReply(1, "x", "acme_cares", "public", text, to, CUSTOMER)


def private(text: str = "Could you share your order number?", to: str | None = CUSTOMER) -> OutboundReply:
    return OutboundReply(2, "x", "acme_cares", "private", text, QUESTION, to)


def test_a_public_reply_is_posted_in_the_customers_thread(x: XWorld) -> None:
    tweet_id = x.network.connector(x.account).send(public())

    assert x.peer.tweets == [
        {
            "id": tweet_id,
            "text": "Sorry Jo, a new parcel leaves today: tracking AB123.",
            "reply": {"in_reply_to_tweet_id": QUESTION},
        }
    ]
    assert x.peer.seen[0].authorization == "Bearer x-user-token-ok"


def test_a_private_reply_is_a_direct_message_to_the_customer(x: XWorld) -> None:
    event_id = x.network.connector(x.account).send(private())

    assert x.peer.direct_messages == [
        {"participant_id": CUSTOMER, "text": "Could you share your order number?", "id": event_id}
    ]


def test_refusals_are_permanent_with_xs_reason(x: XWorld) -> None:
    connector = x.network.connector(x.account)
    x.peer.deleted.add(QUESTION)
    with pytest.raises(Permanent, match="deleted or not visible"):
        connector.send(public())
    x.peer.deleted.clear()
    connector.send(public("Same words"))
    with pytest.raises(Permanent, match="duplicate content"):
        connector.send(public("Same words"))


def test_a_429_is_rate_limited_until_the_reset_header(x: XWorld) -> None:
    reset = int(time.time()) + 120
    x.peer.script(Scripted(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(reset)}))
    with pytest.raises(RateLimited) as raised:
        x.network.connector(x.account).send(public())
    assert 110 <= raised.value.retry_after_s <= 120
    assert x.peer.tweets == []


def test_a_spent_window_is_honoured_without_asking_x_again(x: XWorld) -> None:
    x.peer.remaining["tweets"] = 1
    x.network.connector(x.account).send(public("first"))
    with pytest.raises(RateLimited) as raised:
        x.network.connector(x.account).send(public("second"))  # a new connector knows too
    assert raised.value.retry_after_s > 800
    assert len(x.peer.seen) == 1  # refused locally, no request spent
    x.network.connector(x.account).send(private())  # direct messages are another window


def test_a_retry_after_header_is_used_when_there_is_no_reset(x: XWorld) -> None:
    x.peer.script(Scripted(429, {"title": "Too Many Requests"}, {"retry-after": "30"}))
    with pytest.raises(RateLimited) as raised:
        x.network.connector(x.account).send(public())
    assert raised.value.retry_after_s == 30


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (Scripted(401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401}), AuthExpired),
        (Scripted(500, {"title": "Internal Server Error"}), Transient),
        (Scripted(503), Transient),
        (Scripted(delay_s=3, then_normal=True), Transient),
        (
            Scripted(403, {"detail": "You are not permitted to perform this action.", "status": 403}),
            Permanent,
        ),
        (Scripted(201, None), Permanent),
    ],
    ids=["revoked-token", "500", "503", "slow-answer", "missing-permission", "accepted-without-id"],
)
def test_failures_become_typed_errors_without_the_token(
    x: XWorld, answer: Scripted, error: type[Exception]
) -> None:
    x.peer.script(answer)
    with pytest.raises(error) as raised:
        x.network.connector(x.account).send(public())
    assert "x-user-token-ok" not in str(raised.value)


def test_a_missing_token_asks_for_reauthorisation_and_sends_nothing(x: XWorld) -> None:
    account = brand_account(x.account.settings["api_base"], consumer_secret="s")
    with pytest.raises(AuthExpired, match="re-authorise"):
        x.network.connector(account).send(public())
    assert x.peer.seen == []


@pytest.mark.parametrize(
    "api_base",
    ["https://evil.example", "http://api.x.com", "https://api.x.com.evil.example", "file:///etc/passwd"],
)
def test_tokens_go_only_to_x_hosts(api_base: str) -> None:
    with pytest.raises(Permanent, match="not one of the X API hosts"):
        XNetwork().connector(brand_account(api_base))


def test_a_redirect_is_not_followed_with_the_token(x: XWorld) -> None:
    x.peer.script(Scripted(307, None, {"location": "https://evil.example/2/tweets"}))
    with pytest.raises(Permanent, match="307"):
        x.network.connector(x.account).send(public())
    assert len(x.peer.seen) == 1


def test_the_real_hosts_and_loopback_are_accepted() -> None:
    for api_base in ("https://api.x.com", "https://api.twitter.com", "http://127.0.0.1:8080"):
        assert checked_api_base(api_base) == api_base


@pytest.mark.parametrize("target", ["//evil.example/steal", "../../oauth2/token", "12?x=1", "", None])
def test_ids_that_would_change_the_request_path_are_refused(x: XWorld, target: str | None) -> None:
    connector = x.network.connector(x.account)
    with pytest.raises(Permanent, match="invalid X"):
        connector.send(public(to=target))
    with pytest.raises(Permanent, match="invalid X"):
        connector.send(private(to=target))
    assert x.peer.seen == []


def test_empty_text_is_refused_before_sending(x: XWorld) -> None:
    with pytest.raises(Permanent, match="empty"):
        x.network.connector(x.account).send(public("  "))
    assert x.peer.seen == []


def test_an_unreachable_server_is_transient() -> None:
    with pytest.raises(Transient, match="could not be reached"):
        XNetwork(timeout=TEST_TIMEOUT).connector(brand_account("http://127.0.0.1:9")).send(public())
