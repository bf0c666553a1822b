"""A Mastodon instance on loopback that speaks the REST API's wire format, for connector tests.

It is a real HTTP server (Starlette under uvicorn, in a thread, on an ephemeral port) with
the documented behaviour the connector relies on: bearer tokens (invalid and revoked ones
answer 401, a token without write scope 403), `GET /api/v1/notifications` with `types[]`,
`max_id`/`since_id`/`min_id`/`limit` and `Link` headers, `POST /api/v1/statuses` with its
validation (500 characters, unknown `in_reply_to_id` → 404) and `Idempotency-Key` dedupe,
`GET /api/v1/accounts/:id`, and `X-RateLimit-*` headers (reset as ISO 8601) on every answer.
Tests script the next answers: a 429, a 5xx, a slow answer, a redirect, invalid JSON, or a
status that is created and then answered with a 5xx (the crash-after-accept case).
Payload shapes follow the recorded examples in Mastodon's API documentation.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

RATE_LIMIT = 300


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class Scripted:
    """An answer the server gives instead of the normal one: `kind` is one of
    "429", "5xx", "slow", "redirect", "garbage", "deep", "post-then-5xx"."""

    kind: str
    seconds: float = 0.0
    location: str = ""


@dataclass
class MastodonServer:
    domain: str = "cares.test"
    url: str = ""
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)  # for every account
    tokens: dict[str, str] = field(default_factory=dict)  # token → account id
    revoked: set[str] = field(default_factory=set)
    read_only: set[str] = field(default_factory=set)
    requests: list[Recorded] = field(default_factory=list)
    scripted: deque[Scripted] = field(default_factory=deque)
    idempotency: dict[tuple[str, str], str] = field(default_factory=dict)
    rate_remaining: int = RATE_LIMIT
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(109_000_000_000_000_000))

    # State, set up by tests --------------------------------------------------------------

    def add_account(self, username: str, *, remote_domain: str | None = None, followers: int = 10) -> str:
        """Create an account and return its id; `remote_domain` makes it another instance's user."""
        with self.lock:
            account_id = self._next_id()
            acct = f"{username}@{remote_domain}" if remote_domain else username
            self.accounts[account_id] = {
                "id": account_id,
                "username": username,
                "acct": acct,
                "display_name": username.title(),
                "locked": False,
                "bot": False,
                "created_at": "2022-11-02T00:00:00.000Z",
                "note": "<p>Just a customer</p>",
                "url": f"https://{remote_domain or self.domain}/@{username}",
                "avatar": f"https://{self.domain}/avatars/original/missing.png",
                "followers_count": followers,
                "following_count": 3,
                "statuses_count": 42,
                "last_status_at": "2024-05-01",
                "emojis": [],
                "fields": [],
            }
            return account_id

    def grant(self, account_id: str, token: str, *, write: bool = True) -> None:
        with self.lock:
            self.tokens[token] = account_id
            if not write:
                self.read_only.add(token)

    def mention(
        self,
        author_id: str,
        brand_id: str,
        content: str,
        *,
        visibility: str = "public",
        in_reply_to_id: str | None = None,
        spoiler_text: str = "",
    ) -> dict[str, Any]:
        """`author_id` posts `content` (HTML) mentioning the brand; the brand gets a notification."""
        with self.lock:
            status = self._status(author_id, content, visibility, in_reply_to_id, spoiler_text)
            brand = self.accounts[brand_id]
            status["mentions"] = [
                {"id": brand_id, "username": brand["username"], "url": brand["url"], "acct": brand["acct"]}
            ]
            self.notifications.append(
                {
                    "id": self._next_id(),
                    "type": "mention",
                    "created_at": status["created_at"],
                    "account": self.accounts[author_id],
                    "status": status,
                    "for": brand_id,
                }
            )
            return status

    def follow(self, follower_id: str, brand_id: str) -> None:
        """A notification that is not a mention, which the connector must not ask for."""
        with self.lock:
            self.notifications.append(
                {
                    "id": self._next_id(),
                    "type": "follow",
                    "created_at": _iso(datetime.now(UTC)),
                    "account": self.accounts[follower_id],
                    "for": brand_id,
                }
            )

    def script(self, *answers: Scripted) -> None:
        with self.lock:
            self.scripted.extend(answers)

    def statuses_by(self, account_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [status for status in self.statuses.values() if status["account"]["id"] == account_id]

    # Internals ----------------------------------------------------------------------------

    def _next_id(self) -> str:
        return str(next(self._ids))

    def _status(
        self, author_id: str, content: str, visibility: str, in_reply_to_id: str | None, spoiler_text: str
    ) -> dict[str, Any]:
        status_id = self._next_id()
        author = self.accounts[author_id]
        replied = self.statuses.get(in_reply_to_id) if in_reply_to_id else None
        status: dict[str, Any] = {
            "id": status_id,
            "created_at": _iso(datetime.now(UTC)),
            "in_reply_to_id": in_reply_to_id,
            "in_reply_to_account_id": replied["account"]["id"] if replied else None,
            "sensitive": bool(spoiler_text),
            "spoiler_text": spoiler_text,
            "visibility": visibility,
            "language": "en",
            "uri": f"https://{self.domain}/users/{author['username']}/statuses/{status_id}",
            "url": f"https://{self.domain}/@{author['username']}/{status_id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "content": content,
            "reblog": None,
            "application": None,
            "account": author,
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        self.statuses[status_id] = status
        return status


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _error(status: int, text: str) -> JSONResponse:
    return JSONResponse({"error": text}, status_code=status)


def build_app(server: MastodonServer) -> Starlette:
    async def answer(request: Request, handler: Any) -> Response:
        form: dict[str, str] = {}
        if request.method == "POST":
            if request.headers.get("content-type", "").startswith("application/json"):
                form = {key: str(value) for key, value in (await request.json()).items()}
            else:
                form = {key: str(value) for key, value in (await request.form()).items()}
        with server.lock:
            server.requests.append(
                Recorded(
                    request.method,
                    request.url.path,
                    list(request.query_params.multi_items()),
                    dict(request.headers),
                    form,
                )
            )
            scripted = server.scripted.popleft() if server.scripted else None
        reset = datetime.now(UTC) + timedelta(minutes=5)
        if scripted is not None and scripted.kind == "slow":
            await asyncio.sleep(scripted.seconds)
        elif scripted is not None and scripted.kind != "post-then-5xx":
            return _scripted_answer(scripted)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with server.lock:
            account_id = server.tokens.get(token)
            if account_id is None:
                return _error(401, "The access token is invalid")
            if token in server.revoked:
                return _error(401, "The access token was revoked")
            if request.method == "POST" and token in server.read_only:
                return _error(403, "This action is outside the authorized scopes")
            server.rate_remaining = max(server.rate_remaining - 1, 0)
            remaining = server.rate_remaining
            response: Response = handler(server, request, account_id, form)
        response.headers["X-RateLimit-Limit"] = str(RATE_LIMIT)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = _iso(reset)
        if scripted is not None and scripted.kind == "post-then-5xx":
            return _error(503, "Service Unavailable")
        return response

    def route(path: str, handler: Any, method: str) -> Route:
        async def endpoint(request: Request) -> Response:
            return await answer(request, handler)

        return Route(path, endpoint, methods=[method])

    return Starlette(
        routes=[
            route("/api/v1/notifications", _notifications, "GET"),
            route("/api/v1/statuses", _post_status, "POST"),
            route("/api/v1/accounts/{account_id}", _account, "GET"),
        ]
    )


def _scripted_answer(scripted: Scripted) -> Response:
    if scripted.kind == "429":
        reset = datetime.now(UTC) + timedelta(seconds=scripted.seconds)
        response = _error(429, "Too many requests")
        response.headers["X-RateLimit-Limit"] = str(RATE_LIMIT)
        response.headers["X-RateLimit-Remaining"] = "0"
        response.headers["X-RateLimit-Reset"] = _iso(reset)
        return response
    if scripted.kind == "5xx":
        return Response("<html><body>502 Bad Gateway</body></html>", status_code=502, media_type="text/html")
    if scripted.kind == "redirect":
        return Response(status_code=302, headers={"Location": scripted.location})
    if scripted.kind == "garbage":
        return Response("{not json", status_code=200, media_type="application/json")
    if scripted.kind == "deep":
        return Response("[" * 100_000 + "]" * 100_000, status_code=200, media_type="application/json")
    raise AssertionError(f"unknown scripted answer {scripted.kind}")


def _notifications(
    server: MastodonServer, request: Request, account_id: str, form: dict[str, str]
) -> Response:
    query = request.query_params
    types = set(query.getlist("types[]"))
    limit = min(int(query.get("limit", "40")), 80)
    mine = [n for n in server.notifications if n["for"] == account_id and (not types or n["type"] in types)]
    if "max_id" in query:
        mine = [n for n in mine if int(n["id"]) < int(query["max_id"])]
    if "since_id" in query:
        mine = [n for n in mine if int(n["id"]) > int(query["since_id"])]
    if "min_id" in query:
        # Mastodon pages from just after min_id, upwards, and still answers newest first.
        mine = [n for n in mine if int(n["id"]) > int(query["min_id"])]
        mine = sorted(mine, key=lambda n: int(n["id"]))[:limit]
        page = sorted(mine, key=lambda n: int(n["id"]), reverse=True)
    else:
        page = sorted(mine, key=lambda n: int(n["id"]), reverse=True)[:limit]
    body = [{key: value for key, value in n.items() if key != "for"} for n in page]
    response = JSONResponse(body)
    if page:
        base = f"{server.url}/api/v1/notifications"
        kept = [(key, value) for key, value in query.multi_items() if key in ("types[]", "limit")]
        next_url = f"{base}?{urlencode([*kept, ('max_id', page[-1]['id'])])}"
        prev_url = f"{base}?{urlencode([*kept, ('min_id', page[0]['id'])])}"
        response.headers["Link"] = f'<{next_url}>; rel="next", <{prev_url}>; rel="prev"'
    return response


def _post_status(server: MastodonServer, request: Request, account_id: str, form: dict[str, str]) -> Response:
    key = request.headers.get("idempotency-key")
    if key and (account_id, key) in server.idempotency:
        return JSONResponse(server.statuses[server.idempotency[(account_id, key)]])
    text = form.get("status", "")
    if not text.strip():
        return _error(422, "Validation failed: Text can't be blank")
    if len(text) > 500:
        return _error(422, "Validation failed: Text character limit of 500 exceeded")
    visibility = form.get("visibility", "public")
    if visibility not in ("public", "unlisted", "private", "direct"):
        return _error(422, "Validation failed: Visibility is not included in the list")
    in_reply_to_id = form.get("in_reply_to_id") or None
    if in_reply_to_id is not None and in_reply_to_id not in server.statuses:
        return _error(404, "Record not found")
    content = "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"
    status = server._status(account_id, content, visibility, in_reply_to_id, form.get("spoiler_text", ""))
    status["mentions"] = [
        {"id": other["id"], "username": other["username"], "url": other["url"], "acct": other["acct"]}
        for other in server.accounts.values()
        if f"@{other['acct']}" in text
    ]
    if key:
        server.idempotency[(account_id, key)] = status["id"]
    return JSONResponse(status)


def _account(server: MastodonServer, request: Request, account_id: str, form: dict[str, str]) -> Response:
    account = server.accounts.get(request.path_params["account_id"])
    if account is None:
        return _error(404, "Record not found")
    return JSONResponse(account)


class RunningServer:
    """`MastodonServer` served on 127.0.0.1 in a background thread until `stop`."""

    def __init__(self, server: MastodonServer) -> None:
        self.state = server
        config = uvicorn.Config(
            build_app(server),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._uvicorn = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._uvicorn.run, name="mastodon-peer", daemon=True)

    def start(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._uvicorn.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Mastodon test server did not start")
            time.sleep(0.01)
        port = self._uvicorn.servers[0].sockets[0].getsockname()[1]
        self.state.url = f"http://127.0.0.1:{port}"
        return self.state.url

    def stop(self) -> None:
        self._uvicorn.should_exit = True
        self._thread.join(timeout=5)
