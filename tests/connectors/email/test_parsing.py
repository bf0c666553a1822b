"""E-mails → messages: real-shaped mail and hostile input."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from caredesk.connectors.base import MalformedEvent
from caredesk.connectors.email import parse_email
from caredesk.connectors.email.parsing import MAX_MESSAGE_BYTES
from caredesk.connectors.email.quoting import trim_quoted_history
from caredesk.ingest.inbound import InboundMessage
from caredesk.models.enums import Direction, Visibility
from tests.connectors.email.samples import (
    ATTACHMENT_ONLY_TEXT,
    BRAND,
    GMAIL_ALTERNATIVE,
    HTML_ONLY_BASE64,
    LATIN1_OUTLOOK,
    NO_MESSAGE_ID,
)

RECEIVED = datetime(2025, 6, 7, 12, 0, tzinfo=UTC)


def parsed(raw: bytes) -> InboundMessage:
    message = parse_email(BRAND, raw, RECEIVED)
    assert message is not None
    return message


def test_a_gmail_reply_is_a_private_inbound_message_threaded_under_ours() -> None:
    message = parsed(GMAIL_ALTERNATIVE)

    assert message.network == "email"
    assert message.network_message_id == "CAJx9Q+Pq2bE1=xk@mail.gmail.com"
    assert message.direction is Direction.INBOUND
    assert message.visibility is Visibility.PRIVATE
    assert message.reply_to_network_id == "caredesk.9.c3d4@acme.example"
    assert message.text == (
        "Still nothing here, and the tracking page says “delivered”.\nCan you send a replacement?"
    )
    assert message.created_at == datetime(2025, 6, 3, 16, 14, 51, tzinfo=UTC)
    assert message.customer is not None
    assert message.customer.platform_user_id == "jane.doe@gmail.example"
    assert message.customer.display_name == "Jane Doe"
    assert message.brand_handle == "care@acme.example"
    assert message.raw is not None
    assert message.raw["subject"] == "Re: Order #4411 never arrived"
    assert message.raw["references"] == ["caredesk.7.a1b2@acme.example", "caredesk.9.c3d4@acme.example"]
    assert message.raw["to"] == ["care@acme.example"]
    assert ["Message-ID", "<CAJx9Q+Pq2bE1=xk@mail.gmail.com>"] in message.raw["headers"]


def test_an_html_only_base64_mail_becomes_text_without_its_script() -> None:
    message = parsed(HTML_ONLY_BASE64)

    assert message.text == "Bonjour,\n\nLa facture est fausse & doublée\nMerci"
    assert message.raw is not None and message.raw["subject"] == "Facture incorrecte — commande 88"
    assert message.customer is not None and message.customer.display_name == "René M."


def test_a_latin1_outlook_mail_is_decoded_and_its_original_message_cut() -> None:
    message = parsed(LATIN1_OUTLOOK)

    assert message.text == "Grüße, wo bleibt meine Rückerstattung?"
    assert message.customer is not None and message.customer.display_name == "Jürgen Müller"
    assert message.raw is not None and message.raw["subject"] == "Rückerstattung"


def test_attachments_are_not_the_text() -> None:
    assert parsed(ATTACHMENT_ONLY_TEXT).text == "Receipt attached."


def test_a_mail_without_message_id_gets_a_stable_synthetic_one() -> None:
    first = parsed(NO_MESSAGE_ID)
    relayed = parsed(b"Received: from relay.example by mx.acme.example\n" + NO_MESSAGE_ID)
    other = parsed(NO_MESSAGE_ID.replace(b"Is anyone there?", b"Hello?"))

    assert first.network_message_id.endswith("@caredesk.invalid")
    assert first.network_message_id == relayed.network_message_id
    assert other.network_message_id != first.network_message_id
    assert first.reply_to_network_id is None


def test_references_thread_a_reply_that_has_no_in_reply_to() -> None:
    raw = NO_MESSAGE_ID.replace(b"Subject: hello", b"Subject: hello\nReferences: <a@x> <b@x>\n garbage <c@x>")

    assert parsed(raw).reply_to_network_id == "c@x"


def test_a_bare_message_id_without_brackets_is_accepted_and_junk_is_not() -> None:
    bare = parsed(NO_MESSAGE_ID.replace(b"Subject: hello", b"Subject: hello\nMessage-ID: 1234@host.example"))
    junk = parsed(
        NO_MESSAGE_ID.replace(b"Subject: hello", b"Subject: hello\nMessage-ID: <" + b"x" * 300 + b">")
    )

    assert bare.network_message_id == "1234@host.example"
    assert junk.network_message_id.endswith("@caredesk.invalid")


def test_a_missing_or_future_date_is_when_it_was_received() -> None:
    undated = parsed(NO_MESSAGE_ID.replace(b"Date: Fri, 6 Jun 2025 12:00:00 +0000\n", b""))
    future = parsed(NO_MESSAGE_ID.replace(b"Fri, 6 Jun 2025", b"Sat, 6 Jun 2099"))
    nonsense = parsed(NO_MESSAGE_ID.replace(b"Fri, 6 Jun 2025 12:00:00 +0000", b"the day after tomorrow"))
    unknown_zone = parsed(NO_MESSAGE_ID.replace(b"+0000", b"-0000"))

    assert undated.created_at == future.created_at == nonsense.created_at == RECEIVED
    assert unknown_zone.created_at == datetime(2025, 6, 6, 12, 0, tzinfo=UTC)


def test_our_own_mail_and_automatic_mail_are_left_out() -> None:
    echo = NO_MESSAGE_ID.replace(b"From: bob@example.net", b"From: Acme <CARE@acme.example>")
    vacation = NO_MESSAGE_ID.replace(
        b"Subject: hello", b"Subject: Out of office\nAuto-Submitted: auto-replied"
    )
    bounce = (
        b"From: MAILER-DAEMON@mx.example\nTo: care@acme.example\nSubject: Undelivered\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n--r\n'
        b"Content-Type: text/plain\n\nDelivery failed\n--r--\n"
    )

    assert parse_email(BRAND, echo, RECEIVED) is None
    assert parse_email(BRAND, vacation, RECEIVED) is None
    assert parse_email(BRAND, bounce, RECEIVED) is None


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"Subject: no sender\n\nhello", "From"),
        (b"From: not an address\nSubject: x\n\nhello", "From"),
        (b"From: <>\n\nhello", "From"),
        (b"\x00\xff\xfe garbage without headers", "From"),
    ],
)
def test_unreadable_mail_is_a_malformed_event(raw: bytes, complaint: str) -> None:
    with pytest.raises(MalformedEvent, match=complaint):
        parse_email(BRAND, raw, RECEIVED)


def test_an_oversized_mail_is_refused_before_parsing() -> None:
    with pytest.raises(MalformedEvent, match="limit"):
        parse_email(BRAND, NO_MESSAGE_ID + b"x" * MAX_MESSAGE_BYTES, RECEIVED)


def test_a_large_body_is_parsed_quickly_and_bounded() -> None:
    raw = NO_MESSAGE_ID + (b"all work and no play " * 50 + b"\n") * 8_000  # about 8 MB
    started = time.perf_counter()

    message = parsed(raw)

    assert len(message.text) == 100_000
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    ("header", "body"),
    [
        (b"Content-Type: text/plain; charset=x-unknown-charset", "caf\ufffd"),
        (b"Content-Type: text/plain; charset=zlib", "caf\ufffd"),
        (b"Content-Type: text/plain", "café"),
    ],
)
def test_unknown_or_missing_charsets_decode_without_failing(header: bytes, body: str) -> None:
    raw = NO_MESSAGE_ID.replace(b"Subject: hello", b"Subject: hello\nMIME-Version: 1.0\n" + header)
    raw = raw.replace(b"Is anyone there?", "café".encode("latin-1") if "\ufffd" in body else "café".encode())

    assert parsed(raw).text == body


def test_broken_mime_still_yields_the_readable_part() -> None:
    raw = (
        b"From: dan@example.com\nTo: care@acme.example\nSubject: broken\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/alternative; boundary="never-closed"\n\n'
        b"--never-closed\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
        b"aGVsbG8gdGhlcmU=!!!not base64\n"
    )

    assert "hello there" in parsed(raw).text


def test_encoded_header_injection_stays_on_one_line() -> None:
    raw = NO_MESSAGE_ID.replace(b"Subject: hello", b"Subject: =?utf-8?q?Hi=0D=0ABcc:_victim@example.com?=")

    message = parsed(raw)

    assert message.raw is not None
    assert message.raw["subject"] == "Hi Bcc: victim@example.com"
    assert all("\n" not in value and "\r" not in value for _, value in message.raw["headers"])


def test_control_characters_are_removed_from_the_text() -> None:
    raw = NO_MESSAGE_ID.replace(b"Is anyone there?", b"bell\x07 nul\x00 esc\x1b[31m red")

    assert parsed(raw).text == "bell nul esc[31m red"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Thanks!\n\nOn Mon, 2 Jun 2025, Acme wrote:\n> old\n>\n> older", "Thanks!"),
        ("Yes\nOn Mon, Jun 2, 2025 at 4:02 PM Acme <care@acme.example>\nwrote:\n> old", "Yes"),
        ("Danke\n\nAm 02.06.2025 um 16:02 schrieb Acme:\n> alt", "Danke"),
        ("Merci\n\nLe lun. 2 juin 2025, Acme a écrit :\n> ancien", "Merci"),
        ("See below\n> you asked\nmy answer\n> next\n", "See below\n> you asked\nmy answer"),
        ("On Monday I wrote:\nthe order number", "On Monday I wrote:\nthe order number"),
        ("> only a quote\n> nothing else", "> only a quote\n> nothing else"),
        ("plain text", "plain text"),
    ],
)
def test_quoted_history_is_trimmed_only_below_the_new_text(text: str, kept: str) -> None:
    assert trim_quoted_history(text) == kept


def test_trimming_many_attribution_lines_stays_fast() -> None:
    text = "On Monday Bob wrote:\nreply\n" * 20_000 + "> quote\n"
    started = time.perf_counter()

    trim_quoted_history(text)

    assert time.perf_counter() - started < 2
