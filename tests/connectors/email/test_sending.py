"""Sending replies through a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from caredesk.connectors.base import AuthExpired, OutboundReply, Permanent, Transient
from caredesk.connectors.email import NETWORK, parse_email
from caredesk.connectors.email.composing import reply_subject
from tests.connectors.email.conftest import SmtpPeer, free_port
from tests.connectors.email.samples import BRAND, GMAIL_ALTERNATIVE


def answered() -> dict[str, Any]:
    message = parse_email(BRAND, GMAIL_ALTERNATIVE)
    assert message is not None and message.raw is not None
    return message.raw


def reply(visibility: str = "private", **changes: Any) -> OutboundReply:
    base = OutboundReply(
        message_id=77,
        network="email",
        brand_handle="care@acme.example",
        visibility=visibility,
        text="Hi Jane,\n\nA replacement is on its way: tracking ACME-889.\n\nAcme Care",
        reply_to_network_id="CAJx9Q+Pq2bE1=xk@mail.gmail.com",
        recipient_platform_user_id="jane.doe@gmail.example",
        reply_to_raw=answered(),
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize("visibility", ["private", "public"])
def test_a_reply_is_an_email_threaded_under_the_customers(smtp_peer: SmtpPeer, visibility: str) -> None:
    network_id = NETWORK.connector(smtp_peer.account).send(reply(visibility))

    (envelope,) = smtp_peer.mailbox.received
    assert envelope.mail_from == "care@acme.example"
    assert envelope.rcpt_tos == ["jane.doe@gmail.example"]
    email = smtp_peer.mailbox.last()
    assert email["From"] == "care@acme.example"
    assert email["To"] == "jane.doe@gmail.example"
    assert email["Subject"] == "Re: Order #4411 never arrived"
    assert email["In-Reply-To"] == "<CAJx9Q+Pq2bE1=xk@mail.gmail.com>"
    assert email["References"] == (
        "<caredesk.7.a1b2@acme.example> <caredesk.9.c3d4@acme.example> <CAJx9Q+Pq2bE1=xk@mail.gmail.com>"
    )
    assert email["Message-ID"] == f"<{network_id}>"
    assert network_id.startswith("caredesk.77.") and network_id.endswith("@acme.example")
    assert email.get_content().replace("\r\n", "\n") == reply().text + "\n"


def test_the_conversations_ids_become_the_references_when_known(smtp_peer: SmtpPeer) -> None:
    thread = ("first@x.example", "bad id with spaces", "second@acme.example")

    NETWORK.connector(smtp_peer.account).send(reply(thread_network_ids=thread))

    assert smtp_peer.mailbox.last()["References"] == (
        "<first@x.example> <second@acme.example> <CAJx9Q+Pq2bE1=xk@mail.gmail.com>"
    )


def test_each_send_has_a_fresh_message_id(smtp_peer: SmtpPeer) -> None:
    connector = NETWORK.connector(smtp_peer.account)

    assert connector.send(reply()) != connector.send(reply())


@pytest.mark.parametrize(
    ("original", "subject"),
    [
        ("Order late", "Re: Order late"),
        ("Re: Order late", "Re: Order late"),
        ("RE: Order late", "RE: Order late"),
        ("AW: Bestellung", "AW: Bestellung"),
        ("Re[2]: Order", "Re[2]: Order"),
        ("Regarding my order", "Re: Regarding my order"),
        ("", "Re: your message"),
        (None, "Re: your message"),
        ("Hi\r\nBcc: victim@example.com", "Re: Hi Bcc: victim@example.com"),
    ],
)
def test_the_subject_is_a_single_reply_prefix_on_one_line(original: str | None, subject: str) -> None:
    assert reply_subject(original) == subject


def test_an_injected_subject_cannot_add_a_header(smtp_peer: SmtpPeer) -> None:
    raw = {**answered(), "subject": "Hi\r\nBcc: victim@example.com\r\n\r\nfake body"}

    NETWORK.connector(smtp_peer.account).send(reply(reply_to_raw=raw))

    email = smtp_peer.mailbox.last()
    assert email["Bcc"] is None
    assert email["Subject"] == "Re: Hi Bcc: victim@example.com fake body"
    assert smtp_peer.mailbox.received[0].rcpt_tos == ["jane.doe@gmail.example"]


@pytest.mark.parametrize(
    "recipient",
    [
        "jane@example.com\r\nBcc: victim@example.com",
        "jane@example.com, victim@example.com",
        "Jane <jane@x.com>",
        "",
    ],
)
def test_a_recipient_that_is_not_one_plain_address_is_refused(smtp_peer: SmtpPeer, recipient: str) -> None:
    with pytest.raises(Permanent, match="recipient"):
        NETWORK.connector(smtp_peer.account).send(
            reply(recipient_platform_user_id=recipient, reply_to_raw={})
        )
    assert smtp_peer.mailbox.received == []


def test_an_in_reply_to_with_line_breaks_is_refused(smtp_peer: SmtpPeer) -> None:
    with pytest.raises(Permanent, match="Message-ID"):
        NETWORK.connector(smtp_peer.account).send(
            reply(reply_to_network_id="a@b>\r\nBcc: <victim@example.com")
        )
    assert smtp_peer.mailbox.received == []


@pytest.mark.parametrize(
    ("answer", "error", "text"),
    [
        ("451 4.7.1 Greylisted, try again later", Transient, "451"),
        ("550 5.1.1 User unknown", Permanent, "550 5.1.1 User unknown"),
        ("552 5.2.2 Mailbox full", Permanent, "552"),
    ],
)
def test_refusals_map_to_retry_or_not(
    smtp_peer: SmtpPeer, answer: str, error: type[Exception], text: str
) -> None:
    smtp_peer.mailbox.rcpt_answer = answer

    with pytest.raises(error, match=text) as raised:
        NETWORK.connector(smtp_peer.account).send(reply())

    assert type(raised.value) is error


def test_a_wrong_password_needs_reauthorisation_and_is_not_shown(smtp_peer: SmtpPeer) -> None:
    account = dataclasses.replace(smtp_peer.account, secrets={"smtp_password": "wrong-password"})

    with pytest.raises(AuthExpired, match="535") as raised:
        NETWORK.connector(account).send(reply())

    assert "wrong-password" not in str(raised.value)
    assert smtp_peer.mailbox.received == []


def test_a_server_that_refuses_connections_is_transient(smtp_peer: SmtpPeer) -> None:
    closed = {**smtp_peer.account.settings, "smtp_port": str(free_port())}

    with pytest.raises(Transient, match="unreachable"):
        NETWORK.connector(dataclasses.replace(smtp_peer.account, settings=closed)).send(reply())


def test_starttls_that_the_server_does_not_offer_is_permanent(smtp_peer: SmtpPeer) -> None:
    settings = {**smtp_peer.account.settings, "smtp_starttls": "true"}

    with pytest.raises(Permanent, match="STARTTLS"):
        NETWORK.connector(dataclasses.replace(smtp_peer.account, settings=settings)).send(reply())
    assert smtp_peer.mailbox.received == []


def test_the_password_is_never_sent_unencrypted_off_loopback(smtp_peer: SmtpPeer) -> None:
    settings = {**smtp_peer.account.settings, "smtp_host": "mail.acme.example"}

    with pytest.raises(Permanent, match="unencrypted"):
        NETWORK.connector(dataclasses.replace(smtp_peer.account, settings=settings)).send(reply())


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"smtp_host": ""}, "smtp_host"),
        ({"smtp_port": "smtp"}, "smtp_port"),
        ({"from_address": "Acme Care"}, "from_address"),
    ],
)
def test_a_broken_account_is_permanent(smtp_peer: SmtpPeer, settings: dict[str, str], complaint: str) -> None:
    account = dataclasses.replace(smtp_peer.account, settings={**smtp_peer.account.settings, **settings})

    with pytest.raises(Permanent, match=complaint):
        NETWORK.connector(account).send(reply())
