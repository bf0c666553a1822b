"""Polling a mailbox over IMAP (a small IMAP4rev1 server on loopback)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from caredesk.connectors.base import AccountConfig, AuthExpired, MalformedEvent, Permanent, Transient
from caredesk.connectors.email import NETWORK
from caredesk.connectors.email.imap_polling import BATCH
from tests.connectors.email.conftest import free_port
from tests.connectors.email.imap_server import ImapServer, Mailbox
from tests.connectors.email.samples import GMAIL_ALTERNATIVE, LATIN1_OUTLOOK, NO_MESSAGE_ID


@dataclass
class Imap:
    mailbox: Mailbox
    account: AccountConfig


@pytest.fixture
def imap() -> Iterator[Imap]:
    mailbox = Mailbox("care@acme.example", "imap-pass")
    server = ImapServer(mailbox)
    server.start()
    account = AccountConfig(
        account_id=3,
        workspace_id=1,
        network="email",
        handle="care@acme.example",
        platform_id=None,
        settings={
            "from_address": "care@acme.example",
            "imap_host": "127.0.0.1",
            "imap_port": str(server.port),
        },
        secrets={"imap_password": "imap-pass"},
    )
    try:
        yield Imap(mailbox, account)
    finally:
        server.stop()


def numbered(n: int) -> bytes:
    return NO_MESSAGE_ID.replace(b"Subject: hello", b"Subject: hello\nMessage-ID: <m%d@example.net>" % n)


def test_new_mail_is_read_after_the_cursor_and_left_unread(imap: Imap) -> None:
    imap.mailbox.deliver(GMAIL_ALTERNATIVE)
    first = NETWORK.poll(imap.account, None)
    imap.mailbox.deliver(LATIN1_OUTLOOK)

    polled = NETWORK.poll(imap.account, first.cursor)

    assert [m.network_message_id for m in first.messages] == ["CAJx9Q+Pq2bE1=xk@mail.gmail.com"]
    assert [m.network_message_id for m in polled.messages] == ["000001db1234$abcd$@example.de"]
    assert polled.cursor == "1700000000:2"
    assert "EXAMINE" in imap.mailbox.commands  # read-only: nothing is marked as seen
    assert NETWORK.poll(imap.account, polled.cursor).messages == []


def test_a_backlog_is_read_in_batches_oldest_first(imap: Imap) -> None:
    imap.mailbox.deliver(numbered(0))
    cursor = NETWORK.poll(imap.account, None).cursor
    for n in range(1, BATCH + 11):
        imap.mailbox.deliver(numbered(n))

    page = NETWORK.poll(imap.account, cursor)
    rest = NETWORK.poll(imap.account, page.cursor)

    ids = [m.network_message_id for m in page.messages + rest.messages]
    assert ids == [f"m{n}@example.net" for n in range(1, BATCH + 11)]
    assert (page.more, rest.more) == (True, False)


def test_a_new_uidvalidity_starts_again_from_the_newest_batch(imap: Imap) -> None:
    for n in range(3):
        imap.mailbox.deliver(numbered(n))
    cursor = NETWORK.poll(imap.account, None).cursor
    imap.mailbox.uidvalidity += 1

    polled = NETWORK.poll(imap.account, cursor)

    assert len(polled.messages) == 3
    assert polled.cursor == f"{imap.mailbox.uidvalidity}:3"


def test_unreadable_mail_and_our_own_are_skipped_without_blocking(imap: Imap) -> None:
    imap.mailbox.deliver(b"not an e-mail at all")
    imap.mailbox.deliver(NO_MESSAGE_ID.replace(b"From: bob@example.net", b"From: care@acme.example"))
    imap.mailbox.deliver(numbered(9))

    polled = NETWORK.poll(imap.account, None)

    assert [m.network_message_id for m in polled.messages] == ["m9@example.net"]
    assert polled.cursor == "1700000000:3"


def test_a_wrong_password_needs_reauthorisation(imap: Imap) -> None:
    account = dataclasses.replace(imap.account, secrets={"imap_password": "old-pass"})

    with pytest.raises(AuthExpired) as raised:
        NETWORK.poll(account, None)

    assert "old-pass" not in str(raised.value)


def test_an_unreachable_server_is_transient(imap: Imap) -> None:
    account = dataclasses.replace(
        imap.account, settings={**imap.account.settings, "imap_port": str(free_port())}
    )

    with pytest.raises(Transient, match="unreachable"):
        NETWORK.poll(account, None)


@pytest.mark.parametrize(
    ("settings", "error", "complaint"),
    [
        ({"imap_host": ""}, Permanent, "imap_host"),
        ({"imap_port": "imap"}, Permanent, "imap_port"),
        ({"imap_mailbox": 'INBOX"\r\nA1 DELETE INBOX'}, Permanent, "not printable"),
    ],
)
def test_a_broken_account_is_permanent(
    imap: Imap, settings: dict[str, str], error: type, complaint: str
) -> None:
    account = dataclasses.replace(imap.account, settings={**imap.account.settings, **settings})

    with pytest.raises(error, match=complaint):
        NETWORK.poll(account, None)


@pytest.mark.parametrize("cursor", ["", "12", "1:2:3", "a:b"])
def test_a_stored_cursor_that_is_not_one_is_malformed(imap: Imap, cursor: str) -> None:
    with pytest.raises(MalformedEvent, match="cursor"):
        NETWORK.poll(imap.account, cursor)
