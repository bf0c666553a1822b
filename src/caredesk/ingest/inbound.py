"""The normalised message every connector and importer hands to ingest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from caredesk.models.enums import Direction, Visibility


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which costs
# more than a microsecond per message on the import path. Treat both as immutable.
@dataclass(slots=True)
class Author:
    """A customer's identity on one network, as the network describes it."""

    platform_user_id: str
    handle: str | None = None
    display_name: str | None = None
    followers: int | None = None

    def __post_init__(self) -> None:
        _check_id("platform user id", self.platform_user_id)


@dataclass(slots=True)
class InboundMessage:
    """One post, comment, reply, direct message or e-mail, already parsed.

    `direction` says who wrote it: a customer (inbound) or the brand itself (outbound, e.g. a
    reply made on the network's own app, or imported history). `customer` is the person on the
    other side: the author of an inbound message, the recipient of an outbound private one.
    `brand_handle` names the brand account it was received on or sent from; None when the
    source does not know (imported customer tweets), and the brand's reply routes it later.
    """

    network: str
    network_message_id: str
    direction: Direction
    visibility: Visibility
    text: str
    created_at: datetime
    customer: Author | None = None
    brand_handle: str | None = None
    reply_to_network_id: str | None = None
    raw: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        _check_id("network message id", self.network_message_id)
        if self.reply_to_network_id is not None:
            _check_id("reply-to id", self.reply_to_network_id)
        if self.created_at.tzinfo is None:
            raise ValueError(f"message {self.network_message_id}: created_at must be timezone-aware")
        if self.direction is Direction.NOTE:
            raise ValueError("internal notes are written by agents, never ingested")
        if self.direction is Direction.OUTBOUND and self.brand_handle is None:
            raise ValueError(f"outbound message {self.network_message_id} needs its brand_handle")


MAX_ID_LENGTH = 200


def _check_id(what: str, value: str) -> None:
    """Network ids are short printable keys; anything else is a malformed source."""
    if not value or len(value) > MAX_ID_LENGTH or not value.isprintable():
        raise ValueError(f"invalid {what} {value[:40]!r}: expected 1-{MAX_ID_LENGTH} printable characters")
