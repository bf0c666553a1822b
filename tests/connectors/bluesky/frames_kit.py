"""Firehose messages built to the wire format: DAG-CBOR header + body, records in a CAR.

Tests use them to send what a relay may send (and what it should not) without a relay.
"""

from __future__ import annotations

import hashlib
from typing import Any

import libipld


def cid_of(block: bytes) -> bytes:
    """The CIDv1 (dag-cbor, sha2-256) of a block, in the binary form DAG-CBOR links take."""
    return b"\x01\x71\x12\x20" + hashlib.sha256(block).digest()


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        out.append(byte | (0x80 if number else 0))
        if not number:
            return bytes(out)


def car(blocks: list[bytes]) -> bytes:
    """A CAR v1 file holding `blocks`, rooted at the first."""
    root = b"\x00" + cid_of(blocks[0])  # tag 42 holds the CID behind a 0x00 multibase byte
    header = b"\xa2\x65roots\x81\xd8\x2a\x58" + bytes([len(root)]) + root + b"\x67version\x01"
    out = _varint(len(header)) + header
    for block in blocks:
        cid = cid_of(block)
        out += _varint(len(cid) + len(block)) + cid + block
    return out


def frame(kind: str, body: dict[str, Any]) -> bytes:
    return libipld.encode_dag_cbor({"op": 1, "t": kind}) + libipld.encode_dag_cbor(body)


def error_frame(error: str, message: str = "") -> bytes:
    return libipld.encode_dag_cbor({"op": -1}) + libipld.encode_dag_cbor({"error": error, "message": message})


def post_record(text: str, mentions: tuple[str, ...] = (), parent: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2026-11-23T03:00:00.000Z",
    }
    if mentions:
        record["facets"] = [
            {
                "index": {"byteStart": 0, "byteEnd": 1},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did} for did in mentions],
            }
        ]
    if parent is not None:
        ref = {"uri": parent, "cid": "bafyreiparent"}
        record["reply"] = {"root": ref, "parent": ref}
    return record


def commit_frame(
    seq: int, repo: str, posts: dict[str, dict[str, Any]], time: str = "2026-11-23T03:00:01.000Z"
) -> bytes:
    """A #commit by `repo` creating `posts` (record key → record)."""
    blocks = [libipld.encode_dag_cbor(record) for record in posts.values()]
    ops = [
        {"action": "create", "path": f"app.bsky.feed.post/{rkey}", "cid": cid_of(block)}
        for rkey, block in zip(posts, blocks, strict=True)
    ]
    commit_block = libipld.encode_dag_cbor({"did": repo, "version": 3})
    return frame(
        "#commit",
        {
            "seq": seq,
            "repo": repo,
            "ops": ops,
            "blocks": car([commit_block, *blocks]),
            "time": time,
            "rebase": False,
            "tooBig": False,
            "blobs": [],
        },
    )
