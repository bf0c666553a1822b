"""Build a large TWCS-format CSV by replaying the real 5,000-tweet sample with shifted ids.

Replay k (k = 0, 1, …) copies every sample record with:

* every tweet id (`tweet_id`, each id of `response_tweet_id`, `in_response_to_tweet_id`)
  shifted by k * OFFSET, so replays never collide and threads stay within their replay;
* numeric (customer) `author_id`s shifted by k * OFFSET, so each replay brings new
  customers; brand screen names are kept, so brands are the same across replays;
* `created_at` shifted by k days, so later replays are later in time.

The tweet text is copied byte for byte from the sample, bare CR characters included: records
are found by splitting on LF only, as the importer does, and are never re-quoted.

The output is streamed, one replay at a time, so memory stays flat whatever the row count,
and is cached in bench/.work/ under a name that carries the row count: an existing file is
reused. Run as `python bench/make_twcs.py --rows 1000000`; it prints the file's path.
"""

from __future__ import annotations

import argparse
import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
WORK_DIR = BENCH_DIR / ".work"
SAMPLE = BENCH_DIR.parent / "src" / "caredesk" / "demo" / "twcs_head5000.csv"
# Larger than any id in the sample (its largest is 7,630), so shifted replays never overlap.
OFFSET = 10_000_000
DEFAULT_ROWS = 1_000_000
HEADER = b",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"

# English names whatever the locale: strftime's %a/%b would follow LC_TIME.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name: number for number, name in enumerate(_MONTHS, 1)}
_CR = "\ue000"  # stands in for a bare CR while the csv module reads a record


@dataclass(frozen=True, slots=True)
class Template:
    """One sample record, split into the parts a replay changes and the text it copies."""

    tweet_id: int
    author_id: str
    customer: bool  # a numeric author_id: a customer, shifted per replay
    inbound: str
    created_at: datetime
    raw_text: bytes  # the text field exactly as in the file, quotes and all
    responses: tuple[int, ...]
    in_response_to: int | None

    def render(self, index: int, shift_ids: int, shift_time: timedelta) -> bytes:
        author = str(int(self.author_id) + shift_ids) if self.customer else self.author_id
        responses = ",".join(str(i + shift_ids) for i in self.responses)
        if len(self.responses) > 1:
            responses = f'"{responses}"'
        parent = "" if self.in_response_to is None else f"{self.in_response_to + shift_ids}.0"
        head = (
            f"{index},{self.tweet_id + shift_ids},{author},{self.inbound},"
            f"{format_twitter_time(self.created_at + shift_time)},"
        )
        return b"".join((head.encode(), self.raw_text, f",{responses},{parent}\n".encode()))


def parse_twitter_time(value: str) -> datetime:
    """`Tue Oct 31 22:10:47 +0000 2017` (the sample is all +0000) as a naive UTC datetime."""
    if value[20:25] != "+0000":
        raise ValueError(f"expected a +0000 time, found {value!r}")
    return datetime(  # noqa: DTZ001 - naive on purpose: only shifted and formatted again
        int(value[26:30]),
        _MONTH_NUMBERS[value[4:7]],
        int(value[8:10]),
        int(value[11:13]),
        int(value[14:16]),
        int(value[17:19]),
    )


def format_twitter_time(moment: datetime) -> str:
    return (
        f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} +0000 {moment.year}"
    )


def raw_records(data: bytes) -> Iterator[tuple[bytes, list[str]]]:
    """Each record of a TWCS file as (its raw bytes, its parsed fields), header excluded.

    Lines are split on LF only; a record spans several lines when a quoted text holds a
    newline, which the csv module's `line_num` tells.
    """
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    decoded = (line.decode("utf-8").replace("\r", _CR) + "\n" for line in lines)
    reader = csv.reader(decoded)
    next(reader)
    start = reader.line_num
    for fields in reader:
        raw = b"\n".join(lines[start : reader.line_num]) + b"\n"
        start = reader.line_num
        yield raw, fields


def template(raw: bytes, fields: list[str]) -> Template:
    """Split a record into its changing fields and its verbatim text."""
    index, tweet_id, author_id, inbound, created_at, _text, responses, in_response_to = fields
    # The first five fields never need quoting (ids, a name, a boolean, a time): their raw
    # form is the parsed one, which the assertions check along with the tail.
    head = f"{index},{tweet_id},{author_id},{inbound},{created_at},".encode()
    tail = (f'"{responses}"' if "," in responses else responses) + f",{in_response_to}\n"
    tail_bytes = b"," + tail.encode()
    assert raw.startswith(head), raw[:80]
    assert raw.endswith(tail_bytes), raw[-80:]
    parent = in_response_to.removesuffix(".0")
    return Template(
        tweet_id=int(tweet_id),
        author_id=author_id,
        customer=author_id.isdigit(),
        inbound=inbound,
        created_at=parse_twitter_time(created_at),
        raw_text=raw[len(head) : len(raw) - len(tail_bytes)],
        responses=tuple(int(i) for i in responses.split(",") if i),
        in_response_to=int(parent) if parent else None,
    )


def load_templates(sample: Path) -> list[Template]:
    data = sample.read_bytes()
    if not data.startswith(HEADER):
        raise ValueError(f"{sample}: not a TWCS file with an index column")
    templates = [template(raw, fields) for raw, fields in raw_records(data)]
    if max(t.tweet_id for t in templates) >= OFFSET:
        raise ValueError(f"{sample}: tweet ids reach OFFSET ({OFFSET}); replays would collide")
    return templates


def write_twcs(out: Path, rows: int, templates: list[Template]) -> None:
    with out.open("wb") as stream:
        stream.write(HEADER)
        written = 0
        for replay in range(rows // len(templates) + 1):
            count = min(len(templates), rows - written)
            shift_ids, shift_time = replay * OFFSET, timedelta(days=replay)
            stream.writelines(
                t.render(written + i, shift_ids, shift_time) for i, t in enumerate(templates[:count])
            )
            written += count


def ensure_twcs(rows: int = DEFAULT_ROWS, *, sample: Path = SAMPLE, force: bool = False) -> Path:
    """The path of a `rows`-row replay file in bench/.work/, built unless it already exists."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    out = WORK_DIR / f"twcs_{rows}_rows.csv"
    if out.exists() and not force:
        return out
    partial = out.with_suffix(".partial")
    write_twcs(partial, rows, load_templates(sample))
    # Renamed only once complete, so an interrupted build is never taken for a cached file.
    os.replace(partial, out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows to write (default 1,000,000)")
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="the TWCS sample to replay")
    parser.add_argument("--force", action="store_true", help="rebuild even if the file exists")
    args = parser.parse_args()
    print(ensure_twcs(args.rows, sample=args.sample, force=args.force))


if __name__ == "__main__":
    main()
