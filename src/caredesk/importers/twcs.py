"""Import the "Customer Support on Twitter" (TWCS) CSV through the ingest pipeline.

The format: `tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id`, optionally behind an unnamed index column. Brand tweets (inbound
False) become outbound messages of the brand account named by `author_id`; customer tweets
become inbound messages whose brand account is learnt from the brand's reply.

The file is streamed: memory stays flat however large it is. Records are read from lines
split on LF only, because the real file carries bare CR characters inside unquoted tweets,
which a CSV reader would take for the end of a record. A row that cannot be read is
reported with its line number and skipped; it never stops the import.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

from caredesk.gc_tuning import relaxed_gc
from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.ingest.pipeline import Ingestor, IngestResult
from caredesk.models.enums import Direction, Visibility

NETWORK = "x"
COLUMNS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)
_MONTHS = {
    month: number
    for number, month in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
_CR = "\ue000"  # stands in for a bare CR while the CSV reader runs; becomes a line break
# csv's own limit is 128 KiB a field; a tweet is at most a few KiB, anything near the limit
# is a broken quote swallowing the rest of the file.
_MAX_RECORD_CHARS = 64 * 1024


class TwcsFormatError(ValueError):
    """The file is not in the TWCS format at all (its header is wrong)."""


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    reason: str


@dataclass(slots=True)
class TwcsImportReport:
    rows: int = 0
    bad_rows: int = 0
    bad_row_samples: list[BadRow] = field(default_factory=list)
    ingest: IngestResult = field(default_factory=IngestResult)

    MAX_SAMPLES = 100


class _Lines:
    """Text lines of a binary stream split on LF only, counting lines and bytes."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.line = 0
        self.bytes_read = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self._stream:
            self.line += 1
            self.bytes_read += len(raw)
            text = raw.decode("utf-8", "replace")
            if text.endswith("\r\n"):
                text = text[:-2] + "\n"
            if "\r" in text:
                text = text.replace("\r", _CR)
            if "\x00" in text:
                text = text.replace("\x00", "")
            yield text


def read_twcs(stream: BinaryIO, lines: _Lines | None = None) -> Iterator[InboundMessage | BadRow]:
    """Messages and bad rows of a TWCS file, in file order."""
    lines = lines or _Lines(stream)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise TwcsFormatError("the file is empty: expected a TWCS header line") from None
    offset = _header_offset(header)
    width = offset + len(COLUMNS)
    record_end = lines.line
    while True:
        start = record_end + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            record_end = lines.line
            yield BadRow(start, f"unreadable CSV: {error}")
            continue
        record_end = lines.line
        if not fields:
            continue  # a blank line
        if len(fields) != width:
            yield BadRow(start, f"expected {width} fields, found {len(fields)}")
            continue
        if sum(map(len, fields)) > _MAX_RECORD_CHARS:
            yield BadRow(start, f"record longer than {_MAX_RECORD_CHARS} characters (unclosed quote?)")
            continue
        try:
            yield _message(fields[offset:])
        except ValueError as error:
            yield BadRow(start, str(error))


def import_twcs(
    ingestor: Ingestor,
    path: Path,
    *,
    batch_size: int = 5_000,
    on_progress: Callable[[int, int], None] | None = None,
    shift: timedelta | None = None,
) -> TwcsImportReport:
    """Stream `path` into `ingestor`, one transaction per batch; safe to run again.

    `on_progress(bytes_read, rows)` is called after every batch. `shift` replays the
    history as if it had happened that much later (the demo makes the sample end now).
    """
    report = TwcsImportReport()
    batch: list[InboundMessage] = []
    with relaxed_gc(), path.open("rb") as stream:
        lines = _Lines(stream)
        for item in read_twcs(stream, lines):
            report.rows += 1
            if isinstance(item, BadRow):
                report.bad_rows += 1
                if len(report.bad_row_samples) < report.MAX_SAMPLES:
                    report.bad_row_samples.append(item)
                continue
            if shift:
                item.created_at += shift
            batch.append(item)
            if len(batch) >= batch_size:
                report.ingest += ingestor.ingest(batch)
                batch = []
                if on_progress:
                    on_progress(lines.bytes_read, report.rows)
        if batch:
            report.ingest += ingestor.ingest(batch)
        if on_progress:
            on_progress(lines.bytes_read, report.rows)
    return report


