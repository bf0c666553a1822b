"""Where a network's token may be sent: its own hosts over HTTPS, or this machine (tests,
self-hosted relays on loopback). Every connector checks its configured URL here first."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from urllib.parse import urlsplit

from caredesk.connectors.base import Permanent


def is_loopback_host(host: str | None) -> bool:
    """Whether `host` is this machine, where plain http (and plain SMTP/IMAP logins) are safe."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def checked_api_base(api_base: str, network: str, api: str, hosts: Collection[str]) -> str:
    """`api_base` if the token may go there: HTTPS to one of `hosts`, or anything on loopback."""
    parts = urlsplit(api_base)
    host = (parts.hostname or "").lower()
    if is_loopback_host(host) and parts.scheme in ("http", "https"):
        return api_base
    if host in hosts and parts.scheme == "https":
        return api_base
    raise Permanent(
        f"{network} api_base {api_base[:80]!r} is not one of the {api} hosts: "
        f"tokens are sent only to {sorted(hosts)}"
    )
