"""Build src/caredesk/triage/data/pii_dev.jsonl: real tweets labelled for personal data.

Four kinds of rows, every one a real tweet from "Customer Support on Twitter" (Thought
Vector) or "Twitter US Airline Sentiment" (CrowdFlower), both CC BY-NC-SA 4.0:

* real: tweets that carry personal data as posted (order and booking numbers, phone numbers,
  e-mail addresses), labelled by hand below as exact substrings;
* planted: other tweets with a realistic value appended at a recorded offset: well-known
  test card numbers (Luhn-valid, never issued), phone numbers in several countries' formats,
  e-mail addresses, street addresses, order and booking numbers;
* planted negatives: tweets with things that look like personal data and are not (flight
  numbers, prices, dates, versions, ids inside URLs, @handles with digits);
* negatives: tweets with digits or handles and no personal data.

TWCS was anonymised by its publishers (handles became numbers, some e-mails and card
numbers became `__email__`/`__credit_card__`); tweets with those placeholders are skipped.
The hand labels were made by reading every TWCS and airline tweet that a broad pattern
(long digit runs, e-mails, booking words near codes, phone shapes) picked out; negatives were
then checked against what the finder reported, and real misses of the labels were fixed.
Fixed seed: running it again writes the same file. Usage:

    .venv/bin/python scripts/make_pii_set.py [--data /work/shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "caredesk" / "triage" / "data" / "pii_dev.jsonl"
SEED = 20171031

# (source, tweet id) -> the personal data in it, as (type, exact substring) in text order.
REAL: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("twcs", "317275"): [("order", "5180735251790")],
    ("twcs", "2774646"): [("order", "GWRR171121BJGT")],
    ("twcs", "6291"): [("order", "TWVGHQ")],
    ("twcs", "2410551"): [("order", "Q31152677113")],
    ("twcs", "355557"): [("order", "404-9266355-4116356")],
    ("twcs", "2398762"): [("phone", "03456402020")],
    ("twcs", "249433"): [
        ("order", "VG6YSQ"),
        ("order", "0958V6"),
        ("order", "52YZAC"),
        ("order", "RMDBWO"),
        ("order", "L9WWHK"),
        ("order", "LCDKSZ"),
    ],
    ("twcs", "1044189"): [("order", "407-2140355-6395516")],
    ("twcs", "2753141"): [("order", "DFHMDC")],
    ("twcs", "2701981"): [("phone", "800-252-7522")],
    ("twcs", "1278961"): [("order", "17570523")],
    ("twcs", "319115"): [("order", "171-5291209-1125912")],
    ("twcs", "2851508"): [("order", "GCCOQ3")],
    ("twcs", "1011664"): [("order", "407-2437836-0383554")],
    ("twcs", "2673586"): [("phone", "0333 014 8222")],
    ("twcs", "985102"): [("order", "406-6819621-4057152")],
    ("twcs", "1214570"): [("order", "F658A")],
    ("twcs", "498741"): [("order", "467624745")],
    ("twcs", "982530"): [("order", "406-3201004-2767545")],
    ("twcs", "844825"): [("phone", "844.401.8500")],
    ("twcs", "390690"): [("phone", "1-800-379-6453")],
    ("twcs", "1344933"): [("phone", "08000 158 123")],
    ("twcs", "2026893"): [("phone", "800.591.3869")],
    ("twcs", "1133794"): [("phone", "0800 028 0202")],
    ("twcs", "2550878"): [("phone", "1-800-837-4966")],
    ("twcs", "1083740"): [("phone", "1-800-379-6453")],
    ("twcs", "2390264"): [("phone", "0800 042 0800")],
    ("twcs", "2804041"): [("phone", "631.807.9555")],
    ("twcs", "1168340"): [("phone", "0708118005")],
    ("twcs", "1476258"): [("phone", "0345 322 0000")],
    ("twcs", "2340457"): [("phone", "0343 222 1234")],
    ("twcs", "1566198"): [("phone", "0844 824 3115")],
    ("twcs", "2095000"): [("phone", "888 750 3284")],
    ("twcs", "1304556"): [("phone", "1-800-742-5877")],
    ("twcs", "1590714"): [("phone", "1-888-750-3284")],
    ("twcs", "1293036"): [("phone", "1-866-216-1072")],
    ("twcs", "2274495"): [("order", "KZBCKZ")],
    ("twcs", "851494"): [("phone", "08157803688")],
    ("twcs", "2212290"): [("phone", "800-435-9792")],
    ("twcs", "787121"): [("phone", "1-866-216-1072")],
    ("twcs", "518242"): [("phone", "+6568042767")],
    ("twcs", "1652033"): [("order", "NWDBPN")],
    ("twcs", "2782571"): [("phone", "877-799-7827")],
    ("twcs", "1263355"): [("order", "BI3TNC")],
    ("twcs", "1283186"): [("phone", "0728865609")],
    ("twcs", "1607582"): [("order", "TJ8GRS")],
    ("twcs", "103625"): [("phone", "08056467521")],
    ("airline", "568630879246901248"): [("phone", "914-329-0185")],
    ("airline", "568174745293709313"): [("email", "info@virginamerica.com")],
    ("airline", "570106249024446464"): [("email", "eservice@united.com"), ("order", "BG0KWM")],
    ("airline", "570074864708669440"): [
        ("order", "0016 964012"),
        ("order", "0016 964077"),
        ("order", "0016 964078"),
    ],
    ("airline", "569988839919394816"): [("phone", "917 703 1472")],
    ("airline", "569365692618661888"): [("phone", "919-675-0985")],
    ("airline", "569007103542587392"): [("phone", "310-795-2210")],
    ("airline", "568883475534745600"): [("email", "dmangen@visualclubconcepts.com")],
    ("airline", "568588791830736896"): [("order", "G6455C")],
    ("airline", "568484161356476416"): [("phone", "800-335-2247")],
}

# Well-known test card numbers published by payment processors: Luhn-valid, never issued.
TEST_CARDS = (
    "4111 1111 1111 1111",
    "4012-8888-8888-1881",
    "5555555555554444",
    "5105 1051 0510 5100",
    "3782 822463 10005",
    "371449635398431",
    "6011 1111 1111 1117",
    "6011-0009-9013-9424",
    "3530111333300000",
    "4242 4242 4242 4242",
    "2223 0031 2200 3222",
    "5200-8282-8282-8210",
)
PHONES = (
    "(415) 555-2671",
    "415-555-2671",
    "+1 212 867 5309",
    "07700 900123",
    "+44 20 7946 0958",
    "020 7946 0958",
    "+91 98765 43210",
    "+49 30 12345678",
    "+33 6 12 34 56 78",
    "+34 612 34 56 78",
    "0412 345 678",
    "+55 11 91234-5678",
    "+353 87 123 4567",
    "312.555.0188",
)
EMAILS = (
    "jane.doe84@gmail.com",
    "mike_w@outlook.com",
    "s.patel@yahoo.co.uk",
    "carlos.m+orders@hotmail.com",
    "anna-lena.k@web.de",
    "tom1992@icloud.com",
    "priya.r@rediffmail.com",
    "jb@fastmail.fm",
)
ADDRESSES = (
    "742 Evergreen Terrace, Springfield, IL 62704",
    "1600 Amphitheatre Parkway, Mountain View, CA 94043",
    "350 Fifth Avenue, New York, NY 10118",
    "221B Baker Street, London NW1 6XE",
    "10 Downing Street, London SW1A 2AA",
    "55 Elm St apt 4B, Boston, MA 02118",
    "12 High Street, Leeds LS1 4DY",
    "4059 Mt Lee Dr, Hollywood, CA 90068",
    "1 Infinite Loop, Cupertino, CA 95014",
    "88 Colin P Kelly Jr Street, San Francisco, CA 94107",
)
ORDERS = (
    ("order #", "112-4839205-7731846"),
    ("order number ", "403-1938475-2201938"),
    ("my booking reference is ", "K9XQ2P"),
    ("confirmation number: ", "8XRT5L"),
    ("tracking number ", "1Z999AA10123456784"),
    ("PNR ", "QW3ERT"),
    ("reservation code ", "HJ7K2M"),
    ("case #", "04512873"),
    ("ref: ", "ABX-449201"),
)
LEADS = {
    "card": ("my card is ", "card number ", "charged on ", "use this one: ", " ", "visa "),
    "phone": ("call me on ", "my number is ", "text ", "pls ring ", " ", "reach me at "),
    "email": ("email me at ", "my email is ", " ", "contact: ", "write to "),
    "address": ("ship it to ", "I live at ", "deliver to ", "address: ", " "),
}
DECOYS = (
    "flight UA 1234 delayed again",
    "on flight 2231 from JFK",
    "paid $1,299.99 for this",
    "it was £45.50 for a taxi",
    "booked for 12/10/2017 at 06:52",
    "since 2017-11-03",
    "running iOS 11.1.2 on an iPhone 8",
    "rating dropped from 4.53 to 4.51",
    "see https://www.ups.com/track?tracknum=1Z999AA10123456784",
    "https://amzn.to/2zXy1234567 here",
    "cc @user12345678 and @115712",
    "model SM-G950U, 64GB",
    "waited 45 minutes on hold, call 2 of 3",
    "seat 23A row 12 gate B44",
    "order arrived on 24 Nov, 3 days late",
    "case 2 of 2, order 1 of 3",
    "http://t.co/6H5uEZH4cv",
    "i paid 15000 naira",
    "room 1204 at the hotel",
    "my 2nd order this week",
)
PLACEHOLDER = re.compile(r"__\w+__")
_DIGIT = re.compile(r"\d")


def read_tweets(data: Path) -> dict[tuple[str, str], str]:
    tweets: dict[tuple[str, str], str] = {}
    with (data / "twcs" / "twcs_random5000.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            tweets["twcs", row["tweet_id"]] = row["text"]
    for split in ("train", "dev"):
        path = data / "airline" / f"airline_sentiment_{split}.csv"
        with path.open(encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream):
                tweets["airline", row["tweet_id"]] = row["text"]
    return tweets


def labelled(text: str, values: list[tuple[str, str]]) -> list[dict[str, object]]:
    spans = []
    position = 0
    for kind, value in values:
        start = text.index(value, position)
        spans.append({"type": kind, "start": start, "end": start + len(value)})
        position = start + len(value)
    return spans


def planted(text: str, kind: str, value: str, lead: str) -> tuple[str, list[dict[str, object]]]:
    base = text.rstrip()
    joined = f"{base} {lead}"
    start = len(joined)
    return f"{joined}{value}", [{"type": kind, "start": start, "end": start + len(value)}]


def build(data: Path) -> list[dict[str, object]]:
    rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
    tweets = read_tweets(data)
    rows: list[dict[str, object]] = []
    for key, values in REAL.items():
        text = tweets[key]
        rows.append(_row(key, "real", text, labelled(text, values)))
    pool = sorted(
        key
        for key, text in tweets.items()
        if key not in REAL and not PLACEHOLDER.search(text) and len(text) < 200 and not _has_shape(text)
    )
    rng.shuffle(pool)
    chosen = iter(pool)
    plantable = {"card": TEST_CARDS, "phone": PHONES, "email": EMAILS, "address": ADDRESSES}
    for kind, options in plantable.items():
        for value in options * 2:
            key = next(chosen)
            text, spans = planted(tweets[key], kind, value, rng.choice(LEADS[kind]))
            rows.append(_row(key, "planted", text, spans))
    for lead, value in ORDERS * 2:
        key = next(chosen)
        text, spans = planted(tweets[key], "order", value, lead)
        rows.append(_row(key, "planted", text, spans))
    for decoy in DECOYS * 2:
        key = next(chosen)
        rows.append(_row(key, "planted_negative", f"{tweets[key].rstrip()} {decoy}", []))
    negatives = [key for key in pool if _DIGIT.search(tweets[key])]
    for key in negatives[-90:]:
        rows.append(_row(key, "negative", tweets[key], []))
    return rows


def _has_shape(text: str) -> bool:
    """Long digit runs, e-mails and codes: tweets that may hold unlabelled personal data."""
    return bool(re.search(r"\d{5,}|\d{3}[-. ]\d{3}|@\w+\.\w|\b(?=[A-Z]*\d)[A-Z0-9]{6}\b", text))


def _row(key: tuple[str, str], kind: str, text: str, spans: list[dict[str, object]]) -> dict[str, object]:
    return {"id": f"{key[0]}:{key[1]}", "kind": kind, "text": text, "pii": spans}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    rows = build(args.data)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as stream:
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
