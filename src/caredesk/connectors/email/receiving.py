"""Receiving e-mail directly: an SMTP server (aiosmtpd) that hands each message to a callback.

Point the brand address's MX (or a forwarding rule) at it. It accepts mail only for the
addresses `accepts` knows (550 for the rest, so it is no open relay and events for accounts we
don't manage never enter), refuses messages over `MAX_MESSAGE_BYTES`, and answers 250 only
after `deliver` stored the raw bytes; if storing fails it answers 451, so the sending server
keeps the message and tries again instead of it being lost. Parsing happens later, from the
stored bytes, with `parse_email`.

No SPF, DKIM or DMARC check is made here: a sender address is what the sender claims.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from caredesk.connectors.email.headers import plain_address
from caredesk.connectors.email.parsing import MAX_MESSAGE_BYTES

__all__ = ["Deliver", "SmtpReceiver", "start_receiving"]

log = logging.getLogger(__name__)

Deliver = Callable[[bytes, Sequence[str]], None]
"""Stores one received message: its raw bytes and the accepted recipient addresses."""


class SmtpReceiver:
    """The aiosmtpd handler: checks recipients, then passes each message's bytes to `deliver`."""

    def __init__(self, deliver: Deliver, accepts: Callable[[str], bool]) -> None:
        self._deliver = deliver
        self._accepts = accepts

    async def handle_RCPT(  # aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        recipient = plain_address(address)
        if recipient is None or not self._accepts(recipient):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(recipient)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        if not isinstance(content, bytes) or not envelope.rcpt_tos:
            return "554 5.6.0 Nothing to deliver"
        try:
            # Storing may wait on the database: keep the SMTP event loop free meanwhile.
            await asyncio.to_thread(self._deliver, content, tuple(envelope.rcpt_tos))
        except Exception:
            log.exception("storing a received e-mail failed; the sender was told to retry")
            return "451 4.3.0 Could not store the message, try again later"
        return "250 2.0.0 Message accepted"


def start_receiving(
    deliver: Deliver, accepts: Callable[[str], bool], host: str = "127.0.0.1", port: int = 2525
) -> Controller:
    """Start an SMTP server on `host:port` in a background thread; call `.stop()` on the result."""
    controller = Controller(
        SmtpReceiver(deliver, accepts), hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES
    )
    controller.start()
    return controller
