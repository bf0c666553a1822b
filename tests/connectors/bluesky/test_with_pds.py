"""The connector and the firehose reader against a real PDS on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from caredesk.connectors.base import AuthExpired, OutboundReply, Permanent
from caredesk.connectors.bluesky import NETWORK, PRIVATE_REFUSED, BlueskyNetwork, Firehose, FirehoseBatch
from caredesk.models.enums import Direction, Visibility
from tests.connectors.bluesky.pds import (
    LocalPds,
    Post,
    User,
    brand_account,
    create_app_password,
    create_user,
    get_post,
    post,
    revoke_app_password,
    xrpc,
)

pytestmark = pytest.mark.slow


def reply(
    text: str, to: str | None, visibility: str = "public", raw: dict[str, object] | None = None
) -> OutboundReply:
    return OutboundReply(
        message_id=1,
        network="bluesky",
        brand_handle="brand",
        visibility=visibility,
        text=text,
        reply_to_network_id=to,
        recipient_platform_user_id=None,
        reply_to_raw=raw,
    )


class Listener:
    """A firehose reader running in a thread, as a worker would run it; tests wait on it."""

    def __init__(self, firehose: Firehose) -> None:
        self.batches: list[FirehoseBatch] = []
        self._firehose = firehose
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "the firehose reader did not stop"

    def _run(self) -> None:
        for batch in self._firehose.batches(self._stop):
            with self._changed:
                self.batches.append(batch)
                self._changed.notify_all()

    def wait_for(
        self, done: Callable[[list[FirehoseBatch]], bool], timeout_s: float = 15
    ) -> list[FirehoseBatch]:
        with self._changed:
            assert self._changed.wait_for(lambda: done(self.batches), timeout_s), "not seen on the firehose"
            return list(self.batches)


def read_until(firehose: Firehose, done: Callable[[list[FirehoseBatch]], bool]) -> list[FirehoseBatch]:
    with Listener(firehose) as listener:
        return listener.wait_for(done)


def posts_in(batches: list[FirehoseBatch]) -> dict[str, FirehoseBatch]:
    return {message.network_message_id: batch for batch in batches for message in batch.posts}


@pytest.fixture
def brand(pds: LocalPds) -> tuple[User, str]:
    user = create_user(pds, "brand")
    return user, create_app_password(pds, user)


def test_a_mention_reaches_the_brand_and_the_reply_lands_in_its_thread(
    pds: LocalPds, brand: tuple[User, str]
) -> None:
    brand_user, app_password = brand
    customer = create_user(pds, "customer")
    bystander = create_user(pds, "bystander")
    account = brand_account(pds, brand_user, app_password)
    firehose = Firehose(pds.url, brands={brand_user.did: brand_user.handle}, cursor=0, max_wait_s=0.2)

    with Listener(firehose) as listener:
        listener.wait_for(lambda seen: bool(seen))  # caught up with the server's past events
        started = time.monotonic()
        mention = post(pds, customer, f"@{brand_user.handle} my order never arrived", mention=brand_user)
        chatter = post(pds, bystander, "nice weather today")
        batches = listener.wait_for(lambda seen: {mention.uri, chatter.uri} <= posts_in(seen).keys())
        seen_after = time.monotonic() - started

    addressed = [m for batch in batches for m in batch.inbound_by_brand.get(brand_user.did, [])]
    assert [m.network_message_id for m in addressed] == [mention.uri]
    inbound = addressed[0]
    assert inbound.network == "bluesky"
    assert inbound.direction is Direction.INBOUND and inbound.visibility is Visibility.PUBLIC
    assert inbound.brand_handle == brand_user.handle
    assert inbound.text == f"@{brand_user.handle} my order never arrived"
    assert inbound.customer is not None and inbound.customer.platform_user_id == customer.did
    assert inbound.customer.handle == customer.handle  # announced by #identity while listening
    assert inbound.reply_to_network_id is None
    assert inbound.created_at.tzinfo is not None
    assert inbound.raw is not None and inbound.raw["cid"] == mention.cid
    assert chatter.uri in posts_in(batches)  # every post is offered to listening
    assert seen_after < 5
    print(f"mention seen on the firehose {seen_after * 1000:.0f} ms after it was posted")

    connector = NETWORK.connector(account)
    answer_uri = connector.send(reply("Sorry! Sending a new one today.", mention.uri, raw=inbound.raw))

    answer = get_post(pds, answer_uri)
    assert answer["uri"] == answer_uri and answer_uri.startswith(f"at://{brand_user.did}/app.bsky.feed.post/")
    assert answer["value"]["text"] == "Sorry! Sending a new one today."
    assert answer["value"]["reply"] == {
        "root": {"uri": mention.uri, "cid": mention.cid},
        "parent": {"uri": mention.uri, "cid": mention.cid},
    }


def test_a_reply_to_a_reply_keeps_the_thread_root(pds: LocalPds, brand: tuple[User, str]) -> None:
    brand_user, app_password = brand
    customer = create_user(pds, "customer")
    connector = BlueskyNetwork().connector(brand_account(pds, brand_user, app_password))
    root = post(pds, customer, f"@{brand_user.handle} my parcel is late", mention=brand_user)
    first_uri = connector.send(reply("Which order number?", root.uri))
    first = Post(first_uri, get_post(pds, first_uri)["cid"])
    follow_up = post(pds, customer, "It is 1234", reply_to=first, root=root)

    # No stored raw: the connector reads the customer's follow-up from the server.
    second_uri = connector.send(reply("Found it, it ships today.", follow_up.uri))

    assert get_post(pds, second_uri)["value"]["reply"] == {
        "root": {"uri": root.uri, "cid": root.cid},
        "parent": {"uri": follow_up.uri, "cid": follow_up.cid},
    }


def test_replies_to_the_brand_are_addressed_to_it_and_its_own_posts_are_outbound(
    pds: LocalPds, brand: tuple[User, str]
) -> None:
    brand_user, app_password = brand
    customer = create_user(pds, "customer")
    connector = NETWORK.connector(brand_account(pds, brand_user, app_password))
    firehose = Firehose(pds.url, brands={brand_user.did: brand_user.handle}, cursor=0, max_wait_s=0.2)
    root = post(pds, customer, f"@{brand_user.handle} hello", mention=brand_user)
    ours = connector.send(reply("Hi, how can we help?", root.uri))
    answer = post(
        pds, customer, "my screen is cracked", reply_to=Post(ours, get_post(pds, ours)["cid"]), root=root
    )

    batches = read_until(firehose, lambda seen: answer.uri in posts_in(seen))

    addressed = [m.network_message_id for b in batches for m in b.inbound_by_brand.get(brand_user.did, [])]
    assert addressed == [root.uri, answer.uri]  # the echo of our own reply is not inbound
    own = next(m for b in batches for m in b.posts if m.network_message_id == ours)
    assert own.direction is Direction.OUTBOUND and own.brand_handle == brand_user.handle


def test_resuming_from_a_stored_cursor_reads_only_newer_posts(pds: LocalPds, brand: tuple[User, str]) -> None:
    brand_user, _ = brand
    customer = create_user(pds, "customer")
    brands = {brand_user.did: brand_user.handle}
    old = post(pds, customer, f"@{brand_user.handle} first", mention=brand_user)
    first_run = read_until(
        Firehose(pds.url, brands, cursor=0, max_wait_s=0.2), lambda s: old.uri in posts_in(s)
    )
    stored_cursor = first_run[-1].cursor

    new = post(pds, customer, f"@{brand_user.handle} second", mention=brand_user)
    second_run = read_until(
        Firehose(pds.url, brands, cursor=stored_cursor, max_wait_s=0.2), lambda s: new.uri in posts_in(s)
    )

    assert new.uri in posts_in(second_run)
    assert old.uri not in posts_in(second_run)
    assert all(batch.cursor > stored_cursor for batch in second_run)


def test_batches_are_bounded_in_posts(pds: LocalPds) -> None:
    customer = create_user(pds, "customer")
    made = [post(pds, customer, f"post {n}") for n in range(5)]
    firehose = Firehose(pds.url, brands={}, cursor=0, max_posts=2, max_wait_s=1)

    batches = read_until(firehose, lambda s: made[-1].uri in posts_in(s))

    assert all(len(batch.posts) <= 2 for batch in batches)
    assert [b.cursor for b in batches] == sorted({b.cursor for b in batches})


def test_a_wrong_app_password_is_auth_expired(pds: LocalPds, brand: tuple[User, str]) -> None:
    brand_user, _ = brand
    customer = create_user(pds, "customer")
    target = post(pds, customer, "hello")
    connector = BlueskyNetwork().connector(brand_account(pds, brand_user, "wrong-password-1234"))

    with pytest.raises(AuthExpired) as raised:
        connector.send(reply("hi", target.uri))
    assert "wrong-password" not in str(raised.value)


def test_a_revoked_app_password_is_auth_expired_for_a_new_session(
    pds: LocalPds, brand: tuple[User, str]
) -> None:
    brand_user, app_password = brand
    customer = create_user(pds, "customer")
    target = post(pds, customer, "hello")
    account = brand_account(pds, brand_user, app_password)
    BlueskyNetwork().connector(account).send(reply("first", target.uri))

    revoke_app_password(pds, brand_user)

    with pytest.raises(AuthExpired):
        BlueskyNetwork().connector(account).send(reply("second", target.uri))


def test_a_private_reply_is_refused_with_the_reason(pds: LocalPds, brand: tuple[User, str]) -> None:
    brand_user, app_password = brand
    connector = NETWORK.connector(brand_account(pds, brand_user, app_password))

    with pytest.raises(Permanent) as raised:
        connector.send(reply("your order number?", None, visibility="private"))
    assert str(raised.value) == PRIVATE_REFUSED


def test_a_reply_to_a_deleted_post_is_permanent(pds: LocalPds, brand: tuple[User, str]) -> None:
    brand_user, app_password = brand
    customer = create_user(pds, "customer")
    gone = post(pds, customer, "soon deleted")
    rkey = gone.uri.rsplit("/", 1)[1]
    xrpc(
        pds,
        "com.atproto.repo.deleteRecord",
        {"repo": customer.did, "collection": "app.bsky.feed.post", "rkey": rkey},
        customer.access_jwt,
    )
    connector = NETWORK.connector(brand_account(pds, brand_user, app_password))

    with pytest.raises(Permanent, match="deleted"):
        connector.send(reply("hello?", gone.uri))
