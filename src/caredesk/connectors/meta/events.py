"""Meta webhook deliveries as messages, for Facebook Pages and Instagram accounts. Pure.

One parser serves both networks: a delivery's `object` says which surface it comes from
("page" for Facebook, "instagram" for Instagram) and every message takes that network, so a
conversation stays where the customer wrote. Meta batches entries for every Page (or
Instagram account) of the app into one delivery; only the entries whose id is this account's
`platform_id` are kept, so the caller may parse one delivery for each account of the app.

Left out: echoes of the Page's own messages, deliveries, reads, reactions, edits and
removals, and comments the Page or Instagram account wrote itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from caredesk.connectors.base import AccountConfig, MalformedEvent, Permanent
from caredesk.connectors.meta.wire import (
    epoch_at,
    object_at,
    objects_at,
    optional_object,
    optional_text,
    read_object,
    text_at,
)
from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.models.enums import Direction, Visibility

# A Page's feed items that a visitor writes, by what their id is called in the change.
_FEED_ITEMS = {
    "comment": "comment_id",
    "post": "post_id",
    "status": "post_id",
    "photo": "post_id",
    "video": "post_id",
    "share": "post_id",
}
_INSTAGRAM_COMMENT_FIELDS = frozenset({"comments", "live_comments"})


def delivery_messages(account: AccountConfig, webhook_object: str, body: bytes) -> list[InboundMessage]:
    """The customers' messages, comments and mentions addressed to `account`, in order."""
    if not account.platform_id:
        raise Permanent(f"{account.network} account {account.handle} has no platform id (its Page or IG id)")
    delivery = read_object(body, "Meta delivery")
    if text_at(delivery, "object", "delivery") != webhook_object:
        return []
    found: list[InboundMessage | None] = []
    try:
        for index, entry in enumerate(objects_at(delivery, "entry", "delivery")):
            where = f"entry[{index}]"
            if _entry_id(entry, where) != account.platform_id:
                continue
            for number, event in enumerate(objects_at(entry, "messaging", where)):
                found.append(
                    _direct_message(account, webhook_object, entry, event, f"{where}.messaging[{number}]")
                )
            for number, change in enumerate(objects_at(entry, "changes", where)):
                found.append(_comment(account, webhook_object, entry, change, f"{where}.changes[{number}]"))
    except MalformedEvent:
        raise
    except ValueError as error:  # an id InboundMessage refuses (too long, unprintable)
        raise MalformedEvent(str(error)) from None
    return [message for message in found if message is not None]


def _entry_id(entry: dict[str, Any], where: str) -> str:
    value = entry.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text_at(entry, "id", where)


def _direct_message(
    account: AccountConfig, webhook_object: str, entry: dict[str, Any], event: dict[str, Any], where: str
) -> InboundMessage | None:
    """A Messenger or Instagram direct message from a customer to the account."""
    message = event.get("message")
    if not isinstance(message, dict) or message.get("is_echo") or message.get("is_deleted"):
        return None
    sender = text_at(object_at(event, "sender", where), "id", f"{where}.sender")
    recipient = text_at(object_at(event, "recipient", where), "id", f"{where}.recipient")
    if recipient != account.platform_id or sender == account.platform_id:
        return None
    answered = optional_object(message, "reply_to", f"{where}.message")
    return InboundMessage(
        network=account.network,
        network_message_id=text_at(message, "mid", f"{where}.message"),
        direction=Direction.INBOUND,
        visibility=Visibility.PRIVATE,
        text=optional_text(message, "text", f"{where}.message") or _attachments_note(message, where),
        created_at=epoch_at(event, "timestamp", where),
        customer=Author(sender),
        brand_handle=account.handle,
        reply_to_network_id=optional_text(answered, "mid", f"{where}.message.reply_to"),
        raw=_narrowed(webhook_object, entry, "messaging", event),
    )


