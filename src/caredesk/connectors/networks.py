"""Every network Caredesk can connect to, by name; each is loaded only when first used."""

from __future__ import annotations

import importlib
from datetime import timedelta
from functools import cache
from typing import cast

from caredesk.connectors.base import Network, PollingNetwork, WebhookNetwork

# name -> "module:attribute" of the network's `Network` object.
NETWORKS: dict[str, str] = {
    "bluesky": "caredesk.connectors.bluesky:NETWORK",
    "x": "caredesk.connectors.x:NETWORK",
    "facebook": "caredesk.connectors.meta:FACEBOOK",
    "instagram": "caredesk.connectors.meta:INSTAGRAM",
    "mastodon": "caredesk.connectors.mastodon:NETWORK",
    "email": "caredesk.connectors.email:NETWORK",
}


class UnknownNetworkError(ValueError):
    pass


@cache
def network(name: str) -> Network:
    """The network called `name`."""
    try:
        module_name, attribute = NETWORKS[name].split(":")
    except KeyError:
        known = ", ".join(sorted(NETWORKS))
        raise UnknownNetworkError(f"unknown network {name!r}: choose one of {known}") from None
    return cast(Network, getattr(importlib.import_module(module_name), attribute))


def receives_webhooks(candidate: Network) -> WebhookNetwork | None:
    return cast(WebhookNetwork, candidate) if hasattr(candidate, "verify") else None


def polls(candidate: Network) -> PollingNetwork | None:
    return cast(PollingNetwork, candidate) if hasattr(candidate, "poll") else None


def send_dedupe_window(name: str) -> timedelta | None:
    """How long the network drops a second send with the same idempotency key (our message
    id): within it, sending again after a crash mid-send is safe. None: never safe."""
    try:
        window = getattr(network(name), "send_dedupe_window", None)
    except (UnknownNetworkError, ImportError):
        return None
    return window if isinstance(window, timedelta) else None
