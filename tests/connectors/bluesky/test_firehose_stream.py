"""The firehose reader against what a relay may send: garbage, errors, disconnects.

Pure decoding is tested on built messages; the reader's reconnection against a WebSocket
server on loopback that plays scripted connections.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence

import libipld
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from caredesk.connectors.base import MalformedEvent, Permanent
from caredesk.connectors.bluesky import Firehose, FirehoseBatch
from caredesk.connectors.bluesky.firehose import subscribe_url
from caredesk.connectors.bluesky.frames import Event, decode_frame
from caredesk.models.enums import Direction
from tests.connectors.bluesky.frames_kit import car, cid_of, commit_frame, error_frame, frame, post_record

BRAND = "did:plc:brandbrandbrandbrandbran"
OTHER_BRAND = "did:plc:otherbrandotherbrandothe"
CUSTOMER = "did:plc:customercustomercustomer"
BRAND_POST = f"at://{BRAND}/app.bsky.feed.post/3kbrandpost22"
DEEP = libipld.encode_dag_cbor({"op": 1, "t": "#commit"}) + b"\x81" * 100_000 + b"\x00"


@pytest.mark.parametrize(
    "message",
    [
        b"",
        b"\xff\xfe garbage",
        DEEP,
        frame("#commit", {"repo": CUSTOMER, "ops": []}),  # no seq
        frame("#commit", {"seq": 3, "repo": "not a did", "ops": []}),
        frame(
            "#commit",
            {
                "seq": 3,
                "repo": CUSTOMER,
                "ops": [{"action": "create", "path": "app.bsky.feed.post/3k", "cid": b"\x01q"}],
            },
        ),
        libipld.encode_dag_cbor({"op": 7}) + libipld.encode_dag_cbor({}),
        libipld.encode_dag_cbor({"op": 1, "t": "#commit"}),  # a header alone
    ],
)
def test_unreadable_messages_are_malformed_not_crashes(message: bytes) -> None:
    with pytest.raises(MalformedEvent):
        decode_frame(message)


def test_a_commit_yields_its_created_posts_only() -> None:
    message = commit_frame(9, CUSTOMER, {"3kpost": post_record("hello", mentions=(BRAND,))})

    event = decode_frame(message)

    assert isinstance(event, Event) and event.seq == 9
    (post,) = event.posts
    assert post.uri == f"at://{CUSTOMER}/app.bsky.feed.post/3kpost"
    assert post.record["text"] == "hello" and post.cid.startswith("bafyrei")


def test_events_without_posts_still_move_the_cursor() -> None:
    assert decode_frame(frame("#account", {"seq": 4, "did": CUSTOMER, "active": True})) == Event(4)
    assert decode_frame(frame("#identity", {"seq": 5, "did": CUSTOMER, "handle": "c.test"})) == Event(
        5, handle_of=(CUSTOMER, "c.test")
    )
    assert decode_frame(frame("#info", {"name": "OutdatedCursor"})) is None


def test_a_created_post_whose_record_is_missing_is_counted_not_invented() -> None:
    missing = {"action": "create", "path": "app.bsky.feed.post/3kgone", "cid": cid_of(b"not in the blocks")}
    blocks = car([libipld.encode_dag_cbor({"did": CUSTOMER, "version": 3})])

    event = decode_frame(frame("#commit", {"seq": 3, "repo": CUSTOMER, "ops": [missing], "blocks": blocks}))

    assert event == Event(3, skipped_posts=1)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("wss://bsky.network", "wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos"),
        ("https://pds.example.com/", "wss://pds.example.com/xrpc/com.atproto.sync.subscribeRepos"),
        ("http://127.0.0.1:2583", "ws://127.0.0.1:2583/xrpc/com.atproto.sync.subscribeRepos"),
        (
            "wss://relay.example/xrpc/com.atproto.sync.subscribeRepos",
            "wss://relay.example/xrpc/com.atproto.sync.subscribeRepos",
        ),
    ],
)
def test_subscribe_url(given: str, expected: str) -> None:
    assert subscribe_url(given) == expected


@pytest.mark.parametrize("given", ["ws://relay.example.com", "file:///etc/passwd", "relay"])
def test_a_firehose_url_in_clear_text_or_not_a_url_is_refused(given: str) -> None:
    with pytest.raises(Permanent):
        subscribe_url(given)


class Relay:
    """A WebSocket server on loopback that plays one scripted list of messages per connection,
    then closes it, and records the path (with its cursor) each connection asked for."""

    def __init__(self, connections: Sequence[Sequence[bytes | str]]) -> None:
        self.paths: list[str] = []
        self._connections = [list(script) for script in connections]
        self._server: Server = serve(self._play, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}"

    def _play(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        self.paths.append(connection.request.path)
        script = self._connections.pop(0) if self._connections else []
        for message in script:
            connection.send(message)
        if not script:
            with contextlib.suppress(ConnectionClosed):
                connection.recv()  # idle until the reader leaves

    def __enter__(self) -> Relay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()


def read(firehose: Firehose, until_cursor: int, timeout_s: float = 10) -> list[FirehoseBatch]:
    stop = threading.Event()
    timer = threading.Timer(timeout_s, stop.set)
    timer.start()
    batches: list[FirehoseBatch] = []
    try:
        for batch in firehose.batches(stop):
            batches.append(batch)
            if batch.cursor >= until_cursor:
                break
    finally:
        timer.cancel()
    return batches


def test_garbage_is_skipped_and_a_disconnect_resumes_from_the_cursor() -> None:
    first: list[bytes | str] = [
        b"\xff garbage",
        "a text message",
        DEEP,
        commit_frame(5, CUSTOMER, {"3kfirst": post_record("@brand help", mentions=(BRAND,))}),
    ]
    second = [error_frame("FutureCursor", "Cursor in the future.")]
    third = [commit_frame(6, CUSTOMER, {"3ksecond": post_record("still waiting", parent=BRAND_POST)})]
    with Relay([first, second, third]) as relay:
        firehose = Firehose(relay.url, brands={BRAND: "brand.test"}, max_wait_s=0.05)
        batches = read(firehose, until_cursor=6)

    assert relay.paths == [
        "/xrpc/com.atproto.sync.subscribeRepos",
        "/xrpc/com.atproto.sync.subscribeRepos?cursor=5",  # resumed after the disconnect
        "/xrpc/com.atproto.sync.subscribeRepos",  # FutureCursor: the relay never saw 5
    ]
    assert firehose.malformed == 3
    inbound = [m.network_message_id for b in batches for m in b.inbound_by_brand.get(BRAND, [])]
    assert inbound == [
        f"at://{CUSTOMER}/app.bsky.feed.post/3kfirst",
        f"at://{CUSTOMER}/app.bsky.feed.post/3ksecond",
    ]
    assert [b.cursor for b in batches] == [5, 6]


def test_one_commit_with_two_posts_gives_two_messages_each_for_its_brands() -> None:
    posts = {
        "3kone": post_record("@brand @other both of you", mentions=(BRAND, OTHER_BRAND)),
        "3ktwo": post_record("just chatting"),
    }
    script = [
        frame("#identity", {"seq": 1, "did": CUSTOMER, "handle": "customer.test"}),
        commit_frame(2, CUSTOMER, posts),
    ]
    with Relay([script]) as relay:
        firehose = Firehose(
            relay.url, brands={BRAND: "brand.test", OTHER_BRAND: "other.test"}, max_wait_s=0.05
        )
        (batch,) = read(firehose, until_cursor=2)

    assert [m.network_message_id.rsplit("/", 1)[1] for m in batch.posts] == ["3kone", "3ktwo"]
    assert all(m.brand_handle is None for m in batch.posts)  # listening sees them unaddressed
    assert batch.posts[0].customer is not None and batch.posts[0].customer.handle == "customer.test"
    assert {did: [m.brand_handle for m in found] for did, found in batch.inbound_by_brand.items()} == {
        BRAND: ["brand.test"],
        OTHER_BRAND: ["other.test"],
    }


def test_the_brands_own_posts_are_outbound_and_never_inbound() -> None:
    script = [
        commit_frame(
            3, BRAND, {"3kown": post_record("we answered @brand", mentions=(BRAND,), parent=BRAND_POST)}
        )
    ]
    with Relay([script]) as relay:
        firehose = Firehose(relay.url, brands={BRAND: "brand.test"}, max_wait_s=0.05)
        (batch,) = read(firehose, until_cursor=3)

    assert batch.inbound_by_brand == {}
    (own,) = batch.posts
    assert own.direction is Direction.OUTBOUND and own.brand_handle == "brand.test"


def test_a_post_that_is_not_a_readable_post_is_skipped() -> None:
    unreadable = {"$type": "app.bsky.feed.post", "text": 42, "createdAt": "yesterday"}
    script = [
        commit_frame(3, CUSTOMER, {"3kbad": unreadable, "3kgood": post_record("fine")}, time="not a time")
    ]
    with Relay([script]) as relay:
        firehose = Firehose(relay.url, brands={BRAND: "brand.test"}, max_wait_s=0.05)
        (batch,) = read(firehose, until_cursor=3)

    assert [m.text for m in batch.posts] == ["fine"]
    assert batch.posts[0].created_at.isoformat() == "2026-11-23T03:00:00+00:00"  # the record's own time
    assert firehose.malformed == 1


def test_stop_ends_a_quiet_stream_quickly() -> None:
    with Relay([[]]) as relay:
        firehose = Firehose(relay.url, brands={})
        stop = threading.Event()
        threading.Timer(0.3, stop.set).start()
        assert list(firehose.batches(stop)) == []
