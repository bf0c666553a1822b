"""Sending on Bluesky: public replies as posts in the customer's thread.

A reply needs the CIDs of the post it answers and of its thread's root. They come from the
answered post's stored raw payload when it has them (posts read from the firehose do), else
from `com.atproto.repo.getRecord`, which any PDS answers without the AppView.

Direct messages are refused: Bluesky's chat service is closed and has no API that a
self-hosted server can be tested against, so a private reply is `Permanent`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from caredesk.clock import utcnow
from caredesk.connectors.base import AccountConfig, OutboundReply, Permanent, Transient
from caredesk.connectors.bluesky.posts import (
    NETWORK_NAME,
    POST_COLLECTION,
    post_record,
    post_ref,
    reply_refs,
    strong_ref,
)
from caredesk.connectors.bluesky.session import Session, Sessions
from caredesk.connectors.bluesky.xrpc import Xrpc, new_http_client

DEFAULT_SERVICE = "https://bsky.social"

PRIVATE_REFUSED = (
    "Bluesky direct messages go through Bluesky's own chat service, which has no open "
    "implementation or documented server API Caredesk can deliver to: answer in public "
    "and ask the customer to continue in the Bluesky app"
)


class BlueskyConnector:
    """Sends one brand account's replies. `http` is injected, or made per send."""

    network = NETWORK_NAME

    def __init__(self, account: AccountConfig, sessions: Sessions, http: httpx.Client | None = None) -> None:
        self.account = account
        self._sessions = sessions
        self._http = http

    @property
    def service(self) -> str:
        return self.account.settings.get("service") or DEFAULT_SERVICE

    def send(self, reply: OutboundReply) -> str:
        """Post `reply` as the brand; return the new post's at:// URI."""
        if reply.visibility != "public":
            raise Permanent(PRIVATE_REFUSED)
        if not reply.text.strip():
            raise Permanent("an empty Bluesky post cannot be sent")
        if self._http is not None:
            return self._send(reply, Xrpc(self.service, self._http))
        with new_http_client() as http:
            return self._send(reply, Xrpc(self.service, http))

    def _send(self, reply: OutboundReply, xrpc: Xrpc) -> str:
        thread = None
        if reply.reply_to_network_id is not None:
            uri, cid, record = self._answered_post(xrpc, reply.reply_to_network_id, reply.reply_to_raw)
            thread = reply_refs(uri, cid, record)
        new_post = post_record(reply.text, utcnow(), thread)

        def create(session: Session) -> dict[str, Any]:
            return xrpc.procedure(
                "com.atproto.repo.createRecord",
                {"repo": session.did, "collection": POST_COLLECTION, "record": new_post},
                token=session.access_jwt,
            )

        created = self._sessions.call(xrpc, self.account, create)
        new_uri = created.get("uri")
        if not isinstance(new_uri, str) or not new_uri:
            raise Transient("bluesky createRecord answered without the new post's uri")
        return new_uri

    def _answered_post(
        self, xrpc: Xrpc, uri: str, raw: Mapping[str, Any] | None
    ) -> tuple[str, str, Mapping[str, Any]]:
        """The answered post's URI, CID and record, from `raw` when it is that post's."""
        ref = post_ref(uri)
        if raw is not None and raw.get("uri") == uri:
            stored = strong_ref(raw)
            record = raw.get("record")
            if stored is not None and isinstance(record, Mapping):
                return uri, stored["cid"], record
        try:
            found = xrpc.query(
                "com.atproto.repo.getRecord",
                {"repo": ref.did, "collection": POST_COLLECTION, "rkey": ref.rkey},
            )
        except Permanent as error:
            raise Permanent(f"the post answered ({uri}) cannot be read, it may be deleted: {error}") from None
        cid, record = found.get("cid"), found.get("value")
        if not isinstance(cid, str) or not isinstance(record, Mapping):
            raise Transient(f"bluesky getRecord answered {uri} without its cid and record")
        return uri, cid, record
