"""Account Activity webhooks: the CRC, signatures over raw bytes, and deliveries parsed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from caredesk.connectors.base import InvalidSignature, MalformedEvent
from caredesk.connectors.x import NETWORK
from caredesk.models.enums import Direction, Visibility
from tests.connectors.x.conftest import brand_account
from tests.peers.x_server import (
    BRAND_HANDLE,
    BRAND_ID,
    dm_delivery,
    signed,
    tweet_delivery,
    v1_tweet,
    v1_user,
)

ACCOUNT = brand_account("https://api.x.com")
BRAND = v1_user(BRAND_ID, BRAND_HANDLE, "Acme Support", 52_000)
JO = v1_user("2002", "jo_customer", "Jo Ünal", 1_250_000)


def received(payload: dict[str, Any]) -> list[Any]:
    """Verify then parse a delivery, as the webhook endpoint does."""
    headers, body = signed(payload)
    NETWORK.verify(ACCOUNT, headers, body)
    return NETWORK.parse(ACCOUNT, body)


def test_the_crc_answer_matches_xs_formula() -> None:
    # printf 'crc-challenge-123' | openssl dgst -sha256 -hmac 'x-consumer-secret' -binary | base64
    reply = NETWORK.handshake(ACCOUNT, {"crc_token": "crc-challenge-123"})
    assert (reply.status, reply.media_type) == (200, "application/json")
    assert json.loads(reply.body) == {"response_token": "sha256=4Mkzicn7pjYwD7jSkR5J2HviowA0MIlVgnIepLj9rBA="}


def test_a_crc_without_token_or_secret_is_refused() -> None:
    assert NETWORK.handshake(ACCOUNT, {}).status == 400
    no_secret = brand_account("https://api.x.com", access_token="t")
    assert NETWORK.handshake(no_secret, {"crc_token": "abc"}).status == 403


def test_a_signed_delivery_verifies() -> None:
    headers, body = signed(tweet_delivery(v1_tweet("11", JO, "@acme_cares hi")))
    NETWORK.verify(ACCOUNT, headers, body)


@pytest.mark.parametrize("case", ["missing", "wrong-secret", "reserialised", "no-secret-configured"])
def test_unsigned_or_altered_deliveries_are_refused(case: str) -> None:
    payload = tweet_delivery(v1_tweet("11", JO, "@acme_cares Grüße, où est ma commande ?"))
    headers, body = signed(payload)
    account = ACCOUNT
    if case == "missing":
        headers = {"content-type": "application/json"}
    elif case == "wrong-secret":
        headers, body = signed(payload, "another-apps-secret")
    elif case == "reserialised":
        body = json.dumps(json.loads(body)).encode()  # same JSON, \u-escaped: other bytes
    else:
        account = brand_account("https://api.x.com", access_token="t")
    with pytest.raises(InvalidSignature):
        NETWORK.verify(account, headers, body)


def test_a_mention_is_an_inbound_public_message_with_its_author() -> None:
    [message] = received(
        tweet_delivery(v1_tweet("11", JO, "@acme_cares my parcel is lost", in_reply_to=None))
    )
    assert (message.network, message.network_message_id) == ("x", "11")
    assert (message.direction, message.visibility) == (Direction.INBOUND, Visibility.PUBLIC)
    assert message.created_at.isoformat() == "2024-05-01T09:00:00+00:00"
    assert message.customer.platform_user_id == "2002"
    assert (message.customer.handle, message.customer.display_name) == ("jo_customer", "Jo Ünal")
    assert message.customer.followers == 1_250_000
    assert message.brand_handle == BRAND_HANDLE
    assert message.raw["tweet_create_events"][0]["id_str"] == "11"


def test_one_delivery_with_two_tweets_gives_two_messages_in_order() -> None:
    first = v1_tweet("11", JO, "@acme_cares hello")
    second = v1_tweet("12", JO, "@acme_cares anyone?", in_reply_to=("11", "2002", "jo_customer"))
    messages = received(tweet_delivery(first, second))
    assert [(m.network_message_id, m.reply_to_network_id) for m in messages] == [("11", None), ("12", "11")]


def test_a_long_tweet_keeps_its_full_text() -> None:
    tweet = v1_tweet("11", JO, "@acme_cares the first part…")
    tweet["truncated"] = True
    tweet["extended_tweet"] = {"full_text": "@acme_cares the first part and the whole rest of it"}
    [message] = received(tweet_delivery(tweet))
    assert message.text.endswith("the whole rest of it")


def test_the_brands_own_reply_is_outbound_and_its_other_tweets_are_ignored() -> None:
    reply = v1_tweet("21", BRAND, "@jo_customer fixed!", in_reply_to=("11", "2002", "jo_customer"))
    announcement = v1_tweet("22", BRAND, "Our spring sale starts today")
    thread = v1_tweet("23", BRAND, "2/2 details", in_reply_to=("22", BRAND_ID, BRAND_HANDLE))
    [message] = received(tweet_delivery(reply, announcement, thread))
    assert (message.network_message_id, message.direction) == ("21", Direction.OUTBOUND)
    assert (message.customer.platform_user_id, message.customer.handle) == ("2002", "jo_customer")
    assert message.reply_to_network_id == "11"


def test_retweets_carry_no_question() -> None:
    retweet = v1_tweet("31", JO, "RT @acme_cares: spring sale")
    retweet["retweeted_status"] = v1_tweet("22", BRAND, "spring sale")
    assert received(tweet_delivery(retweet)) == []


def test_deliveries_for_another_subscribed_user_are_ignored() -> None:
    assert received(tweet_delivery(v1_tweet("11", JO, "@other hi"), for_user_id="9999")) == []


def test_a_direct_message_to_the_brand_is_inbound_and_private() -> None:
    [message] = received(dm_delivery("41", JO, BRAND, "Order 5521, can you check?"))
    assert (message.direction, message.visibility) == (Direction.INBOUND, Visibility.PRIVATE)
    assert (message.network_message_id, message.text) == ("41", "Order 5521, can you check?")
    assert message.customer.handle == "jo_customer" and message.customer.followers == 1_250_000
    assert message.created_at.isoformat() == "2024-05-01T09:00:00+00:00"
    assert set(message.raw["users"]) == {"2002", BRAND_ID}


def test_the_echo_of_the_brands_direct_message_is_not_inbound() -> None:
    [message] = received(dm_delivery("42", BRAND, JO, "Thanks, refunded."))
    assert message.direction is Direction.OUTBOUND
    assert message.customer.platform_user_id == "2002"


def test_a_media_only_direct_message_says_so() -> None:
    payload = dm_delivery("43", JO, BRAND, "")
    data = payload["direct_message_events"][0]["message_create"]["message_data"]
    data["attachment"] = {
        "type": "media",
        "media": {"id": 9, "media_url_https": "https://pbs.twimg.com/x.jpg"},
    }
    [message] = received(payload)
    assert message.text == "[media attachment]"


def test_other_activity_is_ignored() -> None:
    payload = {
        "for_user_id": BRAND_ID,
        "favorite_events": [{"id": "a1"}],
        "follow_events": [{"type": "follow"}],
    }
    assert received(payload) == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"tweet_create_events": []}).encode(),
        json.dumps({"for_user_id": BRAND_ID, "tweet_create_events": {"id": 1}}).encode(),
        json.dumps(
            {"for_user_id": BRAND_ID, "tweet_create_events": [{"id_str": "1", "text": "no user"}]}
        ).encode(),
        json.dumps(tweet_delivery(v1_tweet("11", JO, "x", created_at="yesterday"))).encode(),
        json.dumps(tweet_delivery(v1_tweet("1" * 300, JO, "an id far too long"))).encode(),
        json.dumps(dm_delivery("41", JO, BRAND, "hi", created_ms="soon")).encode(),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "deeply-nested",
        "no-for-user-id",
        "events-not-a-list",
        "tweet-without-user",
        "unreadable-time",
        "oversized-id",
        "unreadable-dm-time",
    ],
)
def test_malformed_deliveries_are_a_clear_error_not_a_crash(body: bytes) -> None:
    with pytest.raises(MalformedEvent):
        NETWORK.parse(ACCOUNT, body)
