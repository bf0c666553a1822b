"""E-mails (RFC 5322 bytes) as Caredesk messages: a pure translation, tolerant of hostile input.

An e-mail is always private. Its Message-ID is the network id (a stable hash stands in when
it has none), In-Reply-To (or the last References entry) threads it, and the sender's address
is the customer. The text is the text/plain body, or the HTML one as text, without the quoted
history. Subject and headers stay in the raw payload, which later gives the reply its subject
and References. Messages from the brand's own address (echoes) and automatic ones
(`Auto-Submitted`, delivery reports: answering them loops mail robots) are left out.
"""

from __future__ import annotations

import codecs
import hashlib
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from caredesk.clock import utcnow
from caredesk.connectors.base import AccountConfig, MalformedEvent
from caredesk.connectors.email.headers import message_ids, plain_address, single_line
from caredesk.connectors.email.quoting import trim_quoted_history
from caredesk.connectors.mastodon.html_text import html_to_text
from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.models.enums import Direction, Visibility

__all__ = ["MAX_MESSAGE_BYTES", "brand_address", "parse_email"]

NETWORK_NAME = "email"
MAX_MESSAGE_BYTES = 25 * 1024 * 1024  # what common mail providers accept
MAX_TEXT_CHARS = 100_000
MAX_HTML_CHARS = 2_000_000
MAX_KEPT_HEADERS = 100
MAX_REFERENCES = 50
CLOCK_SKEW = timedelta(days=1)
_ADDRESS_HEADERS = ("to", "cc", "reply-to")


def brand_address(account: AccountConfig) -> str | None:
    """The account's own address: the `from_address` setting, else its handle; None if invalid."""
    return plain_address(account.settings.get("from_address") or account.handle)


def parse_email(
    account: AccountConfig, raw: bytes, received_at: datetime | None = None
) -> InboundMessage | None:
    """The message `raw` is for the brand `account`; None for echoes and automatic mail.

    `received_at` is when it arrived (now by default): the date of a message whose Date header
    is missing, unreadable or more than a day in the future. Raises `MalformedEvent` for an
    empty or oversized message or one without a sender address.
    """
    if not raw.strip():
        raise MalformedEvent("empty e-mail")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise MalformedEvent(f"e-mail of {len(raw)} bytes is over the {MAX_MESSAGE_BYTES}-byte limit")
    received_at = received_at or utcnow()
    own_address = brand_address(account)
    if own_address is None:
        raise MalformedEvent(f"e-mail account {account.handle}: from_address is not a plain address")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as error:  # the parser is lenient; anything it still rejects is unreadable
        raise MalformedEvent(f"unreadable e-mail ({type(error).__name__})") from None
    sender_name, sender = _sender(message)
    if sender == own_address or _is_automatic(message):
        return None
    headers = _kept_headers(message)
    subject = single_line(_header(message, "subject") or "", 300)
    text = _body_text(message)
    own_ids = message_ids(_header(message, "message-id"))
    references = message_ids(_header(message, "references"))[-MAX_REFERENCES:]
    in_reply_to = message_ids(_header(message, "in-reply-to"))
    message_id = own_ids[0] if own_ids else _synthetic_id(sender, headers, text)
    raw_payload: dict[str, Any] = {
        "message_id": message_id,
        "subject": subject,
        "from": sender,
        "from_name": sender_name,
        "in_reply_to": in_reply_to[0] if in_reply_to else None,
        "references": references,
        "headers": headers,
    }
    for name in _ADDRESS_HEADERS:
        raw_payload[name.replace("-", "_")] = _addresses(message, name)
    try:
        return InboundMessage(
            network=NETWORK_NAME,
            network_message_id=message_id,
            direction=Direction.INBOUND,
            visibility=Visibility.PRIVATE,
            text=trim_quoted_history(text)[:MAX_TEXT_CHARS],
            created_at=_sent_at(message, received_at),
            customer=Author(platform_user_id=sender, handle=sender, display_name=sender_name),
            brand_handle=account.handle,
            reply_to_network_id=in_reply_to[0] if in_reply_to else (references[-1] if references else None),
            raw=raw_payload,
        )
    except ValueError as error:
        raise MalformedEvent(f"e-mail {message_id[:60]}: {error}") from None


def _header(message: Message, name: str) -> str | None:
    """A header's decoded value; None when missing or so broken the e-mail library gives up."""
    try:
        value = message.get(name)
        return None if value is None else str(value)
    except Exception:  # the stdlib header parser raises assorted errors on hostile input
        return None


def _sender(message: Message) -> tuple[str | None, str]:
    value = _header(message, "from")
    pairs = getaddresses([single_line(value)]) if value else []
    for name, address in pairs:
        plain = plain_address(address)
        if plain is not None:
            return (single_line(name, 200) or None), plain
    raise MalformedEvent("e-mail without a readable From address")


def _addresses(message: Message, name: str) -> list[str]:
    value = _header(message, name)
    if not value:
        return []
    found = (plain_address(address) for _, address in getaddresses([single_line(value)]))
    return [address for address in found if address is not None][:50]


def _is_automatic(message: Message) -> bool:
    auto_submitted = (_header(message, "auto-submitted") or "no").strip().lower()
    return auto_submitted != "no" or message.get_content_type() == "multipart/report"


def _kept_headers(message: Message) -> list[list[str]]:
    """The headers as sent (encoded words left encoded), each on one line: for the record."""
    kept = list(message.raw_items())[:MAX_KEPT_HEADERS]
    return [[single_line(name, 100), single_line(str(value))] for name, value in kept]


def _sent_at(message: Message, received_at: datetime) -> datetime:
    value = _header(message, "date")
    try:
        sent_at = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        sent_at = None
    if sent_at is None:
        return received_at
    if sent_at.tzinfo is None:  # "-0000": the zone is unknown; UTC is the honest reading
        sent_at = sent_at.replace(tzinfo=received_at.tzinfo)
    return received_at if sent_at > received_at + CLOCK_SKEW else sent_at


def _body_text(message: Message) -> str:
    part: Message | None = None
    try:
        if isinstance(message, EmailMessage):
            part = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # broken MIME structure: read what the top level holds
        part = None
    if part is None:
        if message.get_content_maintype() != "text":
            return ""
        part = message
    text = _decoded(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text[:MAX_HTML_CHARS])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in text if char.isprintable() or char in "\n\t")


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset()
    if charset is None:  # unlabelled 8-bit text is UTF-8 nowadays, or else Windows-1252
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace")
    try:
        if not codecs.lookup(charset)._is_text_encoding:  # e.g. "zlib", "base64"
            raise LookupError(charset)
        return payload.decode(charset, errors="replace")
    except (LookupError, ValueError):
        return payload.decode("utf-8", errors="replace")


def _synthetic_id(sender: str, headers: list[list[str]], text: str) -> str:
    """A stable id for an e-mail without one: the same e-mail, relayed again, gets the same id."""
    stable = {name.lower(): value for name, value in headers if name.lower() in ("date", "subject", "to")}
    digest = hashlib.sha256(repr((sender, sorted(stable.items()), text)).encode()).hexdigest()[:40]
    return f"{digest}@caredesk.invalid"
