"""The interface every network connector implements, and its typed errors.

Workers retry only what is retryable: `Transient` with backoff, `RateLimited` at the time the
network names, never `Permanent` or `AuthExpired` (the account needs a person).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OutboundReply:
    """One reply to deliver, as a connector needs it."""

    message_id: int  # Caredesk's id: the idempotency key for networks that accept one
    network: str
    brand_handle: str
    visibility: str  # "public": a reply in the thread; "private": a direct message
    text: str
    reply_to_network_id: str | None  # the post answered, for public replies
    recipient_platform_user_id: str | None  # the customer, for private messages


class DeliveryError(Exception):
    """A reply could not be delivered."""


class Transient(DeliveryError):
    """Worth trying again later: a timeout, a 5xx."""


class RateLimited(Transient):
    """The network asks us to wait; retrying earlier is pointless and spends no attempt."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Permanent(DeliveryError):
    """Retrying cannot help: the post is gone, the messaging window closed, the text refused."""


class AuthExpired(Permanent):
    """The account's credentials were revoked or expired: someone must re-authorise it."""


class Connector(Protocol):
    """Sends replies on one network."""

    network: str

    def send(self, reply: OutboundReply) -> str:
        """Deliver `reply`; return the network's id for the new post or message."""
        ...
