"""A small IMAP4rev1 server on loopback, for the poller's tests.

It speaks the part of RFC 3501 the poller uses, on a real socket: greeting, CAPABILITY, LOGIN
(with `NO [AUTHENTICATIONFAILED]` for a wrong password), SELECT/EXAMINE with the UIDVALIDITY
and UIDNEXT response codes, `UID SEARCH UID n:*` (where `*` is the highest UID, so the range
always matches at least that one), `UID FETCH uid (BODY.PEEK[])` as a literal, and LOGOUT.
A real Dovecot (Debian `dovecot-imapd`) was not used: CI machines would have to install it.
"""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field

_QUOTED_OR_ATOM = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\S+)')


@dataclass
class Mailbox:
    username: str
    password: str
    uidvalidity: int = 1_700_000_000
    messages: dict[int, bytes] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, raw: bytes) -> int:
        with self.lock:
            uid = max(self.messages, default=0) + 1
            self.messages[uid] = raw
            return uid


class _Session(socketserver.StreamRequestHandler):
    mailbox: Mailbox
    disable_nagle_algorithm = True  # one small write per response line: don't wait for ACKs

    def handle(self) -> None:
        self._send(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] test IMAP ready")
        authenticated = False
        while line := self.rfile.readline():
            tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
            command, _, arguments = rest.partition(b" ")
            verb = command.upper()
            with self.mailbox.lock:
                self.mailbox.commands.append(rest.decode(errors="replace").split(" ")[0].upper())
            if verb == b"CAPABILITY":
                self._send(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                self._send(tag + b" OK CAPABILITY completed")
            elif verb == b"LOGIN":
                user, password = (quoted or atom for quoted, atom in _QUOTED_OR_ATOM.findall(arguments))
                authenticated = (user.decode(), password.decode()) == (
                    self.mailbox.username,
                    self.mailbox.password,
                )
                answer = (
                    b" OK LOGIN completed"
                    if authenticated
                    else b" NO [AUTHENTICATIONFAILED] Invalid credentials"
                )
                self._send(tag + answer)
            elif verb == b"LOGOUT":
                self._send(b"* BYE logging out")
                self._send(tag + b" OK LOGOUT completed")
                return
            elif not authenticated:
                self._send(tag + b" BAD log in first")
            elif verb in (b"SELECT", b"EXAMINE"):
                self._select(tag, verb)
            elif verb == b"UID":
                self._uid(tag, arguments)
            else:
                self._send(tag + b" BAD unknown command")

    def _select(self, tag: bytes, verb: bytes) -> None:
        with self.mailbox.lock:
            count, validity = len(self.mailbox.messages), self.mailbox.uidvalidity
            uid_next = max(self.mailbox.messages, default=0) + 1
        self._send(b"* %d EXISTS" % count)
        self._send(b"* 0 RECENT")
        self._send(b"* OK [UIDVALIDITY %d] UIDs valid" % validity)
        self._send(b"* OK [UIDNEXT %d] Predicted next UID" % uid_next)
        mode = b"[READ-ONLY]" if verb == b"EXAMINE" else b"[READ-WRITE]"
        self._send(tag + b" OK " + mode + b" " + verb + b" completed")

    def _uid(self, tag: bytes, arguments: bytes) -> None:
        command, _, rest = arguments.partition(b" ")
        with self.mailbox.lock:
            messages = dict(self.mailbox.messages)
        uids = sorted(messages)
        if command.upper() == b"SEARCH":
            match = re.fullmatch(rb"UID (\d+):\*", rest.strip())
            if match is None:
                self._send(tag + b" BAD unsupported search")
                return
            found = [uid for uid in uids if uid >= int(match[1])] or uids[-1:]
            self._send(b"* SEARCH" + b"".join(b" %d" % uid for uid in found))
            self._send(tag + b" OK SEARCH completed")
        elif command.upper() == b"FETCH":
            wanted, _, items = rest.partition(b" ")
            if items.upper() != b"(BODY.PEEK[])":
                self._send(tag + b" BAD unsupported fetch")
                return
            uid = int(wanted)
            if uid in messages:
                raw = messages[uid]
                sequence = uids.index(uid) + 1
                self.wfile.write(
                    b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (sequence, uid, len(raw)) + raw + b")\r\n"
                )
            self._send(tag + b" OK FETCH completed")
        else:
            self._send(tag + b" BAD unsupported UID command")

    def _send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")


class ImapServer:
    """`mailbox` served on 127.0.0.1, on an ephemeral port, until `stop`."""

    def __init__(self, mailbox: Mailbox) -> None:
        handler = type("Session", (_Session,), {"mailbox": mailbox})
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
