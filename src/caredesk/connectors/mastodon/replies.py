"""What a reply looks like on Mastodon: its visibility and its text, decided without I/O.

A reply never reaches a wider audience than the status it answers: a public reply to an
unlisted or followers-only status keeps that visibility, and a reply to a direct message stays
direct. A private reply is always "direct". Mastodon delivers a status only to the accounts it
mentions (a direct one to nobody else at all), so the customer's @acct leads the text unless
the agent already wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from caredesk.connectors.base import OutboundReply, Permanent
from caredesk.connectors.mastodon.statuses import ACCT

__all__ = ["addressed_text", "replied_acct", "reply_visibility"]

# Narrowest last: a reply takes the narrower of what was asked and what it answers.
_AUDIENCES = ("public", "unlisted", "private", "direct")


def reply_visibility(reply: OutboundReply) -> str:
    """The Mastodon visibility for `reply`."""
    if reply.visibility == "private":
        return "direct"
    if reply.visibility != "public":
        raise Permanent(f"mastodon cannot send a reply with visibility {reply.visibility!r}")
    answered = (reply.reply_to_raw or {}).get("visibility")
    if answered in _AUDIENCES:
        return str(answered)
    return "public"


def replied_acct(reply: OutboundReply) -> str | None:
    """The customer's @acct from the status answered, when it is the customer's own."""
    raw: Mapping[str, Any] = reply.reply_to_raw or {}
    author = raw.get("account")
    if not isinstance(author, Mapping):
        return None
    acct = author.get("acct")
    if not isinstance(acct, str) or not ACCT.fullmatch(acct):
        return None
    recipient = reply.recipient_platform_user_id
    if recipient is not None and str(author.get("id")) != recipient:
        return None
    return acct


def addressed_text(text: str, acct: str | None) -> str:
    """`text` with `@acct` in front unless it already mentions that account."""
    if acct is None:
        return text
    mention = re.compile(rf"(?<![\w@])@{re.escape(acct)}(?![\w@])(?![.-]\w)", re.IGNORECASE)
    if mention.search(text):
        return text
    return f"@{acct} {text}"
