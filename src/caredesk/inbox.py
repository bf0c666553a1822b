"""The inbox: the queue of conversations, what needs an answer first.

Every view is filtered by `access.visible_to`, ordered by a key the queue index serves
(priority, then how long the customer has been waiting), and paged with a limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, exists, func, select

from caredesk.access import Viewer, visible_to
from caredesk.masking import masked
from caredesk.models import ConversationStatus, Direction, Role, conversation_tags
from caredesk.models.tables import agents, brand_accounts, contacts, conversations, identities, messages, tags
from caredesk.search import matching_messages

MAX_LIMIT = 200
MAX_SEARCH = 200


class View(StrEnum):
    NEEDS_ANSWER = "needs-answer"  # open, and the customer spoke last
    MINE = "mine"
    UNASSIGNED = "unassigned"
    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class InboxQuery:
    view: View = View.NEEDS_ANSWER
    network: str | None = None
    brand_account_id: int | None = None
    team_id: int | None = None
    tag: str | None = None
    search: str | None = None
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        if not 0 <= self.offset <= 10_000:
            raise ValueError("offset must be between 0 and 10,000: narrow the filters instead")
        if self.search is not None and len(self.search) > MAX_SEARCH:
            raise ValueError(f"search for at most {MAX_SEARCH} characters")


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: int
    status: str
    network: str
    brand_handle: str | None
    customer_name: str | None
    customer_handle: str | None
    followers: int | None
    owner_id: int | None
    owner_name: str | None
    priority: int
    waiting_since: datetime | None
    last_message_at: datetime
    customer_messages: int
    brand_messages: int
    preview: str
    # What triage found: the reasons for the priority, urgency, sentiment, intent, and flags
    # such as take_private (personal data posted in public) and opportunity.
    triage: dict[str, Any] | None = None


def _view_filter(viewer: Viewer, view: View) -> ColumnElement[bool]:
    c = conversations.c
    open_ = c.status == ConversationStatus.OPEN.value
    match view:
        case View.NEEDS_ANSWER:
            return and_(open_, c.waiting_since.is_not(None))
        case View.MINE:
            return and_(c.owner_agent_id == viewer.agent_id, c.status != ConversationStatus.RESOLVED.value)
        case View.UNASSIGNED:
            return and_(open_, c.owner_agent_id.is_(None))
        case View.ALL:
            return and_(c.id.is_not(None))
        case _:
            return c.status == view.value


def _ordered(query: Select[Any], view: View) -> Select[Any]:
    c = conversations.c
    if view is View.RESOLVED:
        return query.order_by(c.resolved_at.desc(), c.id.desc())
    if view is View.ALL:
        return query.order_by(c.last_message_at.desc(), c.id.desc())
    return query.order_by(
        c.priority.desc(), c.waiting_since.asc().nulls_last(), c.last_message_at.desc(), c.id
    )


def inbox(connection: Connection, viewer: Viewer, query: InboxQuery) -> list[InboxItem]:
    c = conversations.c
    conditions = [visible_to(viewer), _view_filter(viewer, query.view)]
    if query.network:
        conditions.append(c.network == query.network)
    if query.brand_account_id is not None:
        conditions.append(c.brand_account_id == query.brand_account_id)
    if query.team_id is not None:
        conditions.append(c.team_id == query.team_id)
    if query.tag:
        conditions.append(
            exists(
                select(1)
                .select_from(conversation_tags.join(tags, tags.c.id == conversation_tags.c.tag_id))
                .where(conversation_tags.c.conversation_id == c.id, tags.c.name == query.tag)
            )
        )
    if query.search is not None:
        matching = matching_messages(connection, query.search)
        if matching is None:
            return []  # nothing to search for: no words in it
        conditions.append(c.id.in_(select(messages.c.conversation_id).where(matching)))
    ids: list[int] = list(
        connection.scalars(
            _ordered(select(c.id).where(*conditions), query.view).limit(query.limit).offset(query.offset)
        )
    )
    return _items(connection, ids, viewer.role)


def _items(connection: Connection, ids: list[int], role: Role) -> list[InboxItem]:
    if not ids:
        return []
    c = conversations.c
    latest = (
        select(messages.c.id)
        .where(messages.c.conversation_id == c.id, messages.c.direction != Direction.NOTE.value)
        .order_by(messages.c.created_at.desc(), messages.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = connection.execute(
        select(
            c.id,
            c.status,
            c.network,
            c.owner_agent_id,
            c.priority,
            c.waiting_since,
            c.last_message_at,
            c.customer_message_count,
            c.brand_message_count,
            brand_accounts.c.handle.label("brand_handle"),
            contacts.c.display_name.label("customer_name"),
            identities.c.handle.label("customer_handle"),
            identities.c.followers,
            agents.c.display_name.label("owner_name"),
            c.triage,
            latest.label("latest_id"),
        )
        .select_from(conversations)
        .outerjoin(brand_accounts, brand_accounts.c.id == c.brand_account_id)
        .outerjoin(contacts, contacts.c.id == c.contact_id)
        .outerjoin(
            identities, and_(identities.c.contact_id == c.contact_id, identities.c.network == c.network)
        )
        .outerjoin(agents, agents.c.id == c.owner_agent_id)
        .where(c.id.in_(ids))
    ).all()
    by_id = {row.id: row for row in rows}
    previews = {
        row.id: masked(row.text, (row.triage or {}).get("pii"), role)[:280]
        for row in connection.execute(
            select(messages.c.id, messages.c.text, messages.c.triage).where(
                messages.c.id.in_([row.latest_id for row in rows if row.latest_id is not None])
            )
        )
    }
    return [
        InboxItem(
            id=row.id,
            status=row.status,
            network=row.network,
            brand_handle=row.brand_handle,
            customer_name=row.customer_name,
            customer_handle=row.customer_handle,
            followers=row.followers,
            owner_id=row.owner_agent_id,
            owner_name=row.owner_name,
            priority=row.priority,
            waiting_since=row.waiting_since,
            last_message_at=row.last_message_at,
            customer_messages=row.customer_message_count,
            brand_messages=row.brand_message_count,
            preview=previews.get(row.latest_id, ""),
            triage=row.triage,
        )
        for conversation_id in ids
        if (row := by_id.get(conversation_id)) is not None
    ]


def view_counts(connection: Connection, viewer: Viewer, cap: int = 100) -> dict[View, int]:
    """How many conversations each queue view holds, counted up to `cap` (shown as "99+")."""
    counts = {}
    for view in (View.NEEDS_ANSWER, View.MINE, View.UNASSIGNED):
        capped = select(conversations.c.id).where(visible_to(viewer), _view_filter(viewer, view)).limit(cap)
        counts[view] = int(connection.scalar(select(func.count()).select_from(capped.subquery())) or 0)
    return counts
