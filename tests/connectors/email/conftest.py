"""A real SMTP server (aiosmtpd) on loopback that records what it receives and can refuse it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from caredesk.connectors.base import AccountConfig

PASSWORD = "s3cret-smtp-pass"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """What the server received, and how it answers the next recipient."""

    received: list[Envelope] = field(default_factory=list)
    rcpt_answer: str = "250 OK"

    def last(self) -> EmailMessage:
        content = self.received[-1].original_content
        assert isinstance(content, bytes)
        message = BytesParser(policy=policy.default).parsebytes(content)
        assert isinstance(message, EmailMessage)
        return message

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_answer.startswith("250"):
            envelope.rcpt_tos.append(address)
        return self.rcpt_answer

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 2.0.0 Queued"


def authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpPeer:
    mailbox: Mailbox
    account: AccountConfig


@pytest.fixture
def smtp_peer() -> Iterator[SmtpPeer]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    account = AccountConfig(
        account_id=3,
        workspace_id=1,
        network="email",
        handle="care@acme.example",
        platform_id=None,
        settings={
            "from_address": "care@acme.example",
            "smtp_host": "127.0.0.1",
            "smtp_port": str(port),
            "smtp_starttls": "false",
        },
        secrets={"smtp_password": PASSWORD},
    )
    try:
        yield SmtpPeer(mailbox, account)
    finally:
        controller.stop()
