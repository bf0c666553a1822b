"""The Bluesky network as Caredesk registers it: what an account needs, and its connector.

An account is the brand's Bluesky identity: `handle`, `platform_id` = its DID, the secret
`app_password` (Settings → Privacy and security → App passwords), the setting `service`
(its PDS or the bsky.social entryway) and the setting `firehose` (the relay whose
`com.atproto.sync.subscribeRepos` stream carries mentions and every public post).
Receiving is the firehose's job (`caredesk.connectors.bluesky.firehose`), not a webhook's.
"""

from __future__ import annotations

import httpx

from caredesk.connectors.base import AccountConfig
from caredesk.connectors.bluesky.connector import BlueskyConnector
from caredesk.connectors.bluesky.posts import NETWORK_NAME
from caredesk.connectors.bluesky.session import Sessions

DEFAULT_FIREHOSE = "wss://bsky.network"


class BlueskyNetwork:
    """One per process: its connectors share the logged-in sessions."""

    name = NETWORK_NAME
    setting_names = ("service", "firehose")
    secret_names = ("app_password",)

    def __init__(self) -> None:
        self.sessions = Sessions()

    def connector(self, account: AccountConfig, http: httpx.Client | None = None) -> BlueskyConnector:
        return BlueskyConnector(account, self.sessions, http)


def firehose_url(account: AccountConfig) -> str:
    """The relay an account listens to; accounts sharing one relay share one stream."""
    return account.settings.get("firehose") or DEFAULT_FIREHOSE


NETWORK = BlueskyNetwork()
