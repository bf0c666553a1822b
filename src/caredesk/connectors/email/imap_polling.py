"""Reading new e-mails from the brand's IMAP mailbox.

The cursor is `<UIDVALIDITY>:<last UID read>`. UIDs only grow within one UIDVALIDITY, so each
poll asks for the UIDs above the cursor, reads at most `BATCH` of them, oldest first, and
says when more are waiting. Messages are fetched with `BODY.PEEK[]`, which leaves them unread
for people who also use the mailbox. When the server changes UIDVALIDITY (the mailbox was
rebuilt) the old UIDs mean nothing: reading starts again from the newest batch, and ingestion
dedupes by Message-ID. The first poll, without a cursor, reads only the newest batch too.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl

from caredesk.connectors.base import AccountConfig, AuthExpired, MalformedEvent, Permanent, Polled, Transient
from caredesk.connectors.email.parsing import parse_email
from caredesk.connectors.hosts import is_loopback_host
from caredesk.ingest.inbound import InboundMessage

__all__ = ["BATCH", "IMAP_TIMEOUT_S", "poll_mailbox"]

log = logging.getLogger(__name__)

BATCH = 50
IMAP_TIMEOUT_S = 15.0
IMPLICIT_TLS_PORT = 993
_CURSOR = re.compile(r"([0-9]{1,10}):([0-9]{1,10})")
_UIDVALIDITY = re.compile(rb"UIDVALIDITY ([0-9]+)")


def poll_mailbox(account: AccountConfig, cursor: str | None) -> Polled:
    """The e-mails after `cursor` and the cursor to store with them.

    Raises `AuthExpired` for a refused login, `Transient` for an unreachable or failing server,
    `Permanent` for a configuration that cannot work, and `MalformedEvent` for a stored cursor
    that is not one. An e-mail that cannot be parsed is logged and skipped.
    """
    validity, last_uid = _parsed_cursor(cursor)
    host = account.settings.get("imap_host", "").strip()
    if not host:
        raise Permanent(f"e-mail account {account.handle} has no imap_host to poll")
    try:
        port = int(account.settings.get("imap_port", str(IMPLICIT_TLS_PORT)))
    except ValueError:
        raise Permanent(f"e-mail account {account.handle}: imap_port is not a number") from None
    password = account.secret("imap_password")
    username = account.settings.get("imap_username") or account.settings.get("from_address") or account.handle
    mailbox = account.settings.get("imap_mailbox", "INBOX")
    try:
        imap = _connect(host, port)
        try:
            imap.login(username, password)
            return _read_new(account, imap, mailbox, validity, last_uid)
        finally:
            _close(imap)
    except imaplib.IMAP4.abort as error:
        raise Transient(f"IMAP {host} dropped the connection ({error})") from None
    except imaplib.IMAP4.error as error:
        if "AUTHENTICATIONFAILED" in str(error).upper() or "LOGIN" in str(error).upper():
            raise AuthExpired(
                f"IMAP {host} refused the login: re-enter the password of {account.handle}"
            ) from None
        raise Permanent(f"IMAP {host}: {error}") from None
    except ssl.SSLCertVerificationError as error:
        raise Permanent(
            f"IMAP {host}: its TLS certificate failed verification ({error.verify_message})"
        ) from None
    except OSError as error:
        raise Transient(f"IMAP {host}:{port} unreachable ({type(error).__name__}: {error})") from None


def _parsed_cursor(cursor: str | None) -> tuple[int | None, int]:
    if cursor is None:
        return None, 0
    match = _CURSOR.fullmatch(cursor)
    if match is None:
        raise MalformedEvent(f"e-mail cursor {cursor[:40]!r} is not UIDVALIDITY:UID")
    return int(match[1]), int(match[2])


def _connect(host: str, port: int) -> imaplib.IMAP4:
    if port == IMPLICIT_TLS_PORT:
        return imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=IMAP_TIMEOUT_S)
    imap = imaplib.IMAP4(host, port, timeout=IMAP_TIMEOUT_S)
    if not is_loopback_host(host):  # never log in in clear text across a network
        imap.starttls(ssl_context=ssl.create_default_context())
    return imap


def _close(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()
    except (imaplib.IMAP4.error, OSError):
        log.debug("IMAP logout failed; the connection is closed anyway")


def _read_new(
    account: AccountConfig, imap: imaplib.IMAP4, mailbox: str, validity: int | None, last_uid: int
) -> Polled:
    status, _ = imap.select(_quoted(mailbox), readonly=True)
    if status != "OK":
        raise Permanent(f"IMAP mailbox {mailbox!r} cannot be opened")
    current_validity = _current_validity(imap)
    restart = validity is None or validity != current_validity
    if restart:
        last_uid = 0
    status, found = imap.uid("SEARCH", f"UID {last_uid + 1}:*")
    if status != "OK" or not found or not isinstance(found[0], bytes):
        raise Transient("IMAP search for new messages failed")
    # "n:*" always matches the highest UID, even below n: keep only the new ones.
    uids = sorted(uid for uid in (int(word) for word in found[0].split()) if uid > last_uid)
    if restart:
        uids = uids[-BATCH:]
    batch = uids[:BATCH]
    messages: list[InboundMessage] = []
    for uid in batch:
        message = _fetched(account, imap, uid)
        if message is not None:
            messages.append(message)
    next_uid = batch[-1] if batch else last_uid
    return Polled(messages=messages, cursor=f"{current_validity}:{next_uid}", more=len(uids) > BATCH)


def _current_validity(imap: imaplib.IMAP4) -> int:
    _, answers = imap.response("UIDVALIDITY")
    for answer in answers:
        if isinstance(answer, bytes) and answer.isdigit():
            return int(answer)
    raise Transient("IMAP server did not report the mailbox's UIDVALIDITY")


def _fetched(account: AccountConfig, imap: imaplib.IMAP4, uid: int) -> InboundMessage | None:
    status, parts = imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
    raw = next((part[1] for part in parts if isinstance(part, tuple) and len(part) == 2), None)
    if status != "OK" or not isinstance(raw, bytes):
        log.warning("e-mail account %s: IMAP UID %s could not be fetched; skipped", account.account_id, uid)
        return None
    try:
        return parse_email(account, raw)
    except MalformedEvent as error:
        log.warning("e-mail account %s: IMAP UID %s skipped: %s", account.account_id, uid, error)
        return None


def _quoted(mailbox: str) -> str:
    """An IMAP quoted string, so a mailbox name cannot smuggle a command."""
    if not mailbox.isprintable() or len(mailbox) > 200:
        raise Permanent(f"IMAP mailbox name {mailbox[:40]!r} is not printable")
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
