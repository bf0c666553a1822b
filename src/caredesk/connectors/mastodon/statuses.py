"""Mastodon statuses as Caredesk messages: a pure translation of the instance's JSON.

A status mentioning the brand becomes an inbound message: "direct" statuses are private
messages, every other visibility (public, unlisted, followers-only) is a public post. The
status's HTML content becomes plain text; the status itself is kept as the message's raw
payload, which later tells the reply its thread, visibility and the customer's @acct.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from caredesk.connectors.base import AccountConfig, MalformedEvent
from caredesk.connectors.mastodon.html_text import html_to_text
from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.models.enums import Direction, Visibility

__all__ = ["ACCT", "MASTODON_ID", "status_message"]

NETWORK_NAME = "mastodon"
MASTODON_ID = re.compile(r"[0-9]{1,30}")
# user, or user@domain: what Mastodon accepts after "@" in a status to mention someone.
ACCT = re.compile(r"[A-Za-z0-9_]{1,30}(@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)?")
MAX_CONTENT_CHARS = 100_000


def status_message(account: AccountConfig, status: Mapping[str, Any]) -> InboundMessage | None:
    """The message `status` is for the brand `account`; None for the brand's own statuses (echoes).

    Raises `MalformedEvent` when a field Caredesk relies on is missing or of the wrong kind.
    """
    status_id = _id(status, "id", "status")
    author = status.get("account")
    if not isinstance(author, Mapping):
        raise MalformedEvent(f"mastodon status {status_id} has no account")
    author_id = _id(author, "id", f"status {status_id} account")
    if account.platform_id is not None and author_id == account.platform_id:
        return None
    reply_to = status.get("in_reply_to_id")
    if reply_to is not None:
        reply_to = _id(status, "in_reply_to_id", f"status {status_id}")
    try:
        return InboundMessage(
            network=NETWORK_NAME,
            network_message_id=status_id,
            direction=Direction.INBOUND,
            visibility=Visibility.PRIVATE if status.get("visibility") == "direct" else Visibility.PUBLIC,
            text=_text(status),
            created_at=_created_at(status, status_id),
            customer=Author(
                platform_user_id=author_id,
                handle=_acct(author, status_id),
                display_name=_optional_str(author.get("display_name")),
                followers=_followers(author.get("followers_count")),
            ),
            brand_handle=account.handle,
            reply_to_network_id=reply_to,
            raw=dict(status),
        )
    except ValueError as error:  # a field InboundMessage itself refuses
        raise MalformedEvent(f"mastodon status {status_id}: {error}") from None


def _id(payload: Mapping[str, Any], key: str, where: str) -> str:
    value = payload.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not MASTODON_ID.fullmatch(value):
        raise MalformedEvent(f"mastodon {where}: {key} is not a Mastodon id")
    return value


def _text(status: Mapping[str, Any]) -> str:
    content = status.get("content")
    if not isinstance(content, str):
        raise MalformedEvent(f"mastodon status {status.get('id')} has no content")
    text = html_to_text(content[:MAX_CONTENT_CHARS])
    warning = _optional_str(status.get("spoiler_text"))
    # A content warning is part of what the customer wrote; agents need to see it.
    return f"CW: {warning}\n\n{text}" if warning else text


def _created_at(status: Mapping[str, Any], status_id: str) -> datetime:
    value = status.get("created_at")
    try:
        created_at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        created_at = None
    if created_at is None or created_at.tzinfo is None:
        raise MalformedEvent(f"mastodon status {status_id}: created_at is not an ISO 8601 time with zone")
    return created_at


def _acct(author: Mapping[str, Any], status_id: str) -> str:
    acct = author.get("acct")
    if not isinstance(acct, str) or not ACCT.fullmatch(acct):
        raise MalformedEvent(f"mastodon status {status_id}: account acct is not a Mastodon address")
    return acct


def _optional_str(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return "".join(char if char.isprintable() else " " for char in value[:500]).strip()


def _followers(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None
