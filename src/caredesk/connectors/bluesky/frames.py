"""Decoding one message of `com.atproto.sync.subscribeRepos`: pure, no I/O.

Each WebSocket message is two DAG-CBOR objects back to back: a header `{op, t}` and a body.
`op: 1` is an event named by `t` (`#commit`, `#identity`, `#account`, `#sync`, `#info`);
`op: -1` is an error after which the server closes the stream. A `#commit` carries its
repository's changed blocks as a CAR file; the records of created posts are read from it.
Anything unreadable is `MalformedFrame`, which the reader logs and skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import libipld

from caredesk.connectors.base import MalformedEvent
from caredesk.connectors.bluesky.posts import POST_COLLECTION, is_did, is_post_uri, parse_time

_POST_PREFIX = POST_COLLECTION + "/"


class MalformedFrame(MalformedEvent):
    """A firehose message that cannot be decoded."""


@dataclass(frozen=True, slots=True)
class CreatedPost:
    """A post record created in a commit."""

    uri: str
    cid: str
    record: dict[str, Any]
    seen_at: datetime | None  # when the author's server sequenced the commit


@dataclass(frozen=True, slots=True)
class Event:
    """One firehose event: its sequence number (the cursor) and what Caredesk uses of it."""

    seq: int
    posts: tuple[CreatedPost, ...] = ()
    handle_of: tuple[str, str] | None = None  # (DID, handle) from an #identity event
    skipped_posts: int = 0  # created posts without a readable record in the commit's blocks


@dataclass(frozen=True, slots=True)
class StreamError:
    """The server's last word before it closes the stream (`FutureCursor`, `ConsumerTooSlow`)."""

    error: str
    message: str


def decode_frame(data: bytes) -> Event | StreamError | None:
    """The event in one message; None for an event kind Caredesk does not use."""
    try:
        parts = libipld.decode_dag_cbor_multi(data)
    except (ValueError, RecursionError) as error:
        raise MalformedFrame(f"not DAG-CBOR: {error}") from None
    if len(parts) != 2 or not isinstance(parts[0], dict) or not isinstance(parts[1], dict):
        raise MalformedFrame("expected a header and a body")
    header, body = parts
    if header.get("op") == -1:
        return StreamError(str(body.get("error", "unknown")), str(body.get("message", "")))
    if header.get("op") != 1:
        raise MalformedFrame(f"unknown op {header.get('op')!r}")
    kind = header.get("t")
    seq = body.get("seq")
    if kind == "#info":
        return None  # e.g. OutdatedCursor: informational, has no seq
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise MalformedFrame(f"{kind} event without a seq")
    if kind == "#commit":
        return _commit(seq, body)
    if kind == "#identity":
        did, handle = body.get("did"), body.get("handle")
        if is_did(did) and isinstance(handle, str) and handle:
            return Event(seq, handle_of=(did, handle))
    return Event(seq)


def _commit(seq: int, body: dict[str, Any]) -> Event:
    repo, ops = body.get("repo"), body.get("ops")
    if not is_did(repo) or not isinstance(ops, list):
        raise MalformedFrame(f"commit {seq} without its repo or ops")
    created = [
        op
        for op in ops
        if isinstance(op, dict)
        and op.get("action") == "create"
        and isinstance(op.get("path"), str)
        and op["path"].startswith(_POST_PREFIX)
        and isinstance(op.get("cid"), bytes)
    ]
    if not created:
        return Event(seq)  # likes, follows, deletions: the CAR is not worth decoding
    blocks = body.get("blocks")
    if not isinstance(blocks, bytes):
        raise MalformedFrame(f"commit {seq} without blocks")
    try:
        _, records = libipld.decode_car(blocks)
        cids = [libipld.encode_cid(op["cid"]) for op in created]
    except (ValueError, RecursionError) as error:
        raise MalformedFrame(f"commit {seq}: unreadable blocks: {error}") from None
    seen_at = parse_time(body.get("time"))
    posts = []
    for op, cid in zip(created, cids, strict=True):
        uri, record = f"at://{repo}/{op['path']}", records.get(op["cid"])
        if is_post_uri(uri) and isinstance(record, dict) and record.get("$type") == POST_COLLECTION:
            posts.append(CreatedPost(uri, cid, record, seen_at))
    return Event(seq, posts=tuple(posts), skipped_posts=len(created) - len(posts))
