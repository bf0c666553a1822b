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

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from caredesk.models.enums import ConversationStatus

_RESOLVED = ConversationStatus.RESOLVED.value
_OPEN = ConversationStatus.OPEN.value
_WAITING = {ConversationStatus.PENDING.value, ConversationStatus.SNOOZED.value}


@dataclass(slots=True)
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
    """Disjoint sets over ints, with path halving; no recursion, no hashing of tuples."""

    def __init__(self) -> None:
        self._parent: list[int] = []

    def add(self) -> int:
        self._parent.append(len(self._parent))
        return len(self._parent) - 1

    def find(self, node: int) -> int:
        parent = self._parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(self, a: int, b: int) -> None:
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

    # Nodes 0..n-1 are the arrivals; stored conversations get nodes as they are met.
    links = _UnionFind()
    first_with_id: dict[str, int] = {}
    for index, arrival in enumerate(arrivals):
        first_with_id.setdefault(arrival.network_message_id, index)
        links.add()
    conversation_node: dict[int, int] = {}

    def stored_node(conversation_id: int) -> int:
        node = conversation_node.get(conversation_id)
        if node is None:
            node = conversation_node[conversation_id] = links.add()
        return node

    for index, arrival in enumerate(arrivals):
        node = index
        parent_id = arrival.reply_to_network_id
        if parent_id is not None:
            if parent_id in first_with_id:
                links.union(node, first_with_id[parent_id])
            elif (stored := known.parents.get(parent_id)) is not None and takes(stored, arrival):
                links.union(node, stored_node(stored))
        for stored in known.replies.get(arrival.network_message_id, ()):
            links.union(node, stored_node(stored))

    latest_private: dict[tuple[int | None, int], int] = {}
    by_time = sorted(range(len(arrivals)), key=lambda i: arrivals[i].created_at)
    for index in by_time:
        arrival = arrivals[index]
        if not arrival.private or arrival.contact_id is None:
            continue
        pair = (arrival.brand_account_id, arrival.contact_id)
        if pair in latest_private:
            links.union(index, latest_private[pair])
        elif (stored := known.private_threads.get(pair)) is not None and takes(stored, arrival):
            links.union(index, stored_node(stored))
        latest_private[pair] = index

    members: dict[int, tuple[list[int], set[int]]] = {}
    for index in range(len(arrivals)):
        members.setdefault(links.find(index), ([], set()))[0].append(index)
    for conversation_id, node in conversation_node.items():
        root = links.find(node)
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
