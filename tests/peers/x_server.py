"""An X API v2 stand-in on loopback, and Account Activity deliveries signed as X signs them.

Speaks the documented wire format: the mentions timeline (newest first, `since_id`,
`pagination_token` bound to the query it came from, `meta.newest_id` describing the page),
tweet and DM creation (recorded for assertions), RFC 7807 problems for errors, and
`x-rate-limit-*` headers on every answer. Tests script the next answers: a 429, a 5xx, a
slow answer, a revoked token.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BRAND_ID = "1001"
BRAND_HANDLE = "acme_cares"
TOKEN = "x-user-token-ok"
CONSUMER_SECRET = "x-consumer-secret"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@dataclass
class Scripted:
    """The next answer to one request, instead of the normal one (or after a delay)."""

    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    then_normal: bool = False  # after the delay, answer as usual


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    authorization: str | None
    body: dict[str, Any] | None


class XPeer:
    """The state of the stand-in: users, mentions, what was posted, what comes next."""

    def __init__(self) -> None:
        self.tokens = {TOKEN}
        self.users: dict[str, dict[str, Any]] = {}
        self.mentions: list[dict[str, Any]] = []
        self.tweets: list[dict[str, Any]] = []
        self.direct_messages: list[dict[str, Any]] = []
        self.deleted: set[str] = set()
        self.seen: list[Seen] = []
        self.remaining: dict[str, int] = {}  # endpoint -> requests left in the window
        self.reset_at = int((datetime.now(UTC) + timedelta(minutes=15)).timestamp())
        self._script: deque[Scripted] = deque()
        self._ids = itertools.count(1_790_000_000_000_000_000)
        self._pages: dict[str, tuple[str | None, int]] = {}  # token -> (since_id, until_id)
        self._lock = threading.Lock()
        self.add_user(BRAND_ID, BRAND_HANDLE, "Acme Support", 52_000)

    def script(self, *answers: Scripted) -> None:
        with self._lock:
            self._script.extend(answers)

    def add_user(self, user_id: str, username: str, name: str, followers: int) -> None:
        self.users[user_id] = {
            "id": user_id,
            "username": username,
            "name": name,
            "public_metrics": {"followers_count": followers, "following_count": 10, "tweet_count": 99},
        }

    def add_mention(
        self, author_id: str, text: str, *, reply_to: str | None = None, minutes: float = 0
    ) -> str:
        tweet_id = str(next(self._ids))
        tweet: dict[str, Any] = {
            "id": tweet_id,
            "text": text,
            "author_id": author_id,
            "conversation_id": reply_to or tweet_id,
            "created_at": (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", ".000Z"),
            "edit_history_tweet_ids": [tweet_id],
        }
        if reply_to:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
            tweet["in_reply_to_user_id"] = BRAND_ID
        self.mentions.append(tweet)
        return tweet_id

    @property
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/2/users/{user_id}/mentions", self._mentions, methods=["GET"]),
                Route("/2/tweets", self._create_tweet, methods=["POST"]),
                Route("/2/dm_conversations/with/{participant_id}/messages", self._send_dm, methods=["POST"]),
            ]
        )

    async def _answer(self, request: Request, endpoint: str) -> Response | None:
        """Record the request; answer it here if it is refused or scripted."""
        body = json.loads(await request.body() or b"null")
        authorization = request.headers.get("authorization")
        with self._lock:
            self.seen.append(
                Seen(request.method, request.url.path, dict(request.query_params), authorization, body)
            )
            scripted = self._script.popleft() if self._script else None
        if scripted is not None:
            await asyncio.sleep(scripted.delay_s)
            if not scripted.then_normal:
                return JSONResponse(scripted.body or {}, scripted.status, headers=scripted.headers)
        if authorization not in {f"Bearer {token}" for token in self.tokens}:
            return _problem(401, "Unauthorized", "Unauthorized")
        left = self.remaining.get(endpoint)
        if left == 0:
            return _problem(429, "Too Many Requests", "Too Many Requests", self._rate_headers(0))
        if left is not None:
            self.remaining[endpoint] = left - 1
        return None

    def _rate_headers(self, left: int) -> dict[str, str]:
        return {
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": str(left),
            "x-rate-limit-reset": str(self.reset_at),
        }

    async def _mentions(self, request: Request) -> Response:
        endpoint = "mentions"
        if refused := await self._answer(request, endpoint):
            return refused
        query = request.query_params
        max_results = int(query.get("max_results", "10"))
        if not 5 <= max_results <= 100:
            return _problem(400, "Invalid Request", "The `max_results` query parameter value is not valid")
        since_id, until_id = query.get("since_id"), None
        if token := query.get("pagination_token"):
            if token not in self._pages or self._pages[token][0] != since_id:
                return _problem(
                    400, "Invalid Request", "The `pagination_token` query parameter value is not valid"
                )
            until_id = self._pages[token][1]
        newest_first = sorted(self.mentions, key=lambda tweet: int(tweet["id"]), reverse=True)
        matching = [
            tweet
            for tweet in newest_first
            if (since_id is None or int(tweet["id"]) > int(since_id))
            and (until_id is None or int(tweet["id"]) < until_id)
        ]
        page = matching[:max_results]
        headers = self._rate_headers(self.remaining.get(endpoint, 449))
        if not page:
            return JSONResponse({"meta": {"result_count": 0}}, headers=headers)
        meta: dict[str, Any] = {
            "newest_id": page[0]["id"],
            "oldest_id": page[-1]["id"],
            "result_count": len(page),
        }
        if len(matching) > max_results:
            token = base64.b32encode(page[-1]["id"].encode()).decode().lower().rstrip("=")
            self._pages[token] = (since_id, int(page[-1]["id"]))
            meta["next_token"] = token
        authors = {tweet["author_id"] for tweet in page}
        users = [self.users[author] for author in sorted(authors) if author in self.users]
        return JSONResponse({"data": page, "includes": {"users": users}, "meta": meta}, headers=headers)

    async def _create_tweet(self, request: Request) -> Response:
        if refused := await self._answer(request, "tweets"):
            return refused
        body = json.loads(await request.body())
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return _problem(400, "Invalid Request", "One or more parameters to your request was invalid.")
        if body.get("reply", {}).get("in_reply_to_tweet_id") in self.deleted:
            return _problem(
                403, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you."
            )
        if any(tweet["text"] == text for tweet in self.tweets):
            return _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        tweet = {"id": str(next(self._ids)), "text": text, "reply": body.get("reply")}
        self.tweets.append(tweet)
        return JSONResponse(
            {"data": {"id": tweet["id"], "text": text, "edit_history_tweet_ids": [tweet["id"]]}},
            201,
            headers=self._rate_headers(self.remaining.get("tweets", 199)),
        )

    async def _send_dm(self, request: Request) -> Response:
        if refused := await self._answer(request, "dm"):
            return refused
        participant = request.path_params["participant_id"]
        body = json.loads(await request.body())
        event_id = str(next(self._ids))
        self.direct_messages.append({"participant_id": participant, "text": body.get("text"), "id": event_id})
        conversation = "-".join(sorted([BRAND_ID, participant], key=int))
        return JSONResponse(
            {"data": {"dm_conversation_id": conversation, "dm_event_id": event_id}},
            201,
            headers=self._rate_headers(self.remaining.get("dm", 199)),
        )


def _problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"title": title, "detail": detail, "type": "about:blank", "status": status}, status, headers=headers
    )


# Account Activity deliveries (API v1.1 objects), as X posts them to a webhook.


def signed(payload: dict[str, Any], consumer_secret: str = CONSUMER_SECRET) -> tuple[dict[str, str], bytes]:
    """The body X sends and its headers: `x-twitter-webhooks-signature` over the exact bytes."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    digest = hmac.new(consumer_secret.encode(), body, hashlib.sha256).digest()
    headers = {
        "content-type": "application/json; charset=utf-8",
        "x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode(),
    }
    return headers, body


