"""A reply as an e-mail, built without I/O: headers that thread it, nothing a stranger can inject.

Public and private replies are the same e-mail (an e-mail has no public audience). The reply
goes to the customer's address, with `Subject: Re: <their subject>` (never "Re: Re:"),
`In-Reply-To` the answered Message-ID and `References` the conversation's ids, so every mail
client threads it. Its fresh Message-ID, at the brand's domain, is the network id Caredesk
keeps, which lets the customer's next answer thread back into the conversation.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from caredesk.connectors.base import OutboundReply, Permanent
from caredesk.connectors.email.headers import message_ids, plain_address, single_line
from caredesk.connectors.email.parsing import MAX_REFERENCES

__all__ = ["ComposedReply", "compose_reply", "reply_subject"]

# Headers on one line up to RFC 5322's hard limit: the default 78-column folding breaks
# References right after its colon, which naive mail parsers mis-read.
_POLICY = policy.SMTP.clone(max_line_length=998)
_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|antw|vs)\s*(\[\d+\])?\s*:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ComposedReply:
    """The e-mail to send, its envelope, and the Message-ID it carries (without brackets)."""

    email: EmailMessage
    sender: str
    recipient: str
    message_id: str


def reply_subject(original: str | None) -> str:
    """ "Re: " + the answered subject on one line, unless it already is a reply's subject."""
    subject = single_line(original or "", 250)
    if not subject:
        return "Re: your message"
    return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}"


def compose_reply(reply: OutboundReply, sender: str, now: datetime) -> ComposedReply:
    """The e-mail for `reply` from `sender`; `Permanent` when it cannot be addressed safely."""
    answered: Mapping[str, Any] = reply.reply_to_raw or {}
    recipient = plain_address(reply.recipient_platform_user_id or _text(answered.get("from")))
    if recipient is None:
        raise Permanent("e-mail reply without a valid recipient address")
    in_reply_to = _checked_reply_to(reply.reply_to_network_id)
    message_id = f"caredesk.{reply.message_id}.{secrets.token_hex(8)}@{sender.rpartition('@')[2]}"
    email = EmailMessage(policy=_POLICY)
    email["From"] = sender
    email["To"] = recipient
    email["Subject"] = reply_subject(_text(answered.get("subject")))
    email["Date"] = format_datetime(now)
    email["Message-ID"] = f"<{message_id}>"
    if in_reply_to is not None:
        email["In-Reply-To"] = f"<{in_reply_to}>"
    references = _references(reply.thread_network_ids, answered, in_reply_to)
    if references:
        email["References"] = " ".join(f"<{reference}>" for reference in references)
    email.set_content(reply.text)
    return ComposedReply(email, sender, recipient, message_id)


def _checked_reply_to(network_id: str | None) -> str | None:
    if network_id is None:
        return None
    ids = message_ids(f"<{network_id}>")
    if ids != [network_id]:
        raise Permanent(f"e-mail reply to {network_id[:60]!r}: not a Message-ID")
    return network_id


def _references(thread: Sequence[str], answered: Mapping[str, Any], in_reply_to: str | None) -> list[str]:
    """The thread's ids, oldest first, ending with the answered one; RFC 5322 §3.6.4."""
    if thread:
        candidates = list(thread)
    else:
        earlier = answered.get("references")
        candidates = [str(item) for item in earlier] if isinstance(earlier, list) else []
    if in_reply_to is not None:
        candidates.append(in_reply_to)
    valid: list[str] = []
    for candidate in candidates:
        ids = message_ids(f"<{candidate}>")
        if ids == [candidate] and candidate not in valid:
            valid.append(candidate)
    if len(valid) > MAX_REFERENCES:  # keep the thread's root and its most recent ids
        valid = [valid[0], *valid[-(MAX_REFERENCES - 1) :]]
    return valid


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
