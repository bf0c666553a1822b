"""The SMTP receiving endpoint, fed by smtplib over loopback."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest

from caredesk.connectors.email import parse_email
from caredesk.connectors.email.receiving import start_receiving
from tests.connectors.email.conftest import free_port
from tests.connectors.email.samples import BRAND, GMAIL_ALTERNATIVE

ON_THE_WIRE = GMAIL_ALTERNATIVE.replace(b"\n", b"\r\n")  # SMTP lines end in CRLF


@dataclass
class Store:
    """Stands in for the raw-event table: keeps what it is handed, or fails like a busy database."""

    events: list[tuple[bytes, Sequence[str]]] = field(default_factory=list)
    failing: bool = False

    def deliver(self, raw: bytes, recipients: Sequence[str]) -> None:
        if self.failing:
            raise RuntimeError("database is locked")
        self.events.append((raw, recipients))


@dataclass
class Endpoint:
    store: Store
    port: int


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    store = Store()
    port = free_port()
    controller = start_receiving(store.deliver, {"care@acme.example"}.__contains__, port=port)
    try:
        yield Endpoint(store, port)
    finally:
        controller.stop()


def test_a_received_mail_is_handed_over_as_raw_bytes_and_parses(endpoint: Endpoint) -> None:
    with smtplib.SMTP("127.0.0.1", endpoint.port, timeout=5) as client:
        client.sendmail("jane.doe@gmail.example", ["Care@Acme.example"], ON_THE_WIRE)

    ((raw, recipients),) = endpoint.store.events
    assert recipients == ("care@acme.example",)
    message = parse_email(BRAND, raw)
    assert message is not None
    assert message.network_message_id == "CAJx9Q+Pq2bE1=xk@mail.gmail.com"
    assert message.text.startswith("Still nothing here")


def test_mail_for_addresses_we_do_not_manage_is_refused(endpoint: Endpoint) -> None:
    with (
        smtplib.SMTP("127.0.0.1", endpoint.port, timeout=5) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        client.sendmail("spam@example.net", ["someone@elsewhere.example"], ON_THE_WIRE)

    assert refused.value.recipients["someone@elsewhere.example"][0] == 550
    assert endpoint.store.events == []


def test_only_the_managed_recipients_of_a_mail_are_kept(endpoint: Endpoint) -> None:
    with smtplib.SMTP("127.0.0.1", endpoint.port, timeout=5) as client:
        refused = client.sendmail("jane@example.com", ["other@elsewhere.example", "care@acme.example"], b"x")

    assert list(refused) == ["other@elsewhere.example"]
    assert [recipients for _, recipients in endpoint.store.events] == [("care@acme.example",)]


def test_a_storage_failure_asks_the_sender_to_retry(endpoint: Endpoint) -> None:
    endpoint.store.failing = True

    with (
        smtplib.SMTP("127.0.0.1", endpoint.port, timeout=5) as client,
        pytest.raises(smtplib.SMTPDataError) as refused,
    ):
        client.sendmail("jane@example.com", ["care@acme.example"], ON_THE_WIRE)

    assert refused.value.smtp_code == 451
