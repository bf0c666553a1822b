"""X as a Caredesk network: mentions by polling or by Account Activity webhooks, replies in
the thread, and direct messages.

An account's `platform_id` is the brand's numeric X user id; `access_token` is an OAuth 2
user token (scopes tweet.read tweet.write users.read dm.read dm.write), `consumer_secret`
the app's secret that signs webhooks.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import httpx

from caredesk.connectors.base import AccountConfig, OutboundReply, Permanent, Polled, WebhookReply
from caredesk.connectors.x.activity import check_signature, crc_reply, delivery_messages
from caredesk.connectors.x.api import DEFAULT_TIMEOUT, RateWindows, XApi, checked_id
from caredesk.connectors.x.mentions import MentionsCursor, page_messages
from caredesk.ingest.inbound import InboundMessage

MENTIONS = "GET /2/users/:id/mentions"
CREATE_TWEET = "POST /2/tweets"
SEND_DM = "POST /2/dm_conversations/with/:participant_id/messages"


class XConnector:
    """Sends one brand account's replies and reads its mentions."""

    network = "x"

    def __init__(self, account: AccountConfig, timeout: httpx.Timeout, windows: RateWindows) -> None:
        self._account = account
        self._api = XApi(account, timeout, windows)

    def send(self, reply: OutboundReply) -> str:
        """A public reply in the customer's thread, or a direct message; the new id."""
        if not reply.text.strip():
            raise Permanent("an empty reply cannot be sent on X")
        if reply.visibility == "public":
            tweet_id = checked_id(reply.reply_to_network_id, "tweet to answer")
            created = self._api.post(
                CREATE_TWEET, "/2/tweets", {"text": reply.text, "reply": {"in_reply_to_tweet_id": tweet_id}}
            )
            return _created_id(created, "id")
        participant = checked_id(reply.recipient_platform_user_id, "direct message recipient")
        sent = self._api.post(
            SEND_DM, f"/2/dm_conversations/with/{participant}/messages", {"text": reply.text}
        )
        return _created_id(sent, "dm_event_id")

    def poll_mentions(self, stored_cursor: str | None) -> Polled:
        """One page of mentions since the cursor; see `mentions` for what the cursor holds."""
        account = self._account
        user_id = checked_id(account.platform_id, "user id of the brand account")
        cursor = MentionsCursor.decode(stored_cursor)
        page = self._api.get(MENTIONS, f"/2/users/{user_id}/mentions", cursor.query())
        messages = page_messages(account, page)
        next_cursor, more = cursor.after(page)
        return Polled(messages, next_cursor, more)


class XNetwork:
    """The "x" network. Both receiving styles work; use one per account."""

    name = "x"
    setting_names = ("api_base",)
    secret_names = ("access_token", "consumer_secret")

    def __init__(self, timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> None:
        self._timeout = timeout
        # Per account, for the life of the process: a window X said is spent stays spent
        # for every connector and poll of that account until it resets.
        self._windows: dict[int, RateWindows] = {}
        self._lock = threading.Lock()

    def connector(self, account: AccountConfig) -> XConnector:
        with self._lock:
            windows = self._windows.setdefault(account.account_id, RateWindows())
        return XConnector(account, self._timeout, windows)

    def poll(self, account: AccountConfig, cursor: str | None) -> Polled:
        return self.connector(account).poll_mentions(cursor)

    def handshake(self, account: AccountConfig, query: Mapping[str, str]) -> WebhookReply:
        return crc_reply(account.secrets.get("consumer_secret"), query)

    def verify(self, account: AccountConfig, headers: Mapping[str, str], body: bytes) -> None:
        check_signature(account.secrets.get("consumer_secret"), headers, body)

    def parse(self, account: AccountConfig, body: bytes) -> list[InboundMessage]:
        return delivery_messages(account, body)


def _created_id(answer: dict[str, object], key: str) -> str:
    data = answer.get("data")
    created = data.get(key) if isinstance(data, dict) else None
    if not isinstance(created, str) or not created:
        # Accepted but unnamed: resending could post twice, so a person checks.
        raise Permanent(f"X accepted the reply but named no {key}: check the account before resending")
    return created
