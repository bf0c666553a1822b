"""A real PDS on loopback for tests, and the few XRPC calls tests make as Bluesky users.

`start_pds(directory)` runs `scripts/atproto-pds start` (installing into the cache first if
needed); the `pds` fixture in conftest.py wraps it for a whole session. The helpers below
act as the customer or as the brand on the Bluesky side, with plain httpx: they are the
network, not the code under test.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from caredesk.connectors.base import AccountConfig

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "atproto-pds"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class LocalPds:
    url: str
    plc_url: str
    admin_password: str
    directory: Path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=15)


@dataclass(frozen=True)
class User:
    """A Bluesky account on the local PDS, logged in."""

    did: str
    handle: str
    password: str
    access_jwt: str


@dataclass(frozen=True)
class Post:
    uri: str
    cid: str


def start_pds(directory: Path) -> LocalPds:
    """Start PLC + PDS with data in `directory`; raise RuntimeError with the log if it fails."""
    result = subprocess.run(
        [str(SCRIPT), "start", str(directory)], capture_output=True, text=True, check=False, timeout=900
    )
    if result.returncode != 0:
        raise RuntimeError(f"scripts/atproto-pds start failed:\n{result.stderr[-3000:]}")
    state = json.loads((directory / "pds.json").read_text())
    return LocalPds(state["pds"], state["plc"], state["adminPassword"], directory)


def stop_pds(directory: Path) -> None:
    subprocess.run([str(SCRIPT), "stop", str(directory)], capture_output=True, check=False, timeout=60)


def xrpc(pds: LocalPds, method: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    """One call as a user; a GET when `body` is None. Raises on any error answer."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    with pds.client() as http:
        if body is None:
            response = http.get(f"/xrpc/{method}", headers=headers)
        else:
            response = http.post(f"/xrpc/{method}", json=body, headers=headers)
    response.raise_for_status()
    return response.json() if response.content else None


def create_user(pds: LocalPds, name: str) -> User:
    """A new account `<name>-<n>.test` (handles are unique per PDS, tests share one)."""
    handle = f"{name}-{next(_numbers)}.test"
    password = f"password-of-{handle}"
    answer = xrpc(
        pds,
        "com.atproto.server.createAccount",
        {"handle": handle, "email": f"{handle}@example.com", "password": password},
    )
    return User(answer["did"], handle, password, answer["accessJwt"])


def create_app_password(pds: LocalPds, user: User, name: str = "caredesk") -> str:
    answer = xrpc(pds, "com.atproto.server.createAppPassword", {"name": name}, user.access_jwt)
    return str(answer["password"])


def revoke_app_password(pds: LocalPds, user: User, name: str = "caredesk") -> None:
    xrpc(pds, "com.atproto.server.revokeAppPassword", {"name": name}, user.access_jwt)


def post(
    pds: LocalPds,
    author: User,
    text: str,
    *,
    mention: User | None = None,
    reply_to: Post | None = None,
    root: Post | None = None,
) -> Post:
    """`author` posts `text`; `@<mention.handle>` in it becomes a mention facet."""
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    if mention is not None:
        encoded, tag = text.encode(), f"@{mention.handle}".encode()
        start = encoded.index(tag)  # facets index UTF-8 bytes, not characters
        record["facets"] = [
            {
                "index": {"byteStart": start, "byteEnd": start + len(tag)},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": mention.did}],
            }
        ]
    if reply_to is not None:
        parent = {"uri": reply_to.uri, "cid": reply_to.cid}
        top = root or reply_to
        record["reply"] = {"root": {"uri": top.uri, "cid": top.cid}, "parent": parent}
    answer = xrpc(
        pds,
        "com.atproto.repo.createRecord",
        {"repo": author.did, "collection": "app.bsky.feed.post", "record": record},
        author.access_jwt,
    )
    return Post(answer["uri"], answer["cid"])


def get_post(pds: LocalPds, uri: str) -> dict[str, Any]:
    """The record of the post `uri`, read back from the server, with its cid."""
    did, collection, rkey = uri.removeprefix("at://").split("/")
    with pds.client() as http:
        response = http.get(
            "/xrpc/com.atproto.repo.getRecord", params={"repo": did, "collection": collection, "rkey": rkey}
        )
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def brand_account(pds: LocalPds, brand: User, app_password: str, account_id: int = 1) -> AccountConfig:
    """The brand as Caredesk stores it: its DID, the app password, the PDS as its service."""
    return AccountConfig(
        account_id=account_id,
        workspace_id=1,
        network="bluesky",
        handle=brand.handle,
        platform_id=brand.did,
        settings={"service": pds.url, "firehose": pds.url},
        secrets={"app_password": app_password},
    )
