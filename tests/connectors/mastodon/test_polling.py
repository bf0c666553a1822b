"""Polling mentions from a Mastodon instance on loopback."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from caredesk.connectors.base import AuthExpired, MalformedEvent, Permanent, RateLimited, Transient
from caredesk.connectors.mastodon import NETWORK
from caredesk.connectors.mastodon.polling import PAGE_SIZE
from caredesk.models.enums import Visibility
from tests.connectors.mastodon.conftest import TOKEN, Instance
from tests.peers.mastodon_server import MastodonServer, RunningServer, Scripted


def test_mentions_and_direct_messages_arrive_as_messages(instance: Instance) -> None:
    server = instance.server
    first = server.mention(instance.customer_id, instance.brand_id, "<p>@acme_cares hello</p>")
    cursor = NETWORK.poll(instance.account, None).cursor
    server.follow(instance.customer_id, instance.brand_id)
    public = server.mention(
        instance.customer_id,
        instance.brand_id,
        "<p>still broken<br>see photo</p>",
        in_reply_to_id=first["id"],
    )
    direct = server.mention(
        instance.customer_id, instance.brand_id, "<p>my address is…</p>", visibility="direct"
    )

    polled = NETWORK.poll(instance.account, cursor)

    assert [m.network_message_id for m in polled.messages] == [public["id"], direct["id"]]
    reply, dm = polled.messages
    assert reply.text == "still broken\nsee photo"
    assert reply.reply_to_network_id == first["id"]
    assert reply.visibility is Visibility.PUBLIC
    assert dm.visibility is Visibility.PRIVATE
    assert reply.customer is not None
    assert (reply.customer.handle, reply.customer.followers) == ("alice@other.social", 1_250)
    assert polled.more is False
    assert cursor is not None and polled.cursor is not None and int(polled.cursor) > int(cursor)
    asked = server.requests[-1]
    assert ("types[]", "mention") in asked.query and ("min_id", cursor) in asked.query
    assert asked.headers["authorization"] == f"Bearer {TOKEN}"


def test_a_backlog_is_read_page_by_page_oldest_first_each_page_with_its_cursor(instance: Instance) -> None:
    server = instance.server
    server.mention(instance.customer_id, instance.brand_id, "<p>before</p>")
    cursor = NETWORK.poll(instance.account, None).cursor
    backlog = [
        server.mention(instance.customer_id, instance.brand_id, f"<p>mention {n}</p>")["id"]
        for n in range(100)
    ]

    seen: list[str] = []
    pages = []
    while True:
        polled = NETWORK.poll(instance.account, cursor)
        seen += [m.network_message_id for m in polled.messages]
        pages.append(len(polled.messages))
        cursor = polled.cursor
        if not polled.more:
            break

    assert seen == backlog
    assert pages == [PAGE_SIZE, PAGE_SIZE, 100 - 2 * PAGE_SIZE]
    assert NETWORK.poll(instance.account, cursor).messages == []


def test_the_first_poll_reads_only_the_newest_page(instance: Instance) -> None:
    server = instance.server
    ids = [server.mention(instance.customer_id, instance.brand_id, f"<p>{n}</p>")["id"] for n in range(50)]

    polled = NETWORK.poll(instance.account, None)

    assert [m.network_message_id for m in polled.messages] == ids[-PAGE_SIZE:]
    assert polled.more is False


def test_nothing_new_keeps_the_cursor(instance: Instance) -> None:
    instance.server.mention(instance.customer_id, instance.brand_id, "<p>hi</p>")
    cursor = NETWORK.poll(instance.account, None).cursor

    assert NETWORK.poll(instance.account, cursor).cursor == cursor
    assert NETWORK.poll(dataclasses.replace(instance.account), None).cursor == cursor


def test_echoes_and_unreadable_statuses_are_skipped_but_the_cursor_moves_past_them(
    instance: Instance,
) -> None:
    server = instance.server
    echo = server.mention(instance.brand_id, instance.brand_id, "<p>@acme_cares note to self</p>")
    broken = server.mention(instance.customer_id, instance.brand_id, "<p>x</p>")
    broken["created_at"] = "not a time"
    good = server.mention(instance.customer_id, instance.brand_id, "<p>fine</p>")

    polled = NETWORK.poll(instance.account, None)

    assert [m.network_message_id for m in polled.messages] == [good["id"]]
    assert polled.cursor == server.notifications[-1]["id"]
    assert echo["id"] not in {m.network_message_id for m in polled.messages}


def test_a_stored_cursor_that_is_not_an_id_is_refused_before_any_request(instance: Instance) -> None:
    with pytest.raises(MalformedEvent, match="cursor"):
        NETWORK.poll(instance.account, "1&max_id=2")
    assert instance.server.requests == []


def test_429_waits_until_the_instances_reset_time(instance: Instance) -> None:
    instance.server.script(Scripted("429", seconds=120))

    with pytest.raises(RateLimited) as raised:
        NETWORK.poll(instance.account, None)

    assert 110 <= raised.value.retry_after_s <= 121


def test_a_revoked_token_needs_reauthorisation_and_is_not_repeated(instance: Instance) -> None:
    instance.server.revoked.add(TOKEN)

    with pytest.raises(AuthExpired, match="revoked") as raised:
        NETWORK.poll(instance.account, None)

    assert TOKEN not in str(raised.value)


def test_a_missing_token_needs_reauthorisation(instance: Instance) -> None:
    with pytest.raises(AuthExpired, match="access_token"):
        NETWORK.poll(dataclasses.replace(instance.account, secrets={}), None)
    assert instance.server.requests == []


@pytest.mark.parametrize("kind", ["5xx", "garbage", "deep"])
def test_outages_and_unreadable_or_deeply_nested_answers_are_transient(instance: Instance, kind: str) -> None:
    instance.server.script(Scripted(kind))

    with pytest.raises(Transient):
        NETWORK.poll(instance.account, None)


def test_a_slow_instance_times_out_as_transient(instance: Instance, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("caredesk.connectors.mastodon.api.TIMEOUT", httpx.Timeout(0.3, connect=0.3))
    instance.server.script(Scripted("slow", seconds=1.5))

    with pytest.raises(Transient, match="timed out"):
        NETWORK.poll(instance.account, None)


def test_an_unreachable_instance_is_transient(instance: Instance) -> None:
    closed = dataclasses.replace(instance.account, settings={"api_base": "http://127.0.0.1:9"})

    with pytest.raises(Transient, match="unreachable"):
        NETWORK.poll(closed, None)


def test_a_redirect_is_not_followed_so_the_token_never_leaves_the_instance(instance: Instance) -> None:
    elsewhere = MastodonServer()
    running = RunningServer(elsewhere)
    url = running.start()
    try:
        instance.server.script(Scripted("redirect", location=f"{url}/api/v1/notifications"))
        with pytest.raises(Permanent, match="redirect"):
            NETWORK.poll(instance.account, None)
    finally:
        running.stop()
    assert elsewhere.requests == []


@pytest.mark.parametrize(
    "api_base",
    [
        "",
        "http://mastodon.example",
        "ftp://mastodon.example",
        "https://user:pw@mastodon.example",
        "https://mastodon.example/?next=http://evil",
        "https://mastodon.example:port",
    ],
)
def test_an_unsafe_or_missing_instance_url_is_refused_before_any_request(
    instance: Instance, api_base: str
) -> None:
    account = dataclasses.replace(instance.account, settings={"api_base": api_base})

    with pytest.raises(Permanent, match="api_base"):
        NETWORK.poll(account, None)
