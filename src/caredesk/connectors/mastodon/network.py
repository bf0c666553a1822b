"""The Mastodon network: what an account needs, how replies are sent and mentions are read."""

from __future__ import annotations

from datetime import timedelta

from caredesk.connectors.base import AccountConfig, Polled
from caredesk.connectors.mastodon.connector import MastodonConnector
from caredesk.connectors.mastodon.polling import poll_mentions

__all__ = ["NETWORK", "MastodonNetwork"]


class MastodonNetwork:
    """A polling network: one account is one Mastodon user on one instance.

    Settings: `api_base`, the instance URL (https://mastodon.social). Secrets: `access_token`,
    an OAuth token with the `read:notifications`, `read:accounts` and `write:statuses` scopes.
    The account's `platform_id` is the brand's own account id, which tells its echoes apart.
    """

    name = "mastodon"
    setting_names = ("api_base",)
    secret_names = ("access_token",)
    # Mastodon keeps an Idempotency-Key for an hour: a send repeated within that time (after a
    # worker died mid-send) returns the first status instead of posting again.
    send_dedupe_window = timedelta(minutes=50)

    def connector(self, account: AccountConfig) -> MastodonConnector:
        return MastodonConnector(account)

    def poll(self, account: AccountConfig, cursor: str | None) -> Polled:
        return poll_mentions(account, cursor)


NETWORK = MastodonNetwork()
