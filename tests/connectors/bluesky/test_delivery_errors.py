"""How the connector answers a server's failures: typed errors, session renewal, no leaks.

A scripted XRPC server on loopback gives the answers a real PDS won't give on demand (429,
5xx, slow answers, expired tokens, redirects).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from caredesk.connectors.base import (
    AccountConfig,
    AuthExpired,
    OutboundReply,
    Permanent,
    RateLimited,
    Transient,
)
from caredesk.connectors.bluesky import BlueskyNetwork
from caredesk.connectors.bluesky.xrpc import retry_after_s
from tests.connectors.bluesky.xrpc_server import Answer, XrpcServer, session_answer

BRAND_DID = "did:plc:brandbrandbrandbrandbran"
CUSTOMER_POST = "at://did:plc:customercustomercustomer/app.bsky.feed.post/3kabcdefghij2"
PASSWORD = "app-password-secret"
PARENT = {
    "uri": CUSTOMER_POST,
    "cid": "bafyreiparentparentparent",
    "value": {"$type": "app.bsky.feed.post", "text": "help", "createdAt": "2026-11-23T03:00:00.000Z"},
}


@pytest.fixture
def server() -> Iterator[XrpcServer]:
    running = XrpcServer().start()
    running.defaults["com.atproto.server.createSession"] = session_answer(BRAND_DID, 1)
    running.defaults["com.atproto.repo.getRecord"] = Answer(body=PARENT)
    running.defaults["com.atproto.repo.createRecord"] = Answer(
        body={"uri": f"at://{BRAND_DID}/app.bsky.feed.post/3kreplyreply2", "cid": "bafyreireply"}
    )
    yield running
    running.stop()


def account(service: str) -> AccountConfig:
    return AccountConfig(
        1, 1, "bluesky", "brand.test", BRAND_DID, {"service": service}, {"app_password": PASSWORD}
    )


def send(server: XrpcServer, network: BlueskyNetwork | None = None, timeout_s: float = 5) -> str:
    network = network or BlueskyNetwork()
    with httpx.Client(timeout=timeout_s) as http:
        return network.connector(account(server.url), http).send(
            OutboundReply(1, "bluesky", "brand.test", "public", "Hello", CUSTOMER_POST, None)
        )


def secrets_in(server: XrpcServer, error: Exception) -> list[str]:
    """Passwords and tokens that leaked into an error's text."""
    tokens = {PASSWORD, "access-token-1", "refresh-token-1", "access-token-2", "refresh-token-2"}
    return [token for token in tokens if token in str(error)]


def test_a_reply_reads_the_parent_then_posts_with_the_session_token(server: XrpcServer) -> None:
    assert send(server) == f"at://{BRAND_DID}/app.bsky.feed.post/3kreplyreply2"

    (login,) = server.calls("com.atproto.server.createSession")
    assert login.body == {"identifier": BRAND_DID, "password": PASSWORD}
    (read,) = server.calls("com.atproto.repo.getRecord")
    assert "authorization" not in read.headers  # a public read needs no token
    (created,) = server.calls("com.atproto.repo.createRecord")
    assert created.headers["authorization"] == "Bearer access-token-1"
    ref = {"uri": CUSTOMER_POST, "cid": "bafyreiparentparentparent"}
    assert created.body["repo"] == BRAND_DID
    assert created.body["record"]["reply"] == {"root": ref, "parent": ref}


def test_429_is_rate_limited_until_the_reset_time(server: XrpcServer) -> None:
    reset = int(time.time()) + 120
    server.then(
        "com.atproto.repo.createRecord",
        Answer(
            429,
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            {"ratelimit-reset": str(reset)},
        ),
    )

    with pytest.raises(RateLimited) as raised:
        send(server)
    assert 110 < raised.value.retry_after_s <= 120
    assert "RateLimitExceeded" in str(raised.value) and not secrets_in(server, raised.value)


