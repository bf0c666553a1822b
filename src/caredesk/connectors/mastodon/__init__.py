"""Mastodon: mentions and direct messages polled from notifications, replies posted as statuses."""

from caredesk.connectors.mastodon.network import NETWORK, MastodonNetwork

__all__ = ["NETWORK", "MastodonNetwork"]
