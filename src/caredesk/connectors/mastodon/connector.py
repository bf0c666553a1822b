"""Sending replies as statuses on the brand's Mastodon instance.

Every status is posted with `Idempotency-Key: caredesk-<message id>`. Mastodon remembers the
key (per account, for an hour) and answers a repeated post with the status it already made,
so a worker that crashed after the instance accepted a reply, or a retry after a timeout,
does not post it twice (security.md R1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from caredesk.connectors.base import AccountConfig, OutboundReply, Permanent, Transient
from caredesk.connectors.mastodon.api import InstanceApi
from caredesk.connectors.mastodon.replies import addressed_text, replied_acct, reply_visibility
from caredesk.connectors.mastodon.statuses import ACCT, MASTODON_ID

__all__ = ["MastodonConnector", "idempotency_key"]


def idempotency_key(reply: OutboundReply) -> str:
    """The key that makes posting `reply` twice produce one status."""
    return f"caredesk-{reply.message_id}"


class MastodonConnector:
    """Posts one brand account's replies: public ones in the thread, private ones as direct statuses."""

    network = "mastodon"

    def __init__(self, account: AccountConfig) -> None:
        self.account = account

    def send(self, reply: OutboundReply) -> str:
        visibility = reply_visibility(reply)
        if reply.reply_to_network_id is not None and not MASTODON_ID.fullmatch(reply.reply_to_network_id):
            raise Permanent(f"mastodon cannot reply to {reply.reply_to_network_id[:40]!r}: not a status id")
        with InstanceApi(self.account) as api:
            acct = replied_acct(reply) or self._recipient_acct(api, reply)
            if visibility == "direct" and acct is None:
                raise Permanent("mastodon direct message without a recipient: customer account unknown")
            form = {"status": addressed_text(reply.text, acct), "visibility": visibility}
            if reply.reply_to_network_id is not None:
                form["in_reply_to_id"] = reply.reply_to_network_id
            response = api.post("/api/v1/statuses", form, {"Idempotency-Key": idempotency_key(reply)})
            status = api.json(response)
        return _status_id(status)

    def _recipient_acct(self, api: InstanceApi, reply: OutboundReply) -> str | None:
        recipient = reply.recipient_platform_user_id
        if recipient is None:
            return None
        if not MASTODON_ID.fullmatch(recipient):
            raise Permanent(f"mastodon recipient {recipient[:40]!r} is not an account id")
        account = api.json(api.get(f"/api/v1/accounts/{quote(recipient)}"))
        acct = account.get("acct") if isinstance(account, Mapping) else None
        if not isinstance(acct, str) or not ACCT.fullmatch(acct):
            raise Transient(f"mastodon {api.base} answered account {recipient} without a valid acct")
        return acct


def _status_id(status: Any) -> str:
    status_id = status.get("id") if isinstance(status, Mapping) else None
    if not isinstance(status_id, str) or not MASTODON_ID.fullmatch(status_id):
        # Posted or not, a retry with the same idempotency key tells.
        raise Transient("mastodon answered a posted status without a valid id")
    return status_id
