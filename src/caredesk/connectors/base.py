"""The interface every network connector implements, and its typed errors.

A network package (`caredesk.connectors.<network>`) exposes one `Network` object. It builds a
`Connector` per brand account to send replies, and may also receive: parse and verify the
webhooks the network pushes (`WebhookNetwork`), or poll the network (`PollingNetwork`).
Receiving only parses: storing what was received, once, is the caller's job.

Workers retry only what is retryable: `Transient` with backoff, `RateLimited` at the time the
network names, never `Permanent` or `AuthExpired` (the account needs a person).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from caredesk.ingest.inbound import InboundMessage


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """A brand account as its connector sees it: settings and decrypted credentials.

    `settings` hold what may be shown (an API base URL, a page id); `secrets` hold tokens and
    app secrets, decrypted only for the connector, never logged, shown or returned.
    """

    account_id: int
    workspace_id: int
    network: str
    handle: str
    platform_id: str | None
    settings: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)

    def secret(self, name: str) -> str:
        """The credential `name`; a missing one means the account must be authorised again."""
        value = self.secrets.get(name)
        if not value:
            raise AuthExpired(f"{self.network} account {self.handle} has no {name}: re-authorise it")
        return value


@dataclass(frozen=True, slots=True)
class OutboundReply:
    """One reply to deliver, as a connector needs it."""

    message_id: int  # Caredesk's id: the idempotency key for networks that accept one
    network: str
    brand_handle: str
    visibility: str  # "public": a reply in the thread; "private": a direct message
    text: str
    # Public: the customer's post answered, in its thread. Private: the customer's latest
    # message (a comment, for networks that turn a comment into a private reply).
    reply_to_network_id: str | None
    recipient_platform_user_id: str | None  # the customer, for private messages
    # The raw payload of the message answered (an e-mail's subject, a post's thread root).
    reply_to_raw: Mapping[str, Any] | None = None
    # The conversation's network message ids, oldest first (an e-mail's References).
    thread_network_ids: tuple[str, ...] = ()


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


class InvalidSignature(Exception):
    """A webhook delivery whose signature is missing or wrong: refused, nothing stored."""


class MalformedEvent(ValueError):
    """A delivery that verified but cannot be understood: kept, marked failed, reported."""


@dataclass(frozen=True, slots=True)
class WebhookReply:
    """What to answer a network's handshake (a verification GET)."""

    status: int
    body: str
    media_type: str = "text/plain"


@dataclass(frozen=True, slots=True)
class Polled:
    """One poll: the messages found and the cursor to resume from (stored with them)."""

    messages: list[InboundMessage]
    cursor: str | None
    more: bool = False  # another page is ready now


class Network(Protocol):
    """A network: its name, what an account needs, and how to send on it."""

    name: str
    setting_names: tuple[str, ...]  # shown back to admins
    secret_names: tuple[str, ...]  # encrypted at rest, never shown back

    def connector(self, account: AccountConfig) -> Connector: ...


class WebhookNetwork(Network, Protocol):
    """A network that pushes events to us. Header names are lower-case."""

    def handshake(self, account: AccountConfig, query: Mapping[str, str]) -> WebhookReply: ...

    def verify(self, account: AccountConfig, headers: Mapping[str, str], body: bytes) -> None:
        """Raise `InvalidSignature` unless `body`, as received, is signed for this account."""
        ...

    def parse(self, account: AccountConfig, body: bytes) -> list[InboundMessage]:
        """The messages in a verified delivery: echoes of our own sends and events for
        accounts this one does not manage are left out. Raise `MalformedEvent` when unreadable."""
        ...


class PollingNetwork(Network, Protocol):
    """A network we ask for new messages, from a cursor."""

    def poll(self, account: AccountConfig, cursor: str | None) -> Polled: ...
