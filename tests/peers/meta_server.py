"""A Graph API stand-in on loopback, and webhook deliveries signed as Meta signs them.

The Graph side answers comment replies (`/{id}/comments`, Instagram's `/{id}/replies` and
`/{ig-user-id}/mentions`) and the Send API (`/{page-id}/messages`, by PSID or by comment id),
records what was sent, checks the bearer token and `appsecret_proof`, and enforces Meta's
rules with its documented errors: one Private Reply per comment (code 10900), within 7
days, and direct messages only inside the 24-hour window (code 10, subcode 2018278).
Tests script the next answers: rate limits with usage headers, 5xx, slow answers, an
expired token (code 190).

Deliveries are serialised the way Meta does it: ASCII-only JSON with \\u escapes and
escaped slashes, signed over those exact bytes.
"""

from __future__ import annotations

import asyncio
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

PAGE_ID = "104200000000001"
IG_ACCOUNT_ID = "17841400000000001"
PAGE_TOKEN = "meta-page-token-ok"
APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "meta-verify-token"
VERSION = "v19.0"


@dataclass
class Scripted:
    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    then_normal: bool = False


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    authorization: str | None
    body: Any


def graph_error(
    code: int, message: str, subcode: int | None = None, kind: str = "OAuthException", status: int = 400
) -> Scripted:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return Scripted(status, {"error": error})


class MetaPeer:
    """The stand-in's state: what customers wrote and when, what the Page sent, what comes next."""

    def __init__(self) -> None:
        self.tokens = {PAGE_TOKEN}
        self.comments_written: dict[str, datetime] = {}  # comment id -> when the customer wrote it
        self.last_customer_message: dict[str, datetime] = {}  # PSID/IGSID -> their latest message
        self.replies: list[dict[str, Any]] = []  # public comments posted: target, edge, message
        self.messages: list[dict[str, Any]] = []  # Send API bodies accepted
        self.seen: list[Seen] = []
        self._privately_answered: set[str] = set()
        self._script: deque[Scripted] = deque()
        self._ids = itertools.count(900_000_000_000_001)
        self._lock = threading.Lock()

    def script(self, *answers: Scripted) -> None:
        with self._lock:
            self._script.extend(answers)

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route(f"/{VERSION}/{{node}}/{{edge}}", self._post, methods=["POST"])])

    async def _post(self, request: Request) -> Response:
        node, edge = request.path_params["node"], request.path_params["edge"]
        body = json.loads(await request.body() or b"null")
        authorization = request.headers.get("authorization")
        with self._lock:
            self.seen.append(Seen(request.url.path, dict(request.query_params), authorization, body))
            scripted = self._script.popleft() if self._script else None
        if scripted is not None:
            await asyncio.sleep(scripted.delay_s)
            if not scripted.then_normal:
                return JSONResponse(scripted.body or {}, scripted.status, headers=scripted.headers)
        refused = self._refuse_credentials(authorization, request.query_params.get("appsecret_proof"))
        if refused is None and edge in ("comments", "replies", "mentions"):
            return self._reply_in_public(node, edge, body)
        if refused is None and edge == "messages":
            return self._send_message(node, body)
        answer = refused or graph_error(100, f"Unknown path components: /{edge}", kind="OAuthException")
        return JSONResponse(answer.body, answer.status)

    def _refuse_credentials(self, authorization: str | None, proof: str | None) -> Scripted | None:
        token = (authorization or "").removeprefix("Bearer ")
        if token not in self.tokens:
            return graph_error(190, "Error validating access token: Session has expired.", subcode=463)
        expected = hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
        if proof != expected:
            return graph_error(
                100, "Invalid appsecret_proof provided in the API argument", kind="GraphMethodException"
            )
        return None

    def _reply_in_public(self, node: str, edge: str, body: dict[str, Any]) -> Response:
        if not body.get("message"):
            return _error(graph_error(100, "(#100) The parameter message is required"))
        if edge == "comments" and node.startswith("gone"):
            return _error(graph_error(100, "Unsupported post request. Object does not exist", subcode=33))
        created = f"{node}_{next(self._ids)}" if edge == "comments" else str(next(self._ids))
        self.replies.append({"node": node, "edge": edge, **body, "id": created})
        return JSONResponse({"id": created})

    def _send_message(self, node: str, body: dict[str, Any]) -> Response:
        recipient = body.get("recipient") or {}
        now = datetime.now(UTC)
        if "comment_id" in recipient:
            comment = recipient["comment_id"]
            if comment in self._privately_answered:
                return _error(graph_error(10900, "Activity already replied to", kind="OAuthException"))
            written = self.comments_written.get(comment)
            if written is None or now - written > timedelta(days=7):
                return _error(
                    graph_error(10, "(#10) This message is sent outside of allowed window.", 2018278)
                )
            self._privately_answered.add(comment)
        else:
            if body.get("messaging_type") != "RESPONSE":
                return _error(graph_error(100, "(#100) messaging_type is required"))
            last = self.last_customer_message.get(recipient.get("id", ""))
            if last is None:
                return _error(graph_error(100, "(#100) No matching user found", 2018001))
            if now - last > timedelta(hours=24):
                return _error(
                    graph_error(10, "(#10) This message is sent outside of allowed window.", 2018278)
                )
        message_id = f"m_{next(self._ids)}"
        self.messages.append({"node": node, **body, "message_id": message_id})
        return JSONResponse({"recipient_id": recipient.get("id", "1234567890"), "message_id": message_id})


