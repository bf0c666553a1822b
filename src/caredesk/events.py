"""Named domain events and the bus that delivers them to listeners after a commit.

Timers, surveys, analytics and automations listen here; they are never wired into the
ingest or send path itself.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MessageReceived:
    """A new message was stored in a conversation."""

    workspace_id: int
    conversation_id: int
    message_id: int
    direction: str


@dataclass(frozen=True, slots=True)
class ConversationOpened:
    """A conversation was created."""

    workspace_id: int
    conversation_id: int


@dataclass(frozen=True, slots=True)
class ConversationReopened:
    """A customer wrote again on a resolved conversation within the reopen window."""

    workspace_id: int
    conversation_id: int


@dataclass(frozen=True, slots=True)
class ConversationsMerged:
    """Messages arriving out of order proved several conversations to be one case."""

    workspace_id: int
    conversation_id: int
    merged_ids: tuple[int, ...]


Listener = Callable[[Any], None]


class EventBus:
    """Delivers events to the listeners subscribed to their type; a failing listener is logged."""

    def __init__(self) -> None:
        self._listeners: dict[type, list[Listener]] = defaultdict(list)

    def subscribe(self, event_type: type, listener: Listener) -> None:
        self._listeners[event_type].append(listener)

    def wants(self, event_type: type) -> bool:
        """True when someone listens to `event_type`, so callers can skip building events."""
        return bool(self._listeners.get(event_type))

    def emit(self, events: Iterable[object]) -> None:
        for event in events:
            for listener in self._listeners.get(type(event), ()):
                try:
                    listener(event)
                except Exception:
                    log.exception("listener %r failed on %r", listener, event)
