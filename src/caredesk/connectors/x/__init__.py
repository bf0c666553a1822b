"""X (Twitter): mentions and replies in public, direct messages in private.

`NETWORK` is what the registry installs; see `docs/connectors/x.md` for account setup.
"""

from caredesk.connectors.x.network import XConnector, XNetwork

NETWORK = XNetwork()

__all__ = ["NETWORK", "XConnector", "XNetwork"]
