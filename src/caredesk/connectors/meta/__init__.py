"""Meta: Facebook Pages (comments, visitor posts, Messenger) and Instagram (comments,
mentions, direct messages), as two networks sharing one Graph client and webhook parser.

`FACEBOOK` and `INSTAGRAM` are what the registry installs; see `docs/connectors/meta.md`.
"""

from caredesk.connectors.meta.connector import MetaConnector
from caredesk.connectors.meta.network import MetaNetwork

FACEBOOK = MetaNetwork("facebook", "page")
INSTAGRAM = MetaNetwork("instagram", "instagram")

__all__ = ["FACEBOOK", "INSTAGRAM", "MetaConnector", "MetaNetwork"]
