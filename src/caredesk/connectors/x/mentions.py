"""The mentions timeline (API v2): its cursor, and its pages as messages. Pure: no I/O.

X answers newest first, in pages of at most 100, and `meta.newest_id` describes the page, not
the poll. So a poll that spans several pages keeps the `since_id` it started from, the first
page's newest id and the next `pagination_token` in its cursor (`more=True`), and the cursor
becomes that newest id only once the last page is read. A process that stops half-way resumes
at the page it had reached; ingest dedupes what it had already stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from caredesk.connectors.base import AccountConfig, MalformedEvent, Permanent
from caredesk.connectors.x.wire import count_at, iso_time_at, objects_at, optional_text, text_at
from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.models.enums import Direction, Visibility

PAGE_SIZE = "100"
QUERY = {
    "max_results": PAGE_SIZE,
    "tweet.fields": "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,note_tweet",
    "expansions": "author_id",
    "user.fields": "username,name,public_metrics",
}


@dataclass(frozen=True, slots=True)
class MentionsCursor:
    """Where a poll resumes: after `since_id`, and mid-poll, at `pagination_token`."""

    since_id: str | None = None
    newest_id: str | None = None  # the first page's newest id: the next since_id
    pagination_token: str | None = None

    def encode(self) -> str | None:
        """A bare tweet id between polls (readable in the database); JSON mid-poll."""
        if self.pagination_token is None:
            return self.since_id
        return orjson.dumps(
            {
                "since_id": self.since_id,
                "newest_id": self.newest_id,
                "pagination_token": self.pagination_token,
            }
        ).decode()

    @classmethod
    def decode(cls, stored: str | None) -> MentionsCursor:
        if stored is None or stored.isdigit():
            return cls(since_id=stored)
        try:
            fields = orjson.loads(stored)
        except orjson.JSONDecodeError:
            fields = None
        names = ("since_id", "newest_id", "pagination_token")
        if not isinstance(fields, dict) or not all(
            isinstance(fields.get(name), str | None) for name in names
        ):
            raise Permanent(f"unreadable X mentions cursor {stored[:60]!r}: reset the account's cursor")
        return cls(fields.get("since_id"), fields.get("newest_id"), fields.get("pagination_token"))

    def query(self) -> dict[str, str]:
        query = dict(QUERY)
        if self.since_id:
            query["since_id"] = self.since_id
        if self.pagination_token:
            query["pagination_token"] = self.pagination_token
        return query

    def after(self, page: dict[str, Any]) -> tuple[str | None, bool]:
        """The cursor to store with this page's messages, and whether another page is waiting."""
        meta = _section(page, "meta")
        newest_id = self.newest_id or optional_text(meta, "newest_id", "meta")
        next_token = optional_text(meta, "next_token", "meta")
        if next_token:
            return MentionsCursor(self.since_id, newest_id, next_token).encode(), True
        return newest_id or self.since_id, False


def page_messages(account: AccountConfig, page: dict[str, Any]) -> list[InboundMessage]:
    """The tweets in one page of the mentions timeline, oldest first."""
    if "data" not in page and page.get("errors") and "meta" not in page:
        raise Permanent(f"X refused the mentions timeline: {str(page['errors'])[:300]}")
    users = {user.get("id"): user for user in objects_at(_section(page, "includes"), "users", "includes")}
    messages = []
    for index, tweet in enumerate(objects_at(page, "data", "page")):
        message = _tweet_message(account, tweet, users, f"data[{index}]")
        if message is not None:
            messages.append(message)
    messages.reverse()
    return messages


def _tweet_message(
    account: AccountConfig, tweet: dict[str, Any], users: dict[Any, dict[str, Any]], where: str
) -> InboundMessage | None:
    """A v2 tweet as a message: a customer's mention, or the brand's own reply made on X.

    Retweets are not messages. The brand's own tweets matter only as replies to someone
    (made in X's app); those are outbound, and ingest dedupes the ones Caredesk sent.
    """
    references = {
        text_at(reference, "type", f"{where}.referenced_tweets"): text_at(
            reference, "id", f"{where}.referenced_tweets"
        )
        for reference in objects_at(tweet, "referenced_tweets", where)
    }
    if "retweeted" in references:
        return None
    author_id = text_at(tweet, "author_id", where)
    author = users.get(author_id)
    try:
        return _message(account, tweet, author_id, author, references, where)
    except MalformedEvent:
        raise
    except ValueError as error:  # an id InboundMessage refuses (too long, unprintable)
        raise MalformedEvent(f"{where}: {error}") from None


def _message(
    account: AccountConfig,
    tweet: dict[str, Any],
    author_id: str,
    author: dict[str, Any] | None,
    references: dict[str, str],
    where: str,
) -> InboundMessage | None:
    if author_id != account.platform_id:
        direction, customer = Direction.INBOUND, _author(author_id, author)
    else:
        addressee = optional_text(tweet, "in_reply_to_user_id", where)
        if "replied_to" not in references or addressee is None or addressee == account.platform_id:
            return None
        direction, customer = Direction.OUTBOUND, Author(addressee)
    note = tweet.get("note_tweet")
    long_text = note.get("text") if isinstance(note, dict) else None
    return InboundMessage(
        network=account.network,
        network_message_id=text_at(tweet, "id", where),
        direction=direction,
        visibility=Visibility.PUBLIC,
        text=long_text if isinstance(long_text, str) else text_at(tweet, "text", where),
        created_at=iso_time_at(tweet, "created_at", where),
        customer=customer,
        brand_handle=account.handle,
        reply_to_network_id=references.get("replied_to"),
        raw={"data": tweet, "includes": {"users": [author] if author else []}},
    )


def _author(author_id: str, user: dict[str, Any] | None) -> Author:
    if user is None:
        return Author(author_id)
    metrics = user.get("public_metrics")
    return Author(
        platform_user_id=author_id,
        handle=user.get("username") if isinstance(user.get("username"), str) else None,
        display_name=user.get("name") if isinstance(user.get("name"), str) else None,
        followers=count_at(metrics, "followers_count") if isinstance(metrics, dict) else None,
    )


def _section(page: dict[str, Any], key: str) -> dict[str, Any]:
    """`meta` or `includes`: X leaves them out when there is nothing to say."""
    section = page.get(key)
    return section if isinstance(section, dict) else {}