def _error(answer: Scripted) -> JSONResponse:
    return JSONResponse(answer.body, answer.status)


# Webhook deliveries


def meta_bytes(payload: dict[str, Any]) -> bytes:
    """Meta's serialisation: ASCII with \\u escapes, and "/" written as "\\/"."""
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def signed(payload: dict[str, Any], app_secret: str = APP_SECRET) -> tuple[dict[str, str], bytes]:
    body = meta_bytes(payload)
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"content-type": "application/json", "x-hub-signature-256": f"sha256={digest}"}, body


def delivery(surface: str, *entries: dict[str, Any]) -> dict[str, Any]:
    """`surface` is Meta's `object`: "page" or "instagram"."""
    return {"object": surface, "entry": list(entries)}


def messaging_entry(owner_id: str, *events: dict[str, Any], time_ms: int = 1714554000000) -> dict[str, Any]:
    return {"id": owner_id, "time": time_ms, "messaging": list(events)}


def changes_entry(owner_id: str, *changes: dict[str, Any], time_s: int = 1714554000) -> dict[str, Any]:
    return {"id": owner_id, "time": time_s, "changes": list(changes)}


def message_event(
    customer: str,
    owner_id: str,
    mid: str,
    text: str | None,
    *,
    timestamp_ms: int = 1714554000000,
    reply_to: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {"mid": mid}
    if text is not None:
        message["text"] = text
    if reply_to:
        message["reply_to"] = {"mid": reply_to}
    if attachments:
        message["attachments"] = attachments
    return {
        "sender": {"id": customer},
        "recipient": {"id": owner_id},
        "timestamp": timestamp_ms,
        "message": message,
    }


def echo_event(owner_id: str, customer: str, mid: str, text: str) -> dict[str, Any]:
    return {
        "sender": {"id": owner_id},
        "recipient": {"id": customer},
        "timestamp": 1714554060000,
        "message": {"is_echo": True, "app_id": 1517776481860111, "mid": mid, "text": text},
    }


def delivery_receipt(customer: str, owner_id: str, mid: str) -> dict[str, Any]:
    return {
        "sender": {"id": customer},
        "recipient": {"id": owner_id},
        "delivery": {"mids": [mid], "watermark": 1714554070000},
    }


def read_receipt(customer: str, owner_id: str) -> dict[str, Any]:
    return {
        "sender": {"id": customer},
        "recipient": {"id": owner_id},
        "timestamp": 1714554080000,
        "read": {"watermark": 1714554070000},
    }


def feed_comment(
    comment_id: str,
    author: tuple[str, str],
    text: str,
    *,
    post_id: str = f"{PAGE_ID}_555000000000001",
    parent_id: str | None = None,
    created_time: int = 1714554000,
    verb: str = "add",
) -> dict[str, Any]:
    """A Page `feed` change for a comment, as recorded from Meta's sample payloads."""
    return {
        "field": "feed",
        "value": {
            "from": {"id": author[0], "name": author[1]},
            "post": {
                "status_type": "added_photos",
                "is_published": True,
                "updated_time": "2024-05-01T09:00:00+0000",
                "permalink_url": f"https://www.facebook.com/{post_id}",
                "promotion_status": "inactive",
                "id": post_id,
            },
            "message": text,
            "post_id": post_id,
            "comment_id": comment_id,
            "created_time": created_time,
            "item": "comment",
            "parent_id": parent_id or post_id,
            "verb": verb,
        },
    }


def instagram_comment(
    comment_id: str,
    author: tuple[str, str],
    text: str,
    *,
    media_id: str = "17900000000000001",
    parent_id: str | None = None,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "from": {"id": author[0], "username": author[1]},
        "media": {"id": media_id, "media_product_type": "FEED"},
        "id": comment_id,
        "text": text,
    }
    if parent_id:
        value["parent_id"] = parent_id
    return {"field": "comments", "value": value}


def instagram_mention(media_id: str, comment_id: str | None = None) -> dict[str, Any]:
    value = {"media_id": media_id}
    if comment_id:
        value["comment_id"] = comment_id
    return {"field": "mentions", "value": value}