def _attachments_note(message: dict[str, Any], where: str) -> str:
    """What an agent sees for a message with only media (the media stays in `raw`)."""
    kinds = [attachment.get("type") for attachment in objects_at(message, "attachments", f"{where}.message")]
    shown = ", ".join(kind for kind in kinds if isinstance(kind, str))
    return f"[{shown} attachment]" if shown else "[empty message]"


def _comment(
    account: AccountConfig, webhook_object: str, entry: dict[str, Any], change: dict[str, Any], where: str
) -> InboundMessage | None:
    """A customer's comment, visitor post or mention, as a public message."""
    field = text_at(change, "field", where)
    value = object_at(change, "value", where)
    if webhook_object == "page" and field in ("feed", "mention"):
        found = _page_item(value, f"{where}.value")
    elif webhook_object == "instagram" and field in _INSTAGRAM_COMMENT_FIELDS:
        found = _instagram_comment(value, f"{where}.value")
    elif webhook_object == "instagram" and field == "mentions":
        found = _instagram_mention(value, f"{where}.value")
    else:
        return None
    if found is None:
        return None
    message_id, text, author, reply_to = found
    if author is not None and author.platform_user_id == account.platform_id:
        return None  # the Page's or account's own comment
    created = epoch_at(value, "created_time", f"{where}.value") if "created_time" in value else None
    return InboundMessage(
        network=account.network,
        network_message_id=message_id,
        direction=Direction.INBOUND,
        visibility=Visibility.PUBLIC,
        text=text,
        created_at=created or _entry_time(entry, where),
        customer=author,
        brand_handle=account.handle,
        reply_to_network_id=reply_to,
        raw=_narrowed(webhook_object, entry, "changes", change),
    )


_Found = tuple[str, str, Author | None, str | None]  # id, text, author, the id it answers


def _page_item(value: dict[str, Any], where: str) -> _Found | None:
    """A Page feed change: comments and visitor posts when added; edits, likes, removals are not messages."""
    item = value.get("item")
    if value.get("verb") != "add" or item not in _FEED_ITEMS:
        return None
    message_id = text_at(value, _FEED_ITEMS[item], where)
    author = optional_object(value, "from", where)
    customer = None
    if author:
        customer = Author(
            text_at(author, "id", f"{where}.from"), display_name=optional_text(author, "name", where)
        )
    elif sender := optional_text(value, "sender_id", where):
        customer = Author(sender, display_name=optional_text(value, "sender_name", where))
    text = optional_text(value, "message", where) or f"[{item}]"
    reply_to = optional_text(value, "parent_id", where) if item == "comment" else None
    return message_id, text, customer, reply_to


def _instagram_comment(value: dict[str, Any], where: str) -> _Found:
    author = object_at(value, "from", where)
    customer = Author(text_at(author, "id", f"{where}.from"), handle=optional_text(author, "username", where))
    media = optional_object(value, "media", where)
    reply_to = optional_text(value, "parent_id", where) or optional_text(media, "id", f"{where}.media")
    return (
        text_at(value, "id", where),
        optional_text(value, "text", where) or "[empty comment]",
        customer,
        reply_to,
    )


def _instagram_mention(value: dict[str, Any], where: str) -> _Found:
    """An @mention in someone's comment or caption: Meta sends ids, and the text only sometimes."""
    comment_id = optional_text(value, "comment_id", where)
    media_id = text_at(value, "media_id", where)
    text = optional_text(value, "text", where) or "[mentioned the account: open it on Instagram]"
    return comment_id or media_id, text, None, media_id if comment_id else None


def _entry_time(entry: dict[str, Any], where: str) -> datetime:
    return epoch_at(entry, "time", where)


def _narrowed(webhook_object: str, entry: dict[str, Any], kind: str, item: dict[str, Any]) -> dict[str, Any]:
    """The delivery cut down to this one event, still in Meta's own shape: it parses again alone."""
    return {"object": webhook_object, "entry": [{"id": entry["id"], "time": entry.get("time"), kind: [item]}]}
