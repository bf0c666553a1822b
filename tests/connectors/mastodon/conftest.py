"""A Mastodon instance on loopback with a brand account and a customer, per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from caredesk.connectors.base import AccountConfig
from tests.peers.mastodon_server import MastodonServer, RunningServer

TOKEN = "brand-token-7f3a9c"


@dataclass
class Instance:
    server: MastodonServer
    brand_id: str
    customer_id: str
    account: AccountConfig


@pytest.fixture
def instance() -> Iterator[Instance]:
    server = MastodonServer()
    running = RunningServer(server)
    url = running.start()
    brand_id = server.add_account("acme_cares", followers=12_000)
    customer_id = server.add_account("alice", remote_domain="other.social", followers=1_250)
    server.grant(brand_id, TOKEN)
    account = AccountConfig(
        account_id=7,
        workspace_id=1,
        network="mastodon",
        handle="acme_cares",
        platform_id=brand_id,
        settings={"api_base": url},
        secrets={"access_token": TOKEN},
    )
    try:
        yield Instance(server, brand_id, customer_id, account)
    finally:
        running.stop()
