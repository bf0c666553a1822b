"""Account Activity webhooks: the CRC answer, the signature, and deliveries as messages.

Pure functions over the documented wire format (API v1.1 objects). A delivery concerns one
subscribed user (`for_user_id`); one for another account is ignored whole. Tweets and direct
messages written by the brand itself arrive too: they become outbound messages (replies
made in X's own app thread into their conversation, and ingest dedupes the ones Caredesk
sent by the id it stored), never inbound ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import orjson

from caredesk.connectors.base import AccountConfig, InvalidSignature, MalformedEvent, Permanent, WebhookReply
from caredesk.connectors.x.wire import (
    count_at,
    millis_at,
    object_at,
    objects_at,
    optional_text,
    read_object,
    text_at,
    v1_time_at,
)
from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.models.enums import Direction, Visibility

SIGNATURE_HEADER = "x-twitter-webhooks-signature"


def signature(consumer_secret: str, payload: bytes) -> str:
    """X's signature of `payload`: "sha256=" + base64 HMAC-SHA256 with the consumer secret."""
    digest = hmac.new(consumer_secret.encode(), payload, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def crc_reply(consumer_secret: str | None, query: Mapping[str, str]) -> WebhookReply:
    """The Challenge-Response Check X sends when registering, and hourly after."""
    crc_token = query.get("crc_token")
    if not crc_token:
        return WebhookReply(400, "crc_token is missing")
    if not consumer_secret:
        return WebhookReply(403, "no consumer secret is configured for this account")
    answer = {"response_token": signature(consumer_secret, crc_token.encode())}
    return WebhookReply(200, orjson.dumps(answer).decode(), media_type="application/json")


def check_signature(consumer_secret: str | None, headers: Mapping[str, str], body: bytes) -> None:
    """Refuse `body` unless it carries X's signature of exactly these bytes."""
    if not consumer_secret:
        raise InvalidSignature("no consumer secret is configured: refusing unverifiable deliveries")
    received = headers.get(SIGNATURE_HEADER)
    if not received:
        raise InvalidSignature(f"{SIGNATURE_HEADER} is missing")
    if not hmac.compare_digest(received.encode(), signature(consumer_secret, body).encode()):
        raise InvalidSignature(f"{SIGNATURE_HEADER} does not match the body")


def delivery_messages(account: AccountConfig, body: bytes) -> list[InboundMessage]:
    """The mentions, replies and direct messages in one delivery, in delivery order."""
    if not account.platform_id:
        raise Permanent(f"X account @{account.handle} has no platform id (its numeric user id)")
    delivery = read_object(body, "X delivery")
    if text_at(delivery, "for_user_id", "delivery") != account.platform_id:
        return []
    found: list[InboundMessage | None] = []
    try:
        for index, tweet in enumerate(objects_at(delivery, "tweet_create_events", "delivery")):
            found.append(_tweet(account, delivery, tweet, f"tweet_create_events[{index}]"))
        users: dict[str, Any] = delivery["users"] if isinstance(delivery.get("users"), dict) else {}
        for index, event in enumerate(objects_at(delivery, "direct_message_events", "delivery")):
            found.append(_direct_message(account, delivery, event, users, f"direct_message_events[{index}]"))
    except MalformedEvent:
        raise
    except ValueError as error:  # an id or time InboundMessage refuses
        raise MalformedEvent(str(error)) from None
    return [message for message in found if message is not None]


def _tweet(
    account: AccountConfig, delivery: dict[str, Any], tweet: dict[str, Any], where: str
) -> InboundMessage | None:
    """A customer's mention or reply (inbound), or the brand's reply to someone (outbound).

    Retweets carry no question; the brand's tweets that answer nobody are not care messages.
    """
    if "retweeted_status" in tweet:
        return None
    user = object_at(tweet, "user", where)
    author_id = text_at(user, "id_str", f"{where}.user")
    in_reply_to = optional_text(tweet, "in_reply_to_status_id_str", where)
    if author_id != account.platform_id:
        direction = Direction.INBOUND
        customer = Author(
            platform_user_id=author_id,
            handle=optional_text(user, "screen_name", f"{where}.user"),
            display_name=optional_text(user, "name", f"{where}.user"),
            followers=count_at(user, "followers_count"),
        )
    else:
        addressee = optional_text(tweet, "in_reply_to_user_id_str", where)
        if in_reply_to is None or addressee is None or addressee == account.platform_id:
            return None
        direction = Direction.OUTBOUND
        customer = Author(addressee, handle=optional_text(tweet, "in_reply_to_screen_name", where))
    return InboundMessage(
        network=account.network,
        network_message_id=text_at(tweet, "id_str", where),
        direction=direction,
        visibility=Visibility.PUBLIC,
        text=_full_text(tweet, where),
        created_at=v1_time_at(tweet, "created_at", where),
        customer=customer,
        brand_handle=account.handle,
        reply_to_network_id=in_reply_to,
        raw={"for_user_id": delivery["for_user_id"], "tweet_create_events": [tweet]},
    )


def _full_text(tweet: dict[str, Any], where: str) -> str:
    """Long tweets arrive truncated, with the whole text in `extended_tweet`."""
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and isinstance(extended.get("full_text"), str):
        return str(extended["full_text"])
    return optional_text(tweet, "full_text", where) or text_at(tweet, "text", where)


def _direct_message(
    account: AccountConfig,
    delivery: dict[str, Any],
    event: dict[str, Any],
    users: dict[str, Any],
    where: str,
) -> InboundMessage | None:
    """A direct message to the brand (inbound) or from it (outbound, the customer receiving)."""
    if event.get("type") != "message_create":
        return None
    created = object_at(event, "message_create", where)
    sender_id = text_at(created, "sender_id", f"{where}.message_create")
    recipient_id = text_at(object_at(created, "target", where), "recipient_id", f"{where}.target")
    if sender_id == account.platform_id:
        direction, customer_id = Direction.OUTBOUND, recipient_id
    elif recipient_id == account.platform_id:
        direction, customer_id = Direction.INBOUND, sender_id
    else:
        return None
    profile = users.get(customer_id)
    profile = profile if isinstance(profile, dict) else {}
    data = object_at(created, "message_data", f"{where}.message_create")
    return InboundMessage(
        network=account.network,
        network_message_id=text_at(event, "id", where),
        direction=direction,
        visibility=Visibility.PRIVATE,
        text=optional_text(data, "text", f"{where}.message_data") or _attachment_note(data),
        created_at=millis_at(event, "created_timestamp", where),
        customer=Author(
            platform_user_id=customer_id,
            handle=optional_text(profile, "screen_name", "users"),
            display_name=optional_text(profile, "name", "users"),
            followers=count_at(profile, "followers_count"),
        ),
        brand_handle=account.handle,
        raw={
            "for_user_id": delivery["for_user_id"],
            "direct_message_events": [event],
            "users": {key: users[key] for key in (sender_id, recipient_id) if key in users},
        },
    )


def _attachment_note(data: dict[str, Any]) -> str:
    """What an agent sees for a message with only media (the media stays in `raw`)."""
    attachment = data.get("attachment")
    kind = attachment.get("type") if isinstance(attachment, dict) else None
    return f"[{kind} attachment]" if isinstance(kind, str) else "[empty message]"
