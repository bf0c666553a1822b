"""The TWCS importer: real rows, broken rows, re-runs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from caredesk.importers.twcs import BadRow, TwcsFormatError, import_twcs, parse_twitter_time, read_twcs
from caredesk.ingest.pipeline import Ingestor
from caredesk.models.tables import brand_accounts, messages
from tests.conftest import SAMPLE
from tests.factories import all_conversations, message_count

HEADER = b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
GOOD = b"1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,@115712 Happy to help,,2\n"


def rows_of(data: bytes) -> list:
    return list(read_twcs(io.BytesIO(data)))


def test_a_tweet_with_bare_carriage_returns_stays_one_record() -> None:
    # Line 2589 of the real sample: "@AskPayPal \r\rI just love the start of email 😁 …"
    items = [item for item in read_twcs(SAMPLE.open("rb")) if not isinstance(item, BadRow)]
    assert len(items) == 5_000
    [paypal] = [m for m in items if m.network_message_id == "3399"]
    assert paypal.text.startswith("@AskPayPal \n\nI just love the start of email")
    assert paypal.reply_to_network_id is None
    assert paypal.raw is not None and paypal.raw["response_tweet_id"] == "3398"


def test_the_leading_index_column_is_optional() -> None:
    with_index = rows_of(b"," + HEADER.replace(b"\n", b"\n0,") + GOOD[:-1] + b"\n")
    without = rows_of(HEADER + GOOD)
    assert [m.network_message_id for m in with_index] == [m.network_message_id for m in without] == ["1"]


def test_bad_rows_are_reported_with_their_line_numbers() -> None:
    data = (
        HEADER
        + GOOD  # line 2
        + b"2,115712,True,Tue Oct 31 22:11:45 +0000 2017,too few fields\n"  # 3
        + b"x3,115712,True,Tue Oct 31 22:11:45 +0000 2017,bad id,,\n"  # 4
        + b"4,115712,Maybe,Tue Oct 31 22:11:45 +0000 2017,bad inbound,,\n"  # 5
        + b"5,115712,True,31/10/2017,bad time,,\n"  # 6
        + b'6,115712,True,Tue Oct 31 22:11:45 +0000 2017,"a quoted\nline break",,1.0\n'  # 7-8
        + b"7,,True,Tue Oct 31 22:11:45 +0000 2017,no author,,\n"  # 9
        + b"8,115712,True,Tue Oct 31 22:11:45 +0000 2017,bad utf8 \xff\xfe here,,abc\n"  # 10
        + b"9,115712,True,Tue Oct 31 22:11:45 +0000 2017,nul \x00 byte,,\n"  # 11
    )
    items = rows_of(data)
    bad = {item.line: item.reason for item in items if isinstance(item, BadRow)}
    good = [item.network_message_id for item in items if not isinstance(item, BadRow)]
    assert good == ["1", "6", "9"]
    assert set(bad) == {3, 4, 5, 6, 9, 10}
    assert "expected 7 fields, found 5" in bad[3]
    assert "tweet_id" in bad[4]
    assert "inbound" in bad[5]
    assert "created_at" in bad[6]
    assert "author_id" in bad[9]
    assert "in_response_to_tweet_id" in bad[10]


def test_an_unclosed_quote_is_one_bad_row_not_a_crash() -> None:
    data = HEADER + b'1,115712,True,Tue Oct 31 22:11:45 +0000 2017,"never closed,,\n' + GOOD * 3
    items = rows_of(data)
    assert all(isinstance(item, BadRow) for item in items)
    assert items[0].line == 2


def test_a_file_that_is_not_twcs_is_refused_with_the_expected_header() -> None:
    with pytest.raises(TwcsFormatError, match="expected the header tweet_id,author_id"):
        rows_of(b"id,text\n1,hello\n")
    with pytest.raises(TwcsFormatError, match="empty"):
        rows_of(b"")


def test_twitter_times_parse_to_utc() -> None:
    assert parse_twitter_time("Tue Oct 31 22:10:47 +0000 2017").isoformat() == "2017-10-31T22:10:47+00:00"
    assert parse_twitter_time("Tue Oct 31 22:10:47 +0200 2017").isoformat() == "2017-10-31T20:10:47+00:00"
    with pytest.raises(ValueError, match="not a Twitter time"):
        parse_twitter_time("Tue Foo 31 22:10:47 +0000 2017")


def test_importing_the_sample_twice_adds_nothing(engine: Engine, ingestor: Ingestor) -> None:
    first = import_twcs(ingestor, SAMPLE, batch_size=1_000)
    conversations_after_first = len(all_conversations(engine))
    second = import_twcs(ingestor, SAMPLE, batch_size=1_000)
    assert (first.rows, first.bad_rows, first.ingest.stored) == (5_000, 0, 5_000)
    assert (second.ingest.stored, second.ingest.duplicates) == (0, 5_000)
    assert message_count(engine) == 5_000
    assert len(all_conversations(engine)) == conversations_after_first == 1_312


def test_bad_rows_never_stop_an_import_nor_half_write_a_row(
    engine: Engine, ingestor: Ingestor, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        HEADER + GOOD + b"2,115712,True,not a time,half a row,,1\n" + GOOD.replace(b"1,", b"3,", 1)
    )
    report = import_twcs(ingestor, path, batch_size=1)
    assert (report.rows, report.bad_rows, report.ingest.stored) == (3, 1, 2)
    assert report.bad_row_samples == [BadRow(3, "created_at is not a Twitter time: 'not a time'")]
    with engine.connect() as connection:
        assert sorted(connection.scalars(select(messages.c.network_message_id))) == ["1", "3"]


def test_brand_tweets_create_their_brand_accounts(engine: Engine, ingestor: Ingestor) -> None:
    import_twcs(ingestor, SAMPLE)  # the bundled sample: runs wherever the checkout is
    with engine.connect() as connection:
        handles = set(connection.scalars(select(brand_accounts.c.handle)))
    assert {"AppleSupport", "ChaseSupport"} <= handles
    assert not any(h.isdigit() for h in handles)


def test_an_import_restores_the_garbage_collector_thresholds(ingestor: Ingestor) -> None:
    import gc

    before = gc.get_threshold()
    import_twcs(ingestor, SAMPLE)
    assert gc.get_threshold() == before
