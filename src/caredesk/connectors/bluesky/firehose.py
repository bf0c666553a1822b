"""Reading Bluesky's firehose: every new public post, in batches, resumable from a cursor.

Bluesky has no webhooks: mentions, replies and every public post reach us on the relay's
`com.atproto.sync.subscribeRepos` stream (a PDS serves the same stream for its own
accounts). One `Firehose` serves every brand account that listens to the same relay:

    firehose = Firehose("wss://bsky.network", brands={did: handle}, cursor=stored_cursor)
    for batch in firehose.batches(stop):
        store(batch.inbound_by_brand, batch.posts, batch.cursor)  # in one transaction

A batch closes after `max_posts` posts or `max_wait_s` after its first event. Its `cursor`
is the last event's sequence number: store it with the batch and pass it back to resume;
the stream then starts after it, so nothing stored is read twice. On a disconnect the
reader hands out what it had read, then reconnects with backoff from that cursor.
Authors are known by DID; their handle only when the stream announced it (`#identity`)
while we listened, as resolving every author is too costly.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

from caredesk.connectors.bluesky.frames import CreatedPost, Event, MalformedFrame, StreamError, decode_frame
from caredesk.connectors.bluesky.posts import inbound_post, mentioned_dids, parent_uri, post_ref
from caredesk.connectors.bluesky.xrpc import check_service_url
from caredesk.ingest.inbound import InboundMessage
from caredesk.models.enums import Direction

log = logging.getLogger(__name__)

SUBSCRIBE_PATH = "/xrpc/com.atproto.sync.subscribeRepos"
BACKOFF_FIRST_S = 1.0
BACKOFF_CAP_S = 60.0
POLL_S = 0.25  # how often a quiet reader looks at its stop event
MAX_MESSAGE_BYTES = 5 * 1024 * 1024  # a commit is at most a few MB; anything larger is abuse


@dataclass(frozen=True, slots=True)
class FirehoseBatch:
    """New posts and the cursor to store with them.

    `posts`: every new post on the relay (for listening); the brands' own posts are outbound.
    `inbound_by_brand`: brand DID → the posts addressed to that brand (they mention it with a
    mention facet, or reply to one of its posts), from other authors, with `brand_handle` set:
    that account's inbound messages.
    """

    posts: list[InboundMessage]
    inbound_by_brand: dict[str, list[InboundMessage]]
    cursor: int


@dataclass(slots=True)
class _Pending:
    events: int = 0
    cursor: int | None = None
    posts: list[InboundMessage] = field(default_factory=list)
    inbound_by_brand: dict[str, list[InboundMessage]] = field(default_factory=dict)
    opened_at: float = 0.0


class Firehose:
    """A reader of one relay's stream for the brands in `brands` (DID → handle).

    `brands` is read at every post, so accounts added to the mapping count from then on.
    """

    def __init__(
        self,
        url: str,
        brands: Mapping[str, str],
        cursor: int | None = None,
        *,
        max_posts: int = 500,
        max_wait_s: float = 1.0,
        known_handles: int = 100_000,
    ) -> None:
        self.url = subscribe_url(url)
        self.brands = brands
        self.cursor = cursor
        self.max_posts = max_posts
        self.max_wait_s = max_wait_s
        self.malformed = 0  # messages skipped as unreadable, for monitoring
        self._handles: OrderedDict[str, str] = OrderedDict()
        self._known_handles = known_handles
        self._backoff_s = BACKOFF_FIRST_S

    def batches(self, stop: threading.Event) -> Iterator[FirehoseBatch]:
        """Batches until `stop` is set; a disconnect is retried, never raised."""
        while not stop.is_set():
            url = self.url if self.cursor is None else f"{self.url}?{urlencode({'cursor': self.cursor})}"
            try:
                with connect(url, open_timeout=10, close_timeout=2, max_size=MAX_MESSAGE_BYTES) as socket:
                    yield from self._read(socket, stop)
            except (OSError, TimeoutError, WebSocketException) as error:
                log.warning(
                    "bluesky firehose %s: %s; reconnecting in %.0f s", self.url, error, self._backoff_s
                )
            if stop.wait(self._backoff_s):
                return
            self._backoff_s = min(self._backoff_s * 2, BACKOFF_CAP_S)

    def _read(self, socket: ClientConnection, stop: threading.Event) -> Iterator[FirehoseBatch]:
        pending = _Pending()
        while not stop.is_set():
            wait = POLL_S
            if pending.events:
                wait = max(0.0, min(POLL_S, pending.opened_at + self.max_wait_s - time.monotonic()))
            try:
                data = socket.recv(timeout=wait)
            except TimeoutError:
                data = None
            except ConnectionClosed:
                if pending.events:  # what arrived whole is good: hand it out, resume after it
                    yield self._hand_out(pending)
                raise
            if data is not None:
                self._backoff_s = BACKOFF_FIRST_S
                outcome = self._decode(data)
                if isinstance(outcome, StreamError):
                    if pending.events:
                        yield self._hand_out(pending)
                    self._on_stream_error(outcome)
                    return
                if outcome is not None:
                    self._add(pending, outcome)
            if pending.events and (
                len(pending.posts) >= self.max_posts
                or time.monotonic() >= pending.opened_at + self.max_wait_s
            ):
                yield self._hand_out(pending)
                pending = _Pending()
        if pending.events:
            yield self._hand_out(pending)

    def _is_full(self, pending: _Pending) -> bool:
        return len(pending.posts) >= self.max_posts or time.monotonic() >= pending.opened_at + self.max_wait_s

    def _decode(self, data: str | bytes) -> Event | StreamError | None:
        if isinstance(data, str):
            self.malformed += 1
            log.warning("bluesky firehose %s: skipped a text message", self.url)
            return None
        try:
            return decode_frame(data)
        except MalformedFrame as error:
            self.malformed += 1
            log.warning("bluesky firehose %s: skipped a message: %s", self.url, error)
            return None

    def _on_stream_error(self, error: StreamError) -> None:
        log.warning("bluesky firehose %s closed with %s: %s", self.url, error.error, error.message)
        if error.error == "FutureCursor":
            # The relay has never reached our cursor (it was reset, or the URL changed):
            # resuming there would wait forever, so listen from now on.
            self.cursor = None

    def _add(self, pending: _Pending, event: Event) -> None:
        if not pending.events:
            pending.opened_at = time.monotonic()
        pending.events += 1
        pending.cursor = event.seq
        if event.handle_of is not None:
            self._remember_handle(*event.handle_of)
        if event.skipped_posts:
            log.info(
                "bluesky firehose: %d posts at seq %d came without their record",
                event.skipped_posts,
                event.seq,
            )
        for post in event.posts:
            self._add_post(pending, post)

    def _add_post(self, pending: _Pending, post: CreatedPost) -> None:
        author = post_ref(post.uri).did
        brands = self.brands
        message = inbound_post(post.uri, post.cid, post.record, post.seen_at, self._handles.get(author))
        if message is None:
            self.malformed += 1
            return
        if author in brands:
            pending.posts.append(
                dataclasses.replace(message, direction=Direction.OUTBOUND, brand_handle=brands[author])
            )
            return
        pending.posts.append(message)
        addressed = set(mentioned_dids(post.record))
        parent = parent_uri(post.record)
        if parent is not None:
            addressed.add(post_ref(parent).did)
        for brand in sorted(addressed & brands.keys()):
            pending.inbound_by_brand.setdefault(brand, []).append(
                dataclasses.replace(message, brand_handle=brands[brand])
            )

    def _remember_handle(self, did: str, handle: str) -> None:
        self._handles[did] = handle
        self._handles.move_to_end(did)
        while len(self._handles) > self._known_handles:
            self._handles.popitem(last=False)

    def _hand_out(self, pending: _Pending) -> FirehoseBatch:
        assert pending.cursor is not None
        self.cursor = pending.cursor
        return FirehoseBatch(pending.posts, pending.inbound_by_brand, pending.cursor)


def subscribe_url(url: str) -> str:
    """The stream's ws(s) URL from a relay or PDS URL (http(s) or ws(s), path optional)."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    check_service_url(urlunsplit((scheme, parts.netloc, "", "", "")), "firehose")
    path = parts.path.rstrip("/")
    if not path.endswith(SUBSCRIBE_PATH):
        path += SUBSCRIBE_PATH
    return urlunsplit(({"http": "ws", "https": "wss"}[scheme], parts.netloc, path, "", ""))
