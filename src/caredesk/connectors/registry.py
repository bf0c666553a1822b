"""Connectors by network name."""

from __future__ import annotations

from caredesk.connectors.base import Connector, Permanent


class Connectors:
    """The connectors a process delivers with; `fallback` answers for every other network."""

    def __init__(self, fallback: Connector | None = None) -> None:
        self._by_network: dict[str, Connector] = {}
        self.fallback = fallback

    def register(self, connector: Connector, network: str | None = None) -> None:
        self._by_network[network or connector.network] = connector

    def for_network(self, network: str) -> Connector:
        connector = self._by_network.get(network, self.fallback)
        if connector is None:
            raise Permanent(f"no connector is configured for {network}: add the network's account first")
        return connector
