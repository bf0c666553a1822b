"""A Graph API stand-in on loopback per test, and the Page and Instagram accounts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from caredesk.connectors.base import AccountConfig
from caredesk.connectors.meta import MetaNetwork
from tests.peers import serving
from tests.peers.meta_server import (
    APP_SECRET,
    IG_ACCOUNT_ID,
    PAGE_ID,
    PAGE_TOKEN,
    VERIFY_TOKEN,
    VERSION,
    MetaPeer,
)

TEST_TIMEOUT = httpx.Timeout(1.5, connect=1.5)
SECRETS = {"access_token": PAGE_TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN}


def page_account(api_base: str = "https://graph.facebook.com/v19.0", **secrets: str) -> AccountConfig:
    return AccountConfig(
        1, 1, "facebook", "Acme Support", PAGE_ID, {"api_base": api_base}, secrets or SECRETS
    )


def instagram_account(api_base: str = "https://graph.facebook.com/v19.0", **settings: str) -> AccountConfig:
    return AccountConfig(
        2, 1, "instagram", "acme.cares", IG_ACCOUNT_ID, {"api_base": api_base, **settings}, SECRETS
    )


@dataclass
class MetaWorld:
    peer: MetaPeer
    facebook: MetaNetwork
    instagram: MetaNetwork
    page: AccountConfig
    ig: AccountConfig


@pytest.fixture
def meta() -> Iterator[MetaWorld]:
    peer = MetaPeer()
    with serving(peer.app) as base_url:
        api_base = f"{base_url}/{VERSION}"
        yield MetaWorld(
            peer,
            MetaNetwork("facebook", "page", TEST_TIMEOUT),
            MetaNetwork("instagram", "instagram", TEST_TIMEOUT),
            page_account(api_base),
            instagram_account(api_base, page_id=PAGE_ID),
        )
