"""Meta webhooks: the subscription handshake, signatures over raw bytes, deliveries parsed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from caredesk.connectors.base import InvalidSignature, MalformedEvent
from caredesk.connectors.meta import FACEBOOK, INSTAGRAM
from caredesk.ingest.inbound import InboundMessage
from caredesk.models.enums import Direction, Visibility
from tests.connectors.meta.conftest import instagram_account, page_account
from tests.peers.meta_server import (
    IG_ACCOUNT_ID,
    PAGE_ID,
    VERIFY_TOKEN,
    changes_entry,
    delivery,
    delivery_receipt,
    echo_event,
    feed_comment,
    instagram_comment,
    instagram_mention,
    message_event,
    messaging_entry,
    read_receipt,
    signed,
)

PAGE = page_account()
IG = instagram_account()
PSID = "6001000000000001"


def page_received(payload: dict[str, Any]) -> list[InboundMessage]:
    headers, body = signed(payload)
    FACEBOOK.verify(PAGE, headers, body)
    return FACEBOOK.parse(PAGE, body)


def ig_received(payload: dict[str, Any]) -> list[InboundMessage]:
    headers, body = signed(payload)
    INSTAGRAM.verify(IG, headers, body)
    return INSTAGRAM.parse(IG, body)


def test_the_handshake_echoes_the_challenge_as_text() -> None:
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_TOKEN}
    reply = FACEBOOK.handshake(PAGE, query)
    assert (reply.status, reply.body, reply.media_type) == (200, "1158201444", "text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "guess"},
        {"hub.mode": "subscribe", "hub.challenge": "1158201444"},
        {"hub.mode": "unsubscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_TOKEN},
    ],
    ids=["wrong-token", "no-token", "wrong-mode"],
)
def test_a_wrong_handshake_gets_403(query: dict[str, str]) -> None:
    assert INSTAGRAM.handshake(IG, query).status == 403


def test_without_a_configured_verify_token_every_handshake_fails() -> None:
    account = page_account(access_token="t", app_secret="s")
    query = {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""}
    assert FACEBOOK.handshake(account, query).status == 403


@pytest.mark.parametrize("case", ["missing", "wrong-secret", "reserialised", "truncated", "no-app-secret"])
def test_unsigned_or_altered_deliveries_are_refused(case: str) -> None:
    payload = delivery(
        "page", messaging_entry(PAGE_ID, message_event(PSID, PAGE_ID, "m_1", "Où est ma commande? 🙏"))
    )
    headers, body = signed(payload)
    account = PAGE
    if case == "missing":
        headers = {"content-type": "application/json"}
    elif case == "wrong-secret":
        headers, body = signed(payload, "another-app")
    elif case == "reserialised":
        body = json.dumps(json.loads(body), ensure_ascii=False).encode()
    elif case == "truncated":
        body = body[:-1]
    else:
        account = page_account(access_token="t", verify_token="v")
    with pytest.raises(InvalidSignature):
        FACEBOOK.verify(account, headers, body)


def test_meta_escapes_are_what_is_signed() -> None:
    headers, body = signed(
        delivery("page", messaging_entry(PAGE_ID, message_event(PSID, PAGE_ID, "m_1", "Grüße https://x.y/z")))
    )
    assert b"Gr\\u00fc\\u00dfe https:\\/\\/x.y\\/z" in body
    FACEBOOK.verify(PAGE, headers, body)
    [message] = FACEBOOK.parse(PAGE, body)
    assert message.text == "Grüße https://x.y/z"


def test_a_messenger_message_is_private_and_inbound() -> None:
    event = message_event(PSID, PAGE_ID, "m_AbC1", "My order 5521 never came", reply_to="m_prev")
    [message] = page_received(delivery("page", messaging_entry(PAGE_ID, event)))
    assert (message.network, message.network_message_id) == ("facebook", "m_AbC1")
    assert (message.direction, message.visibility) == (Direction.INBOUND, Visibility.PRIVATE)
    assert message.customer is not None and message.customer.platform_user_id == PSID
    assert message.reply_to_network_id == "m_prev"
    assert message.created_at.isoformat() == "2024-05-01T09:00:00+00:00"
    assert message.brand_handle == "Acme Support"
    assert message.raw == {
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": 1714554000000, "messaging": [event]}],
    }


def test_one_delivery_with_two_messages_gives_both() -> None:
    first = message_event(PSID, PAGE_ID, "m_1", "hello")
    second = message_event("6001000000000002", PAGE_ID, "m_2", "hi there")
    payload = delivery("page", messaging_entry(PAGE_ID, first), messaging_entry(PAGE_ID, second))
    assert [m.network_message_id for m in page_received(payload)] == ["m_1", "m_2"]


def test_echoes_deliveries_and_reads_are_not_messages() -> None:
    payload = delivery(
        "page",
        messaging_entry(
            PAGE_ID,
            echo_event(PAGE_ID, PSID, "m_ours", "Thanks, refunded"),
            delivery_receipt(PSID, PAGE_ID, "m_ours"),
            read_receipt(PSID, PAGE_ID),
            {
                "sender": {"id": PSID},
                "recipient": {"id": PAGE_ID},
                "timestamp": 1,
                "reaction": {"mid": "m_ours", "action": "react", "emoji": "👍"},
            },
        ),
    )
    assert page_received(payload) == []


def test_entries_for_other_pages_are_ignored() -> None:
    other = "104200000000999"
    payload = delivery(
        "page",
        messaging_entry(other, message_event(PSID, other, "m_other", "for another page")),
        messaging_entry(PAGE_ID, message_event(PSID, PAGE_ID, "m_mine", "for us")),
    )
    assert [m.network_message_id for m in page_received(payload)] == ["m_mine"]


def test_each_surface_reads_only_its_own_object() -> None:
    payload = delivery("instagram", messaging_entry(PAGE_ID, message_event(PSID, PAGE_ID, "m_x", "hi")))
    assert page_received(payload) == []


def test_a_media_only_message_names_its_attachments() -> None:
    event = message_event(
        PSID,
        PAGE_ID,
        "m_pic",
        None,
        attachments=[{"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/a.jpg"}}],
    )
    [message] = page_received(delivery("page", messaging_entry(PAGE_ID, event)))
    assert message.text == "[image attachment]"
    assert message.raw is not None
    assert message.raw["entry"][0]["messaging"][0]["message"]["attachments"][0]["type"] == "image"


def test_a_page_comment_is_public_and_answers_its_parent() -> None:
    change = feed_comment(
        f"555000000000001_{7}", ("7001", "Jo Ünal"), "Is this in stock?", created_time=1714554123
    )
    [message] = page_received(delivery("page", changes_entry(PAGE_ID, change)))
    assert (message.network, message.network_message_id) == ("facebook", "555000000000001_7")
    assert (message.direction, message.visibility) == (Direction.INBOUND, Visibility.PUBLIC)
    assert message.reply_to_network_id == f"{PAGE_ID}_555000000000001"
    assert message.customer is not None and message.customer.display_name == "Jo Ünal"
    assert message.created_at.isoformat() == "2024-05-01T09:02:03+00:00"


def test_the_pages_own_comments_edits_and_likes_are_not_inbound() -> None:
    own = feed_comment("555000000000001_8", (PAGE_ID, "Acme Support"), "We replied")
    edited = feed_comment("555000000000001_9", ("7001", "Jo"), "edited text", verb="edited")
    like = {
        "field": "feed",
        "value": {
            "item": "reaction",
            "verb": "add",
            "reaction_type": "like",
            "from": {"id": "7001"},
            "post_id": "1_2",
            "created_time": 1,
        },
    }
    assert page_received(delivery("page", changes_entry(PAGE_ID, own, edited, like))) == []


def test_instagram_comments_dms_and_mentions_are_instagram_messages() -> None:
    comment = instagram_comment(
        "17950000000000001", ("8001", "jo.unal"), "Wrong size 😞", media_id="17900000000000001"
    )
    reply = instagram_comment(
        "17950000000000002", ("8001", "jo.unal"), "hello?", parent_id="17950000000000001"
    )
    own = instagram_comment("17950000000000003", (IG_ACCOUNT_ID, "acme.cares"), "DM us!")
    mention = instagram_mention("17900000000000099", "17950000000000009")
    dm = message_event("9001", IG_ACCOUNT_ID, "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE", "size M please")
    payload = delivery(
        "instagram",
        changes_entry(IG_ACCOUNT_ID, comment, reply, own, mention),
        messaging_entry(IG_ACCOUNT_ID, dm),
    )
    messages = ig_received(payload)
    assert {m.network for m in messages} == {"instagram"}
    assert [(m.network_message_id, m.visibility.value, m.reply_to_network_id) for m in messages] == [
        ("17950000000000001", "public", "17900000000000001"),
        ("17950000000000002", "public", "17950000000000001"),
        ("17950000000000009", "public", "17900000000000099"),
        ("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE", "private", None),
    ]
    assert messages[0].customer is not None and messages[0].customer.handle == "jo.unal"
    assert messages[2].customer is None and "mentioned" in messages[2].text


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b'"a string"',
        b"{" * 50_000 + b"}" * 50_000,
        b'{"entry": []}',
        b'{"object": "page", "entry": {"id": "1"}}',
        json.dumps(
            {
                "object": "page",
                "entry": [{"id": PAGE_ID, "messaging": [{"message": {"mid": "m", "text": "no sender"}}]}],
            }
        ).encode(),
        json.dumps(
            {
                "object": "page",
                "entry": [
                    {"id": PAGE_ID, "messaging": [message_event(PSID, PAGE_ID, "m_1", "x", timestamp_ms=-5)]}
                ],
            }
        ).encode(),
        json.dumps(
            {
                "object": "page",
                "entry": [{"id": PAGE_ID, "messaging": [message_event(PSID, PAGE_ID, "m\n" * 100, "x")]}],
            }
        ).encode(),
        json.dumps(
            {
                "object": "page",
                "entry": [{"id": PAGE_ID, "time": 1, "changes": [{"field": "feed", "value": "text"}]}],
            }
        ).encode(),
    ],
    ids=[
        "empty",
        "not-json",
        "not-an-object",
        "deeply-nested",
        "no-object",
        "entry-not-a-list",
        "no-sender",
        "negative-time",
        "bad-mid",
        "value-not-object",
    ],
)
def test_malformed_deliveries_are_a_clear_error_not_a_crash(body: bytes) -> None:
    with pytest.raises(MalformedEvent):
        FACEBOOK.parse(PAGE, body)
