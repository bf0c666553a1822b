"""Sending replies through the brand's SMTP server.

SMTP answers map to the errors workers act on: 4xx and network failures are worth another
try, 5xx are not, and an authentication failure means the password must be entered again.
The password never travels in clear: STARTTLS (the default) or implicit TLS on port 465 with
verified certificates, or a server on loopback. SMTP has no idempotency key: a worker killed
after the server accepted the message and before it was recorded as sent cannot tell, and the
outbox marks such a claim "unknown" for a person (security.md R1).
"""

from __future__ import annotations

import smtplib
import ssl

from caredesk.clock import utcnow
from caredesk.connectors.base import AccountConfig, AuthExpired, OutboundReply, Permanent, Transient
from caredesk.connectors.email.composing import ComposedReply, compose_reply
from caredesk.connectors.email.parsing import brand_address
from caredesk.connectors.hosts import is_loopback_host

__all__ = ["SMTP_TIMEOUT_S", "EmailConnector"]

SMTP_TIMEOUT_S = 15.0
IMPLICIT_TLS_PORT = 465


class EmailConnector:
    """Sends one brand address's replies as e-mails threaded under the customer's."""

    network = "email"

    def __init__(self, account: AccountConfig) -> None:
        self.account = account

    def send(self, reply: OutboundReply) -> str:
        sender = brand_address(self.account)
        if sender is None:
            raise Permanent(f"e-mail account {self.account.handle}: from_address is not a plain address")
        composed = compose_reply(reply, sender, utcnow())
        self._deliver(composed)
        return composed.message_id

    def _deliver(self, composed: ComposedReply) -> None:
        settings = self.account.settings
        host = settings.get("smtp_host", "").strip()
        if not host:
            raise Permanent(f"e-mail account {self.account.handle} has no smtp_host")
        try:
            port = int(settings.get("smtp_port", "587"))
        except ValueError:
            raise Permanent(f"e-mail account {self.account.handle}: smtp_port is not a number") from None
        starttls = settings.get("smtp_starttls", "true").strip().lower() != "false"
        password = self.account.secrets.get("smtp_password")
        encrypted = starttls or port == IMPLICIT_TLS_PORT
        if password and not encrypted and not is_loopback_host(host):
            raise Permanent(
                f"e-mail account {self.account.handle}: refusing to send the SMTP password unencrypted"
            )
        username = settings.get("smtp_username") or composed.sender
        try:
            with _connect(host, port) as smtp:
                if starttls and port != IMPLICIT_TLS_PORT:
                    smtp.starttls(context=ssl.create_default_context())
                if password:
                    smtp.login(username, password)
                smtp.send_message(composed.email, from_addr=composed.sender, to_addrs=[composed.recipient])
        except smtplib.SMTPAuthenticationError as error:
            handle = self.account.handle
            raise AuthExpired(
                f"SMTP {host} refused the login ({error.smtp_code}): re-enter the password of {handle}"
            ) from None
        except smtplib.SMTPRecipientsRefused as error:
            code, reason = next(iter(error.recipients.values()), (550, b"refused"))
            raise _by_code(host, code, reason) from None
        except smtplib.SMTPResponseException as error:
            raise _by_code(host, error.smtp_code, error.smtp_error) from None
        except smtplib.SMTPNotSupportedError:
            raise Permanent(
                f"SMTP {host} does not offer STARTTLS: set smtp_starttls, or use port 465"
            ) from None
        except ssl.SSLCertVerificationError as error:
            raise Permanent(
                f"SMTP {host}: its TLS certificate failed verification ({error.verify_message})"
            ) from None
        except (smtplib.SMTPException, OSError) as error:  # refused, reset, timed out, TLS failure
            raise Transient(f"SMTP {host}:{port} unreachable ({type(error).__name__}: {error})") from None


def _connect(host: str, port: int) -> smtplib.SMTP:
    if port == IMPLICIT_TLS_PORT:
        return smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_S, context=ssl.create_default_context())
    return smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S)


def _by_code(host: str, code: int, reason: bytes | str) -> Transient | Permanent:
    text = reason.decode("utf-8", errors="replace") if isinstance(reason, bytes) else reason
    what = f"SMTP {host} answered {code} {' '.join(text.split())[:300]}"
    if code in (530, 534, 535, 538):  # authentication required, too weak, failed, needs encryption
        return AuthExpired(what)
    if 400 <= code < 500:
        return Transient(what)
    return Permanent(what)
