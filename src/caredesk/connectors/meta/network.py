"""Facebook and Instagram as Caredesk networks: two `Network` objects, one Meta app.

A conversation lives where the customer wrote, so a Page's comments and Messenger chats are
"facebook" and an Instagram account's comments, mentions and DMs are "instagram". Both use
the same Graph API client, handshake, signature check and parser; each keeps only its own
surface's deliveries (`object` "page" or "instagram") for its own account (`platform_id`:
the Page id, or the Instagram professional account id).
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from caredesk.connectors.base import AccountConfig, WebhookReply
from caredesk.connectors.meta.connector import MetaConnector
from caredesk.connectors.meta.events import delivery_messages
from caredesk.connectors.meta.graph import DEFAULT_TIMEOUT
from caredesk.connectors.meta.webhooks import check_signature, subscription_reply
from caredesk.ingest.inbound import InboundMessage


class MetaNetwork:
    """One Meta surface; `webhook_object` is what Meta calls it in deliveries."""

    setting_names = ("api_base", "page_id")
    secret_names = ("access_token", "app_secret", "verify_token")

    def __init__(self, name: str, webhook_object: str, timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> None:
        self.name = name
        self.webhook_object = webhook_object
        self._timeout = timeout

    def connector(self, account: AccountConfig) -> MetaConnector:
        return MetaConnector(account, self._timeout)

    def handshake(self, account: AccountConfig, query: Mapping[str, str]) -> WebhookReply:
        return subscription_reply(account.secrets.get("verify_token"), query)

    def verify(self, account: AccountConfig, headers: Mapping[str, str], body: bytes) -> None:
        check_signature(account.secrets.get("app_secret"), headers, body)

    def parse(self, account: AccountConfig, body: bytes) -> list[InboundMessage]:
        return delivery_messages(account, self.webhook_object, body)
