"""Polling the mentions timeline against the X stand-in: pages, cursor, errors."""

from __future__ import annotations

import json
import time

import pytest

from caredesk.connectors.base import AuthExpired, MalformedEvent, Permanent, RateLimited, Transient
from caredesk.connectors.x import XNetwork
from caredesk.models.enums import Direction, Visibility
from tests.connectors.x.conftest import TEST_TIMEOUT, XWorld, brand_account
from tests.peers.x_server import BRAND_ID, Scripted

CUSTOMER = "2002"


@pytest.fixture
def customer(x: XWorld) -> str:
    x.peer.add_user(CUSTOMER, "jo_customer", "Jo Customer", 1_250_000)
    return CUSTOMER


def test_a_first_poll_returns_mentions_oldest_first_with_their_authors(x: XWorld, customer: str) -> None:
    first = x.peer.add_mention(customer, "@acme_cares my order never arrived", minutes=1)
    second = x.peer.add_mention(customer, "@acme_cares still waiting", reply_to=first, minutes=2)

    polled = x.network.poll(x.account, None)

    assert [m.network_message_id for m in polled.messages] == [first, second]
    message = polled.messages[1]
    assert message.direction is Direction.INBOUND and message.visibility is Visibility.PUBLIC
    assert message.text == "@acme_cares still waiting"
    assert message.reply_to_network_id == first
    assert message.brand_handle == "acme_cares"
    assert message.created_at.isoformat() == "2024-05-01T09:02:00+00:00"
    assert message.customer is not None
    assert (message.customer.handle, message.customer.display_name, message.customer.followers) == (
        "jo_customer",
        "Jo Customer",
        1_250_000,
    )
    assert message.raw is not None and message.raw["data"]["id"] == second
    assert (polled.cursor, polled.more) == (second, False)
    assert x.peer.seen[0].query["max_results"] == "100"
    assert x.peer.seen[0].authorization == "Bearer x-user-token-ok"


def test_the_cursor_moves_to_the_newest_mention_only_after_the_last_page(x: XWorld, customer: str) -> None:
    ids = [x.peer.add_mention(customer, f"@acme_cares question {n}", minutes=n) for n in range(250)]
    stored: str | None = "1"  # a since_id older than every mention
    pages = []
    while True:
        polled = x.network.poll(x.account, stored)
        pages.append(polled)
        stored = polled.cursor
        if not polled.more:
            break
        assert stored is not None and json.loads(stored)["newest_id"] == ids[-1]
        x.peer.add_mention(customer, "@acme_cares arrived while paging", minutes=300)

    assert [len(page.messages) for page in pages] == [100, 100, 50]
    assert {m.network_message_id for page in pages for m in page.messages} == set(ids)
    assert stored == ids[-1]
    assert {seen.query.get("since_id") for seen in x.peer.seen} == {"1"}

    later = x.network.poll(x.account, stored)
    assert [m.text for m in later.messages] == ["@acme_cares arrived while paging"] * 2
    assert later.more is False and later.cursor == later.messages[-1].network_message_id


def test_a_poll_with_nothing_new_keeps_the_cursor(x: XWorld, customer: str) -> None:
    newest = x.peer.add_mention(customer, "@acme_cares hi")
    polled = x.network.poll(x.account, newest)
    assert (polled.messages, polled.cursor, polled.more) == ([], newest, False)


def test_the_brands_own_replies_are_outbound_and_retweets_are_not_messages(x: XWorld, customer: str) -> None:
    question = x.peer.add_mention(customer, "@acme_cares is the store open?")
    answer = x.peer.add_mention(BRAND_ID, "@jo_customer until 8pm", reply_to=question)
    x.peer.mentions[-1]["in_reply_to_user_id"] = customer
    x.peer.add_mention(BRAND_ID, "@acme_cares notes to self")
    retweet = x.peer.add_mention(customer, "RT @acme_cares: big sale")
    x.peer.mentions[-1]["referenced_tweets"] = [{"type": "retweeted", "id": question}]

    polled = x.network.poll(x.account, None)

    by_id = {m.network_message_id: m for m in polled.messages}
    assert set(by_id) == {question, answer}
    assert retweet not in by_id
    reply = by_id[answer]
    assert reply.direction is Direction.OUTBOUND
    assert reply.customer is not None and reply.customer.platform_user_id == customer


def test_a_429_waits_until_the_window_resets(x: XWorld) -> None:
    reset = int(time.time()) + 600
    x.peer.script(Scripted(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(reset)}))
    with pytest.raises(RateLimited) as raised:
        x.network.poll(x.account, None)
    assert 590 <= raised.value.retry_after_s <= 600


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (Scripted(401, {"title": "Unauthorized"}), AuthExpired),
        (Scripted(503, {"title": "Service Unavailable"}), Transient),
        (Scripted(delay_s=3, then_normal=True), Transient),
        (Scripted(200, {"data": [{"id": "5", "text": "no author"}]}), MalformedEvent),
    ],
    ids=["revoked-token", "server-error", "slow-answer", "tweet-without-author"],
)
def test_failures_become_typed_errors(x: XWorld, answer: Scripted, error: type[Exception]) -> None:
    x.peer.script(answer)
    with pytest.raises(error) as raised:
        x.network.poll(x.account, None)
    assert "x-user-token-ok" not in str(raised.value)


def test_an_unreachable_server_is_transient() -> None:
    with pytest.raises(Transient):
        XNetwork(timeout=TEST_TIMEOUT).poll(brand_account("http://127.0.0.1:9"), None)


def test_an_unreadable_stored_cursor_is_a_clear_permanent_error(x: XWorld) -> None:
    with pytest.raises(Permanent, match="unreadable X mentions cursor"):
        x.network.poll(x.account, '{"since_id": 5}')
    assert x.peer.seen == []
