"""Meta's webhook handshake and signature, for Page and Instagram subscriptions alike."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from caredesk.connectors.base import InvalidSignature, WebhookReply

SIGNATURE_HEADER = "x-hub-signature-256"


def subscription_reply(verify_token: str | None, query: Mapping[str, str]) -> WebhookReply:
    """Answer Meta's verification GET: the raw challenge if the verify token matches, else 403."""
    offered = query.get("hub.verify_token", "")
    if (
        query.get("hub.mode") != "subscribe"
        or not verify_token
        or not hmac.compare_digest(offered.encode(), verify_token.encode())
    ):
        return WebhookReply(403, "verification refused")
    challenge = query.get("hub.challenge", "")
    if not challenge or not challenge.isprintable():
        return WebhookReply(400, "hub.challenge is missing")
    return WebhookReply(200, challenge, media_type="text/plain")


def signature(app_secret: str, body: bytes) -> str:
    """Meta's signature of `body`: "sha256=" + hex HMAC-SHA256 with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def check_signature(app_secret: str | None, headers: Mapping[str, str], body: bytes) -> None:
    """Refuse `body` unless it carries Meta's signature of exactly these bytes.

    Meta signs its own serialisation (non-ASCII as \\u escapes, "/" as "\\/"): a body parsed and
    written again differs, so only the raw bytes as received can verify.
    """
    if not app_secret:
        raise InvalidSignature("no app secret is configured: refusing unverifiable deliveries")
    received = headers.get(SIGNATURE_HEADER)
    if not received:
        raise InvalidSignature(f"{SIGNATURE_HEADER} is missing")
    if not hmac.compare_digest(received.strip().lower().encode(), signature(app_secret, body).encode()):
        raise InvalidSignature(f"{SIGNATURE_HEADER} does not match the body")
