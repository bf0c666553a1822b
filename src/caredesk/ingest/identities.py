"""Customers: one identity per (network, platform user id), each belonging to a contact."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, select, update

from caredesk.clock import utcnow
from caredesk.db.bulk import bulk_insert
from caredesk.db.ids import allocate_ids
from caredesk.ingest.inbound import Author
from caredesk.ingest.sql import among, clip
from caredesk.models.tables import contacts as _contacts
from caredesk.models.tables import identities as _identities


def resolve_customers(
    connection: Connection, workspace_id: int, customers: Iterable[tuple[str, Author]]
) -> dict[tuple[str, str], tuple[int, int]]:
    """(network, platform user id) -> (identity id, contact id), creating what is new.

    When the network tells more than the store knows (a new handle, display name or follower
    count), the identity is updated; within a batch, later descriptions win field by field,
    and a field a later one leaves out keeps what an earlier one said.
    """
    latest: dict[tuple[str, str], Author] = {}
    for network, author in customers:
        key = (network, author.platform_user_id)
        known = latest.get(key)
        latest[key] = author if known is None else _merged(known, author)
    resolved: dict[tuple[str, str], tuple[int, int]] = {}
    changed: list[dict[str, object]] = []
    networks = {network for network, _ in latest}
    for network in networks:
        user_ids = [user_id for net, user_id in latest if net == network]
        rows = connection.execute(
            select(
                _identities.c.id,
                _identities.c.contact_id,
                _identities.c.platform_user_id,
                _identities.c.handle,
                _identities.c.display_name,
                _identities.c.followers,
            ).where(
                _identities.c.workspace_id == workspace_id,
                _identities.c.network == network,
                among(connection, _identities.c.platform_user_id, user_ids),
            )
        )
        for row in rows:
            key = (network, row.platform_user_id)
            resolved[key] = (row.id, row.contact_id)
            news = _news(latest[key], row.handle, row.display_name, row.followers)
            if news:
                changed.append({"identity_id": row.id, **news})
    missing = [key for key in latest if key not in resolved]
    if missing:
        contact_ids = allocate_ids(connection, _contacts, len(missing))
        identity_ids = allocate_ids(connection, _identities, len(missing))
        bulk_insert(
            connection,
            _contacts,
            [
                {
                    "id": contact_id,
                    "workspace_id": workspace_id,
                    "display_name": clip(latest[key].display_name or latest[key].handle),
                }
                for key, contact_id in zip(missing, contact_ids, strict=True)
            ],
        )
        bulk_insert(
            connection,
            _identities,
            [
                {
                    "id": identity_id,
                    "workspace_id": workspace_id,
                    "contact_id": contact_id,
                    "network": network,
                    "platform_user_id": user_id,
                    "handle": clip(latest[(network, user_id)].handle),
                    "display_name": clip(latest[(network, user_id)].display_name),
                    "followers": latest[(network, user_id)].followers,
                }
                for (network, user_id), identity_id, contact_id in zip(
                    missing, identity_ids, contact_ids, strict=True
                )
            ],
        )
        for key, identity_id, contact_id in zip(missing, identity_ids, contact_ids, strict=True):
            resolved[key] = (identity_id, contact_id)
    if changed:
        _update_identities(connection, changed)
    return resolved


def _merged(earlier: Author, later: Author) -> Author:
    """What two descriptions of one person say together: the later one wins where it speaks."""
    if (
        (later.handle is not None or earlier.handle is None)
        and (later.display_name is not None or earlier.display_name is None)
        and (later.followers is not None or earlier.followers is None)
    ):
        return later
    return Author(
        platform_user_id=later.platform_user_id,
        handle=later.handle if later.handle is not None else earlier.handle,
        display_name=later.display_name if later.display_name is not None else earlier.display_name,
        followers=later.followers if later.followers is not None else earlier.followers,
    )


def _news(
    author: Author, handle: str | None, display_name: str | None, followers: int | None
) -> dict[str, object]:
    news: dict[str, object] = {}
    if author.handle is not None and clip(author.handle) != handle:
        news["handle"] = clip(author.handle)
    if author.display_name is not None and clip(author.display_name) != display_name:
        news["display_name"] = clip(author.display_name)
    if author.followers is not None and author.followers != followers:
        news["followers"] = author.followers
    return news


def _update_identities(connection: Connection, changed: list[dict[str, object]]) -> None:
    # One UPDATE per set of changed columns, so an unchanged column is never overwritten.
    by_columns: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for row in changed:
        columns = tuple(sorted(k for k in row if k != "identity_id"))
        by_columns.setdefault(columns, []).append(row)
    now = utcnow()
    for columns, rows in by_columns.items():
        statement = (
            update(_identities)
            .where(_identities.c.id == bindparam("identity_id"))
            .values({**{column: bindparam(column) for column in columns}, "updated_at": now})
        )
        connection.execute(statement, rows)