def _header_offset(header: list[str]) -> int:
    names = [name.strip().lower() for name in header]
    if names == list(COLUMNS):
        return 0
    if len(names) == len(COLUMNS) + 1 and names[1:] == list(COLUMNS):
        return 1  # a leading index column, as pandas writes it
    raise TwcsFormatError(
        "not a TWCS file: expected the header "
        f"{','.join(COLUMNS)} (optionally behind an index column), found {','.join(header)[:200]!r}"
    )


def _message(fields: list[str]) -> InboundMessage:
    tweet_id, author_id, inbound, created_at, text, responses, in_response_to = fields
    tweet_id = _tweet_id(tweet_id, "tweet_id")
    if not tweet_id:
        raise ValueError("tweet_id is empty")
    author_id = author_id.strip()
    if not author_id:
        raise ValueError("author_id is empty")
    is_inbound = _BOOLEANS.get(inbound.strip().lower())
    if is_inbound is None:
        raise ValueError(f"inbound must be True or False, found {inbound[:20]!r}")
    # The record's other columns; the text is the message's own column, and is repeated
    # here only where reading it changed it (bare CRs become line breaks).
    raw = {
        "tweet_id": fields[0],
        "author_id": fields[1],
        "inbound": inbound,
        "created_at": created_at,
        "response_tweet_id": responses,
        "in_response_to_tweet_id": in_response_to,
    }
    if _CR in text:
        raw["text"] = text.replace(_CR, "\r")
        text = text.replace(_CR, "\n")
    return InboundMessage(
        network=NETWORK,
        network_message_id=tweet_id,
        direction=Direction.INBOUND if is_inbound else Direction.OUTBOUND,
        visibility=Visibility.PUBLIC,
        text=text,
        created_at=parse_twitter_time(created_at),
        customer=Author(platform_user_id=author_id, handle=author_id) if is_inbound else None,
        brand_handle=None if is_inbound else author_id,
        reply_to_network_id=_tweet_id(in_response_to, "in_response_to_tweet_id") or None,
        raw=raw,
    )


def _tweet_id(value: str, column: str) -> str:
    """A tweet id as digits; pandas wrote the reply column as floats (`3.0`)."""
    value = value.strip()
    if value.isdigit():
        return value
    if not value:
        return ""
    whole, dot, fraction = value.partition(".")
    if dot and whole.isdigit() and fraction.strip("0") == "":
        return whole
    raise ValueError(f"{column} is not a tweet id: {value[:30]!r}")


def parse_twitter_time(value: str) -> datetime:
    """`Tue Oct 31 22:10:47 +0000 2017` as an aware UTC datetime."""
    value = value.strip()
    try:
        if len(value) == 30 and value[19] == " " and value[25] == " ":
            month = _MONTHS[value[4:7]]
            offset = value[20:25]
            moment = datetime(
                int(value[26:30]),
                month,
                int(value[8:10]),
                int(value[11:13]),
                int(value[14:16]),
                int(value[17:19]),
                tzinfo=UTC,
            )
            if offset == "+0000":
                return moment
            sign = -1 if offset[0] == "-" else 1
            shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])) * sign
            return moment.replace(tzinfo=timezone(shift)).astimezone(UTC)
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except (KeyError, ValueError, IndexError):
        raise ValueError(f"created_at is not a Twitter time: {value[:40]!r}") from None


def latest_time(path: Path) -> datetime | None:
    """The time of the newest tweet in a TWCS file (reads it once)."""
    with path.open("rb") as stream:
        times = [item.created_at for item in read_twcs(stream) if not isinstance(item, BadRow)]
    return max(times, default=None)
