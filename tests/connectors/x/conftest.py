"""An X stand-in on loopback per test, and the brand account pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from caredesk.connectors.base import AccountConfig
from caredesk.connectors.x import XNetwork
from tests.peers import serving
from tests.peers.x_server import BRAND_HANDLE, BRAND_ID, CONSUMER_SECRET, TOKEN, XPeer

# Short enough that a slow answer fails fast, long enough for a loaded 2-core machine.
TEST_TIMEOUT = httpx.Timeout(1.5, connect=1.5)


@dataclass
class XWorld:
    peer: XPeer
    network: XNetwork
    account: AccountConfig


def brand_account(api_base: str, **secrets: str) -> AccountConfig:
    return AccountConfig(
        account_id=1,
        workspace_id=1,
        network="x",
        handle=BRAND_HANDLE,
        platform_id=BRAND_ID,
        settings={"api_base": api_base},
        secrets=secrets or {"access_token": TOKEN, "consumer_secret": CONSUMER_SECRET},
    )


@pytest.fixture
def x() -> Iterator[XWorld]:
    peer = XPeer()
    with serving(peer.app) as base_url:
        yield XWorld(peer, XNetwork(timeout=TEST_TIMEOUT), brand_account(base_url))