def v1_user(user_id: str, screen_name: str, name: str, followers: int = 120) -> dict[str, Any]:
    return {
        "id": int(user_id),
        "id_str": user_id,
        "name": name,
        "screen_name": screen_name,
        "followers_count": followers,
        "friends_count": 80,
        "verified": False,
        "protected": False,
    }


def v1_tweet(
    tweet_id: str,
    user: dict[str, Any],
    text: str,
    *,
    in_reply_to: tuple[str, str, str] | None = None,  # (tweet id, user id, screen name)
    created_at: str = "Wed May 01 09:00:00 +0000 2024",
) -> dict[str, Any]:
    """A tweet object as `tweet_create_events` carries it."""
    reply_id, reply_user, reply_name = in_reply_to or (None, None, None)
    return {
        "created_at": created_at,
        "id": int(tweet_id),
        "id_str": tweet_id,
        "text": text,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "truncated": False,
        "in_reply_to_status_id": int(reply_id) if reply_id else None,
        "in_reply_to_status_id_str": reply_id,
        "in_reply_to_user_id": int(reply_user) if reply_user else None,
        "in_reply_to_user_id_str": reply_user,
        "in_reply_to_screen_name": reply_name,
        "user": user,
        "is_quote_status": False,
        "entities": {"hashtags": [], "urls": [], "user_mentions": [], "symbols": []},
        "lang": "en",
        "timestamp_ms": "1714554000000",
    }


def tweet_delivery(*tweets: dict[str, Any], for_user_id: str = BRAND_ID) -> dict[str, Any]:
    return {"for_user_id": for_user_id, "user_has_blocked": False, "tweet_create_events": list(tweets)}


def dm_delivery(
    event_id: str,
    sender: dict[str, Any],
    recipient: dict[str, Any],
    text: str,
    *,
    for_user_id: str = BRAND_ID,
    created_ms: str = "1714554000000",
) -> dict[str, Any]:
    """One `message_create` event with the `users` map X sends beside it."""
    profiles = {
        user["id_str"]: {
            "id": user["id_str"],
            "created_timestamp": "1422556069340",
            "name": user["name"],
            "screen_name": user["screen_name"],
            "protected": False,
            "verified": False,
            "followers_count": user["followers_count"],
            "friends_count": 80,
            "statuses_count": 500,
        }
        for user in (sender, recipient)
    }
    return {
        "for_user_id": for_user_id,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": event_id,
                "created_timestamp": created_ms,
                "message_create": {
                    "target": {"recipient_id": recipient["id_str"]},
                    "sender_id": sender["id_str"],
                    "source_app_id": "268278",
                    "message_data": {
                        "text": text,
                        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
                    },
                },
            }
        ],
        "apps": {"268278": {"id": "268278", "name": "Twitter Web Client", "url": "http://twitter.com"}},
        "users": profiles,
    }
