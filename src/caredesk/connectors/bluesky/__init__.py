"""Bluesky: replies posted through the brand's PDS, mentions and posts read from the firehose.

See docs/connectors/bluesky.md for what an account needs and what is not supported.
"""

from __future__ import annotations

from caredesk.connectors.bluesky.connector import PRIVATE_REFUSED, BlueskyConnector
from caredesk.connectors.bluesky.firehose import Firehose, FirehoseBatch
from caredesk.connectors.bluesky.network import NETWORK, BlueskyNetwork, firehose_url

__all__ = [
    "NETWORK",
    "PRIVATE_REFUSED",
    "BlueskyConnector",
    "BlueskyNetwork",
    "Firehose",
    "FirehoseBatch",
    "firehose_url",
]
