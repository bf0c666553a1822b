"""Bluesky posts as Caredesk sees them: pure functions, no I/O.

A post is the record `app.bsky.feed.post` in its author's repository, named by its
`at://<author DID>/app.bsky.feed.post/<record key>` URI (Caredesk's network message id) and
pinned to one version by its CID. A reply names its thread's first post (`reply.root`) and
the post it answers (`reply.parent`), each as `{uri, cid}`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import libipld

from caredesk.connectors.base import Permanent
from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.models.enums import Direction, Visibility

NETWORK_NAME = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
MENTION_FEATURE = "app.bsky.richtext.facet#mention"

_DID = r"did:[a-z]+:[a-zA-Z0-9._:%-]{1,2000}"
_POST_URI = re.compile(rf"^at://({_DID})/{re.escape(POST_COLLECTION)}/([a-zA-Z0-9._~:-]{{1,512}})$")
_IS_DID = re.compile(rf"^{_DID}$")


@dataclass(frozen=True, slots=True)
class PostRef:
    """One post: its author's DID and record key; `uri` is its network message id."""

    did: str
    rkey: str

    @property
    def uri(self) -> str:
        return f"at://{self.did}/{POST_COLLECTION}/{self.rkey}"


def post_ref(uri: str) -> PostRef:
    """The post named by `uri`; `Permanent` for anything else (a Caredesk bug or bad data)."""
    match = _POST_URI.match(uri)
    if match is None:
        raise Permanent(f"{uri[:120]!r} is not the at:// URI of a Bluesky post")
    return PostRef(match.group(1), match.group(2))


def is_post_uri(value: object) -> bool:
    return isinstance(value, str) and _POST_URI.match(value) is not None


def is_did(value: object) -> bool:
    return isinstance(value, str) and _IS_DID.match(value) is not None


def strong_ref(value: object) -> dict[str, str] | None:
    """`value` as a `{uri, cid}` reference to a post, or None when it is not one."""
    if not isinstance(value, Mapping):
        return None
    uri, cid = value.get("uri"), value.get("cid")
    if not isinstance(uri, str) or not isinstance(cid, str) or not cid or _POST_URI.match(uri) is None:
        return None
    return {"uri": uri, "cid": cid}


def reply_refs(parent_uri: str, parent_cid: str, parent_record: Mapping[str, Any]) -> dict[str, Any]:
    """The `reply` field of a post answering the given post: the thread's root is kept from
    the parent's own `reply.root`, or is the parent itself when it started the thread."""
    parent = {"uri": parent_uri, "cid": parent_cid}
    reply = parent_record.get("reply")
    root = strong_ref(reply.get("root")) if isinstance(reply, Mapping) else None
    return {"root": root or parent, "parent": parent}


def post_record(text: str, now: datetime, reply: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A new post record; the server checks its length (300 graphemes) and answers why."""
    record: dict[str, Any] = {"$type": POST_COLLECTION, "text": text, "createdAt": iso_time(now)}
    if reply is not None:
        record["reply"] = dict(reply)
    return record


def iso_time(moment: datetime) -> str:
    """AT Protocol datetimes: UTC, milliseconds, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(value: object) -> datetime | None:
    """A timezone-aware datetime from an AT Protocol datetime string, or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def mentioned_dids(record: Mapping[str, Any]) -> frozenset[str]:
    """DIDs the post mentions through `app.bsky.richtext.facet#mention` facets.

    Only facets count: the text `@acme.com` without a facet is not a mention on Bluesky.
    """
    facets = record.get("facets")
    if not isinstance(facets, list):
        return frozenset()
    found: set[str] = set()
    for facet in facets:
        features = facet.get("features") if isinstance(facet, Mapping) else None
        for feature in features if isinstance(features, list) else ():
            if isinstance(feature, Mapping) and feature.get("$type") == MENTION_FEATURE:
                did = feature.get("did")
                if isinstance(did, str) and is_did(did):
                    found.add(did)
    return frozenset(found)


def parent_uri(record: Mapping[str, Any]) -> str | None:
    reply = record.get("reply")
    parent = strong_ref(reply.get("parent")) if isinstance(reply, Mapping) else None
    return parent["uri"] if parent else None


def inbound_post(
    uri: str,
    cid: str,
    record: Mapping[str, Any],
    seen_at: datetime | None,
    author_handle: str | None = None,
) -> InboundMessage | None:
    """A post as Caredesk's inbound message, or None when the record is not a readable post.

    `created_at` is when the author's server sequenced the post (`seen_at`), falling back to
    the record's own `createdAt`, which the author's app chooses and may backdate.
    """
    text = record.get("text")
    created_at = seen_at or parse_time(record.get("createdAt"))
    if not isinstance(text, str) or created_at is None:
        return None
    ref = post_ref(uri)
    try:
        return InboundMessage(
            network=NETWORK_NAME,
            network_message_id=uri,
            direction=Direction.INBOUND,
            visibility=Visibility.PUBLIC,
            text=text,
            created_at=created_at,
            customer=Author(platform_user_id=ref.did, handle=author_handle),
            reply_to_network_id=parent_uri(record),
            raw={"uri": uri, "cid": cid, "record": json_safe(record)},
        )
    except ValueError:
        return None


def json_safe(value: Any) -> Any:
    """A decoded DAG-CBOR value in the AT Protocol's JSON form, for storage as raw.

    DAG-CBOR links decode to bare CID bytes: bytes that read as a CID become `{"$link"}`,
    other bytes `{"$bytes"}` (base64).
    """
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    if isinstance(value, bytes):
        if value[:1] == b"\x01":
            try:
                return {"$link": libipld.encode_cid(value)}
            except ValueError:
                pass
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    return value