def test_retry_after_headers() -> None:
    assert retry_after_s({"ratelimit-reset": "1000"}, now=990) == 10
    assert retry_after_s({"ratelimit-reset": "900"}, now=990) == 0
    assert retry_after_s({"retry-after": "7"}, now=0) == 7
    assert retry_after_s({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=0) == 60


@pytest.mark.parametrize(
    "answer",
    [
        Answer(500, {"error": "InternalServerError", "message": "Internal Server Error"}),
        Answer(502, raw=b"<html>Bad Gateway</html>"),
        Answer(200, raw=b"not json"),
    ],
)
def test_server_failures_are_transient(server: XrpcServer, answer: Answer) -> None:
    server.then("com.atproto.repo.createRecord", answer)

    with pytest.raises(Transient) as raised:
        send(server)
    assert not isinstance(raised.value, RateLimited) and not secrets_in(server, raised.value)


def test_a_slow_answer_is_a_transient_timeout(server: XrpcServer) -> None:
    server.then("com.atproto.repo.createRecord", Answer(delay_s=1.0, body={}))

    with pytest.raises(Transient, match="timed out"):
        send(server, timeout_s=0.3)


def test_a_server_that_is_down_is_transient() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"

    with pytest.raises(Transient):
        BlueskyNetwork().connector(account(url)).send(
            OutboundReply(1, "bluesky", "brand.test", "public", "Hello", CUSTOMER_POST, None)
        )


def test_a_refused_post_is_permanent_with_the_network_text(server: XrpcServer) -> None:
    server.then(
        "com.atproto.repo.createRecord",
        Answer(
            400, {"error": "InvalidRecord", "message": "Invalid app.bsky.feed.post record: text too long"}
        ),
    )

    with pytest.raises(Permanent, match="text too long") as raised:
        send(server)
    assert not isinstance(raised.value, AuthExpired)


def test_an_expired_access_token_is_refreshed_once(server: XrpcServer) -> None:
    network = BlueskyNetwork()
    send(server, network)
    server.then(
        "com.atproto.repo.createRecord",
        Answer(400, {"error": "ExpiredToken", "message": "Token has expired"}),
    )
    server.then("com.atproto.server.refreshSession", session_answer(BRAND_DID, 2))

    send(server, network)

    assert len(server.calls("com.atproto.server.createSession")) == 1  # the session was kept
    (refresh,) = server.calls("com.atproto.server.refreshSession")
    assert refresh.headers["authorization"] == "Bearer refresh-token-1"
    tokens = [call.headers["authorization"] for call in server.calls("com.atproto.repo.createRecord")]
    assert tokens == ["Bearer access-token-1", "Bearer access-token-1", "Bearer access-token-2"]


def test_a_refused_refresh_token_logs_in_again(server: XrpcServer) -> None:
    network = BlueskyNetwork()
    send(server, network)
    server.then("com.atproto.repo.createRecord", Answer(400, {"error": "ExpiredToken", "message": "expired"}))
    server.then(
        "com.atproto.server.refreshSession", Answer(400, {"error": "ExpiredToken", "message": "expired"})
    )
    server.then("com.atproto.server.createSession", session_answer(BRAND_DID, 2))

    send(server, network)

    assert len(server.calls("com.atproto.server.createSession")) == 2
    assert (
        server.calls("com.atproto.repo.createRecord")[-1].headers["authorization"] == "Bearer access-token-2"
    )


def test_a_revoked_password_is_auth_expired_without_the_password(server: XrpcServer) -> None:
    server.then(
        "com.atproto.server.createSession",
        Answer(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}),
    )

    with pytest.raises(AuthExpired) as raised:
        send(server)
    assert not secrets_in(server, raised.value)
    assert not server.calls("com.atproto.repo.createRecord")


def test_a_missing_app_password_is_auth_expired() -> None:
    bare = AccountConfig(1, 1, "bluesky", "brand.test", BRAND_DID, {"service": "https://pds.invalid"}, {})
    with pytest.raises(AuthExpired, match="app_password"):
        BlueskyNetwork().connector(bare).send(
            OutboundReply(1, "bluesky", "brand.test", "public", "Hi", None, None)
        )


def test_a_redirect_is_not_followed_with_the_token(server: XrpcServer) -> None:
    elsewhere = XrpcServer().start()
    try:
        server.then(
            "com.atproto.repo.createRecord",
            Answer(307, {}, {"location": f"{elsewhere.url}/xrpc/com.atproto.repo.createRecord"}),
        )
        with pytest.raises(Permanent):
            send(server)
        assert elsewhere.requests == []
    finally:
        elsewhere.stop()


@pytest.mark.parametrize(
    "service",
    ["http://pds.example.com", "ftp://pds.example.com", "https://pds.example.com/?next=x", "not a url"],
)
def test_a_service_url_that_would_leak_the_password_is_refused(service: str) -> None:
    connector = BlueskyNetwork().connector(account(service))
    with pytest.raises(Permanent, match="URL"):
        connector.send(OutboundReply(1, "bluesky", "brand.test", "public", "Hi", None, None))


@pytest.mark.parametrize(
    "target", ["https://bsky.app/profile/x/post/1", "at://did:plc:x/app.bsky.feed.like/1", ""]
)
def test_a_reply_to_something_that_is_not_a_post_is_permanent(server: XrpcServer, target: str) -> None:
    with httpx.Client() as http, pytest.raises(Permanent, match="not the at:// URI"):
        BlueskyNetwork().connector(account(server.url), http).send(
            OutboundReply(1, "bluesky", "brand.test", "public", "Hi", target, None)
        )
    assert server.requests == []


def test_the_stored_raw_post_spares_the_read(server: XrpcServer) -> None:
    root = {"uri": "at://did:plc:rootrootrootrootrootroot/app.bsky.feed.post/3kroot2", "cid": "bafyroot"}
    raw = {
        "uri": CUSTOMER_POST,
        "cid": "bafyparent",
        "record": {"text": "more", "reply": {"root": root, "parent": root}},
    }
    with httpx.Client() as http:
        BlueskyNetwork().connector(account(server.url), http).send(
            OutboundReply(1, "bluesky", "brand.test", "public", "Hi", CUSTOMER_POST, None, reply_to_raw=raw)
        )

    assert server.calls("com.atproto.repo.getRecord") == []
    (created,) = server.calls("com.atproto.repo.createRecord")
    assert created.body["record"]["reply"] == {
        "root": root,
        "parent": {"uri": CUSTOMER_POST, "cid": "bafyparent"},
    }
