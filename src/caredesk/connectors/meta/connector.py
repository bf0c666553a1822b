"""Sending on Facebook and Instagram: comment replies in public; in private, a Private Reply
to a comment or a direct message in an open conversation.

Meta's rules, enforced here where the reply shows enough to check them:
- a comment gets at most one Private Reply, within 7 days of being written (its time comes
  from the stored raw comment); the 24-hour messaging window opens only when the customer
  answers it, and a later attempt is refused by Meta as a Permanent error with its reason;
- direct messages are answers (`messaging_type: RESPONSE`) inside the 24-hour window; outside
  it Meta refuses (code 10, subcode 2018278) and the error says "messaging window closed".
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from caredesk.clock import utcnow
from caredesk.connectors.base import AccountConfig, MalformedEvent, OutboundReply, Permanent
from caredesk.connectors.meta.graph import GraphApi, checked_id, is_graph_id
from caredesk.connectors.meta.wire import epoch_at

PRIVATE_REPLY_WINDOW = timedelta(days=7)
MAX_DIRECT_MESSAGE_CHARS = {"facebook": 2000, "instagram": 1000}


class MetaConnector:
    """Sends one Facebook Page's or Instagram account's replies."""

    def __init__(self, account: AccountConfig, timeout: httpx.Timeout) -> None:
        self.network = account.network
        self._account = account
        self._graph = GraphApi(account, timeout)
        self._privately_answered: set[str] = set()
        self._lock = threading.Lock()

    def send(self, reply: OutboundReply) -> str:
        """Deliver `reply`; the new comment's or message's Graph id."""
        if not reply.text.strip():
            raise Permanent(f"an empty reply cannot be sent on {self.network}")
        if reply.visibility == "public":
            return self._reply_in_public(reply)
        comment_id = _comment_answered(reply)
        if comment_id is not None:
            return self._private_reply(reply, comment_id)
        return self._direct_message(reply)

    def _reply_in_public(self, reply: OutboundReply) -> str:
        target = checked_id(reply.reply_to_network_id, "comment or post to answer")
        if self.network == "facebook":
            return _created(
                self._graph.post(f"/{target}/comments", {"message": reply.text}, "comment reply"), "id"
            )
        mention = _instagram_mention(reply.reply_to_raw)
        if mention is not None:
            account_id = checked_id(self._account.platform_id, "Instagram account id")
            body = {"message": reply.text, **mention}
            return _created(self._graph.post(f"/{account_id}/mentions", body, "mention reply"), "id")
        return _created(
            self._graph.post(f"/{target}/replies", {"message": reply.text}, "comment reply"), "id"
        )

    def _private_reply(self, reply: OutboundReply, comment_id: str) -> str:
        written = _written_at(reply.reply_to_raw)
        if written is not None and utcnow() - written > PRIVATE_REPLY_WINDOW:
            raise Permanent(
                f"private replies are allowed within 7 days of a comment; comment {comment_id} was written "
                f"{written:%Y-%m-%d}: answer in public, or wait for the customer to message"
            )
        with self._lock:
            if comment_id in self._privately_answered:
                raise Permanent(
                    f"comment {comment_id} already had its one private reply: wait for the customer"
                )
        self._check_length(reply.text)
        body = {"recipient": {"comment_id": comment_id}, "message": {"text": reply.text}}
        sent = self._graph.post(f"/{self._page()}/messages", body, "private reply")
        with self._lock:
            self._privately_answered.add(comment_id)
        return _created(sent, "message_id")

    def _direct_message(self, reply: OutboundReply) -> str:
        recipient = checked_id(reply.recipient_platform_user_id, "direct message recipient")
        self._check_length(reply.text)
        body = {"recipient": {"id": recipient}, "messaging_type": "RESPONSE", "message": {"text": reply.text}}
        return _created(self._graph.post(f"/{self._page()}/messages", body, "direct message"), "message_id")

    def _page(self) -> str:
        """The Page that sends messages: the Facebook account itself; for Instagram, its linked
        Page when configured, else `me` (the Page or account the token belongs to)."""
        if self.network == "facebook":
            return checked_id(self._account.platform_id, "Page id")
        page_id = self._account.settings.get("page_id")
        return checked_id(page_id, "Page id") if page_id else "me"

    def _check_length(self, text: str) -> None:
        limit = MAX_DIRECT_MESSAGE_CHARS.get(self.network, 1000)
        if len(text) > limit:
            raise Permanent(
                f"{self.network} direct messages hold {limit} characters; this one has {len(text)}"
            )


def _change(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The comment change in a stored raw payload (see `events._narrowed`), if it is one."""
    entries = raw.get("entry") if raw else None
    entry = entries[0] if isinstance(entries, list) and entries and isinstance(entries[0], dict) else {}
    changes = entry.get("changes")
    return changes[0] if isinstance(changes, list) and changes and isinstance(changes[0], dict) else None


def _comment_answered(reply: OutboundReply) -> str | None:
    """The comment a private reply answers, or None for a direct message.

    The stored raw payload says which it is; without it, ids tell: comments have numeric Graph
    ids, direct messages have `mid`s ("m_…", or base64 on Instagram).
    """
    if reply.reply_to_raw is not None:
        return reply.reply_to_network_id if _change(reply.reply_to_raw) is not None else None
    return reply.reply_to_network_id if is_graph_id(reply.reply_to_network_id) else None


def _written_at(raw: Mapping[str, Any] | None) -> datetime | None:
    """When the answered comment was written: its own time, else the delivery's; None if unknown."""
    change = _change(raw)
    value = change.get("value") if change else None
    entries = raw.get("entry") if raw else None
    entry = entries[0] if isinstance(entries, list) and entries else None
    for holder, key in ((value, "created_time"), (entry, "time")):
        if isinstance(holder, dict) and key in holder:
            try:
                return epoch_at(holder, key, "reply_to_raw")
            except MalformedEvent:
                return None
    return None


def _instagram_mention(raw: Mapping[str, Any] | None) -> dict[str, str] | None:
    """For a reply to an @mention on someone else's media: the ids Graph's /mentions needs."""
    change = _change(raw)
    value = change.get("value") if change and change.get("field") == "mentions" else None
    if not isinstance(value, dict):
        return None
    ids = {"media_id": checked_id(value.get("media_id"), "mentioned media id")}
    if value.get("comment_id"):
        ids["comment_id"] = checked_id(value.get("comment_id"), "mentioning comment id")
    return ids


def _created(answer: dict[str, Any], key: str) -> str:
    created = answer.get(key)
    if not isinstance(created, str) or not created:
        raise Permanent(f"Meta accepted the reply but named no {key}: check the account before resending")
    return created
