"""Threading: which conversation each arriving message belongs to. Pure; no I/O.

The rules, applied to a batch of arrivals and what the store already holds:
- a reply joins its parent's conversation;
- a message whose replies arrived first joins their conversation (out-of-order delivery),
  and when that links conversations that were separate, they are merged into the oldest;
- a private message joins the latest conversation between the same customer and brand
  account;
- a conversation that is resolved takes a new message only within the reopen window after
  its resolution; a later message starts a new conversation;
- cycles and missing parents are harmless: links are unions, never walks up a chain.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from caredesk.models.enums import ConversationStatus

_RESOLVED = ConversationStatus.RESOLVED.value
_OPEN = ConversationStatus.OPEN.value
_WAITING = {ConversationStatus.PENDING.value, ConversationStatus.SNOOZED.value}


@dataclass(frozen=True, slots=True)
class Arrival:
    """What threading needs to know of one new message."""

    network_message_id: str
    reply_to_network_id: str | None
    private: bool
    inbound: bool
    created_at: datetime
    brand_account_id: int | None
    contact_id: int | None


@dataclass(frozen=True, slots=True)
class StoredConversation:
    """What threading needs to know of one conversation already in the store."""

    id: int
    status: str
    resolved_at: datetime | None


@dataclass(slots=True)
class Known:
    """The store's side of a batch, looked up by the caller before planning."""

    # network message id -> conversation holding a stored message with that id
    parents: dict[str, int] = field(default_factory=dict)
    # network message id -> conversations holding stored replies to it
    replies: dict[str, set[int]] = field(default_factory=dict)
    # (brand account, contact) -> their latest conversation
    private_threads: dict[tuple[int | None, int], int] = field(default_factory=dict)
    conversations: dict[int, StoredConversation] = field(default_factory=dict)


@dataclass(slots=True)
class Group:
    """Arrivals that end in one conversation: an existing one (`conversation_id`) or a new one."""

    arrivals: list[int]
    conversation_id: int | None = None
    absorbed: list[int] = field(default_factory=list)  # merged into conversation_id
    new_status: str | None = None  # None: leave the status as it is
    reopened: bool = False


class _UnionFind:
    def __init__(self) -> None:
        self._parent: dict[Hashable, Hashable] = {}

    def find(self, node: Hashable) -> Hashable:
        parent = self._parent.setdefault(node, node)
        if parent == node:
            return node
        root = self.find(parent)
        self._parent[node] = root
        return root

    def union(self, a: Hashable, b: Hashable) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self._parent[root_b] = root_a


def plan_threads(arrivals: Sequence[Arrival], known: Known, reopen_window: timedelta) -> list[Group]:
    """Group `arrivals` (indexes into the sequence) by the conversation each ends in."""

    def takes(conversation_id: int, arrival: Arrival) -> bool:
        stored = known.conversations[conversation_id]
        if stored.status != _RESOLVED or stored.resolved_at is None:
            return True
        return arrival.created_at <= stored.resolved_at + reopen_window

    links = _UnionFind()
    first_with_id: dict[str, int] = {}
    for index, arrival in enumerate(arrivals):
        first_with_id.setdefault(arrival.network_message_id, index)
        links.find(("arrival", index))

    for index, arrival in enumerate(arrivals):
        node = ("arrival", index)
        parent_id = arrival.reply_to_network_id
        if parent_id is not None:
            if parent_id in first_with_id:
                links.union(node, ("arrival", first_with_id[parent_id]))
            elif (stored := known.parents.get(parent_id)) is not None and takes(stored, arrival):
                links.union(node, ("conversation", stored))
        for stored in known.replies.get(arrival.network_message_id, ()):
            links.union(node, ("conversation", stored))

    latest_private: dict[tuple[int | None, int], int] = {}
    by_time = sorted(range(len(arrivals)), key=lambda i: arrivals[i].created_at)
    for index in by_time:
        arrival = arrivals[index]
        if not arrival.private or arrival.contact_id is None:
            continue
        pair = (arrival.brand_account_id, arrival.contact_id)
        if pair in latest_private:
            links.union(("arrival", index), ("arrival", latest_private[pair]))
        elif (stored := known.private_threads.get(pair)) is not None and takes(stored, arrival):
            links.union(("arrival", index), ("conversation", stored))
        latest_private[pair] = index

    members: dict[Hashable, tuple[list[int], set[int]]] = {}
    for index in range(len(arrivals)):
        root = links.find(("arrival", index))
        members.setdefault(root, ([], set()))[0].append(index)
    for conversation_id in known.conversations:
        root = links.find(("conversation", conversation_id))
        if root in members:
            members[root][1].add(conversation_id)

    return [
        _group(indexes, sorted(conversations), arrivals, known) for indexes, conversations in members.values()
    ]


def _group(indexes: list[int], conversations: list[int], arrivals: Sequence[Arrival], known: Known) -> Group:
    if not conversations:
        return Group(arrivals=indexes, new_status=_OPEN)
    target = known.conversations[conversations[0]]
    absorbed = [known.conversations[c] for c in conversations[1:]]
    group = Group(arrivals=indexes, conversation_id=target.id, absorbed=[c.id for c in absorbed])
    customer_times = [arrivals[i].created_at for i in indexes if arrivals[i].inbound]
    if target.status == _RESOLVED:
        resolved_at = target.resolved_at
        later = resolved_at is None or any(at > resolved_at for at in customer_times)
        if later or any(c.status != _RESOLVED for c in absorbed):
            group.new_status, group.reopened = _OPEN, True
    elif target.status in _WAITING and customer_times:
        group.new_status = _OPEN
    return group
