"""A built-in stand-in network: delivery that works offline, for the demo and for tests.

It keeps what it was sent in memory and answers with a deterministic id, so sending the same
message twice is visible as a duplicate. Tests can script the next outcomes (a timeout, a
429, a revoked token) to exercise the real outbox against every kind of failure.
"""

from __future__ import annotations

import threading
from collections import deque

from caredesk.connectors.base import DeliveryError, OutboundReply


class LoopbackConnector:
    network = "loopback"

    def __init__(self) -> None:
        self.sent: list[OutboundReply] = []
        self._scripted: deque[DeliveryError] = deque()
        self._lock = threading.Lock()

    def fail_next(self, *errors: DeliveryError) -> None:
        """Make the next sends fail with `errors`, in order."""
        with self._lock:
            self._scripted.extend(errors)

    def send(self, reply: OutboundReply) -> str:
        with self._lock:
            if self._scripted:
                raise self._scripted.popleft()
            self.sent.append(reply)
        return f"loopback-{reply.message_id}"
