"""Reading the brand's mentions from its Mastodon notifications.

The cursor is the id of the newest mention notification already read. Each poll asks for the
page just after it (`min_id`): Mastodon answers the oldest unread notifications first, so each
page can be stored with its own cursor in one transaction and a crash in the middle of a
backlog neither loses nor repeats anything. (With `since_id` the instance answers the *newest*
page first and the older ones through the `Link: rel="next"` header; the cursor could then
move only after every page down to the old cursor was read, and a crash would restart the
whole walk.) A full page means more are waiting now. The first poll, without a cursor, reads
only the newest page: connecting an account does not import its whole history.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from caredesk.connectors.base import AccountConfig, MalformedEvent, Polled
from caredesk.connectors.mastodon.api import InstanceApi
from caredesk.connectors.mastodon.statuses import MASTODON_ID, status_message
from caredesk.ingest.inbound import InboundMessage

__all__ = ["PAGE_SIZE", "poll_mentions"]

log = logging.getLogger(__name__)

PAGE_SIZE = 40  # Mastodon's default page; the maximum is 80


def poll_mentions(account: AccountConfig, cursor: str | None) -> Polled:
    """The mentions after `cursor`, oldest first, and the cursor to store with them.

    Raises the delivery errors of `InstanceApi` (rate limits, revoked tokens, outages) and
    `MalformedEvent` for a stored cursor or a page Caredesk cannot read. A single unreadable
    notification is logged and skipped, so one bad status never blocks the account.
    """
    if cursor is not None and not MASTODON_ID.fullmatch(cursor):
        raise MalformedEvent(f"mastodon cursor {cursor[:40]!r} is not a notification id")
    params = [("types[]", "mention"), ("limit", str(PAGE_SIZE))]
    if cursor is not None:
        params.append(("min_id", cursor))
    with InstanceApi(account) as api:
        page = api.json(api.get("/api/v1/notifications", params))
    if not isinstance(page, list):
        raise MalformedEvent("mastodon answered notifications with something other than a list")
    newest = cursor
    found: list[tuple[int, InboundMessage]] = []
    for notification in page:
        notification_id = notification.get("id") if isinstance(notification, Mapping) else None
        if not isinstance(notification_id, str) or not MASTODON_ID.fullmatch(notification_id):
            log.warning("mastodon account %s: skipped a notification without a valid id", account.account_id)
            continue
        if newest is None or int(notification_id) > int(newest):
            newest = notification_id
        message = _mention(account, notification_id, notification)
        if message is not None:
            found.append((int(notification_id), message))
    found.sort(key=lambda pair: pair[0])
    return Polled(
        messages=[message for _, message in found],
        cursor=newest,
        more=cursor is not None and len(page) >= PAGE_SIZE,
    )


def _mention(
    account: AccountConfig, notification_id: str, notification: Mapping[str, object]
) -> InboundMessage | None:
    status = notification.get("status")
    if notification.get("type") != "mention" or not isinstance(status, Mapping):
        return None
    try:
        return status_message(account, status)
    except MalformedEvent as error:
        log.warning(
            "mastodon account %s: skipped notification %s: %s", account.account_id, notification_id, error
        )
        return None
