"""Personal data in a message: where it is, so it can be masked, and what kind it is.

A customer who posts a card number or a home address in public needs the brand to say so
and move to a private channel. Each finder favours precision: a false "card number" on a
price or a tracking URL would teach agents to ignore the warning. Nothing inside an @handle
or a URL counts, and offsets are in characters of the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import phonenumbers

from caredesk.triage.social import ANALYSED_CHARS, masked

__all__ = ["PII_TYPES", "PiiSpan", "find_pii", "luhn_valid"]

PII_TYPES: Final = ("card", "email", "order", "phone", "address")
"""Kinds of personal data found; when two overlap, the earlier kind in this tuple wins."""


@dataclass(frozen=True, slots=True, order=True)
class PiiSpan:
    """One piece of personal data: `text[start:end]` is it."""

    start: int
    end: int
    type: str

    def to_json(self) -> dict[str, object]:
        return {"type": self.type, "start": self.start, "end": self.end}


def find_pii(text: str) -> list[PiiSpan]:
    """Every piece of personal data in the first `ANALYSED_CHARS` of `text`, in order, none overlapping."""
    visible = masked(text[:ANALYSED_CHARS])
    if not _HAS_DIGIT_OR_AT.search(visible):
        return []
    found = [
        *_emails(visible),
        *_cards(visible),
        *_phones(visible),
        *_addresses(visible),
        *_orders(visible),
    ]
    rank = {kind: position for position, kind in enumerate(PII_TYPES)}
    kept: list[PiiSpan] = []
    for span in sorted(found, key=lambda span: (rank[span.type], span.start)):
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept)


_HAS_DIGIT_OR_AT = re.compile(r"[\d@]|[A-Z]{5}")  # no digit, no @, no code: nothing to find


def luhn_valid(digits: str) -> bool:
    """The Luhn check every payment card number passes (and 9 in 10 random numbers fail)."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


_EMAIL = re.compile(r"\b[\w.%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b", re.IGNORECASE)


def _emails(text: str) -> list[PiiSpan]:
    return [PiiSpan(*match.span(), "email") for match in _EMAIL.finditer(text)]


# 13 to 19 digits, grouped by single spaces or dashes, not part of a longer run of digits.
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d]|-\d)")
# (prefixes, lengths) of the card networks: Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay.
_CARD_NETWORKS: Final = (
    (("4",), (13, 16, 19)),
    (tuple(str(p) for p in [*range(51, 56), *range(2221, 2721)]), (16,)),
    (("34", "37"), (15,)),
    (("6011", "65", *(str(p) for p in range(644, 650))), (16, 17, 18, 19)),
    (("35",), (16, 17, 18, 19)),
    (("36", "38", "300", "301", "302", "303", "304", "305"), (14, 15, 16)),
    (("62",), (16, 17, 18, 19)),
)
# How people group the digits: fours (the last group may be shorter), or Amex/Diners' 4-6-5 and 4-6-4.
_CARD_GROUPS = re.compile(r"^\d{4}(?:[ -]\d{4})*(?:[ -]\d{1,4})?$|^\d{4}[ -]\d{6}[ -]\d{4,5}$")


def _cards(text: str) -> list[PiiSpan]:
    spans = []
    for match in _CARD.finditer(text):
        written = match.group()
        digits = re.sub(r"[ -]", "", written)
        grouped = written.isdigit() or _CARD_GROUPS.match(written)
        if grouped and _card_network(digits) and len(set(digits)) > 1 and luhn_valid(digits):
            spans.append(PiiSpan(*match.span(), "card"))
    return spans


def _card_network(digits: str) -> bool:
    return any(digits.startswith(prefixes) and len(digits) in lengths for prefixes, lengths in _CARD_NETWORKS)


# A run that could be a phone number: an optional +, then digits with the separators people
# type (space, dot, dash, parentheses), 7 to 15 digits in all.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+-])(?<!\d\.)(?:\+|00)?\(?\d[\d .()-]{5,18}\d(?![\w-]|\.\d)")
_PHONE_REGIONS: Final = (
    "US",
    "GB",
    "IN",
    "AU",
    "DE",
    "FR",
    "ES",
    "IT",
    "NL",
    "BR",
    "MX",
    "IE",
    "NG",
    "KE",
    "ZA",
    "PH",
)
"""Where a number written without a country code is tried, in order."""
_MIN_BARE_PHONE_DIGITS = 10
_DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
_PRICE_BEFORE = re.compile(r"[$£€¥₹]\s*$|\b(?:usd|eur|gbp|rs\.?|inr)\s*$", re.IGNORECASE)


def _phones(text: str) -> list[PiiSpan]:
    spans = []
    for match in _PHONE_CANDIDATE.finditer(text):
        candidate = match.group()
        digits = sum(char.isdigit() for char in candidate)
        if not 7 <= digits <= 15 or _DATE_LIKE.match(candidate):
            continue
        if digits < _MIN_BARE_PHONE_DIGITS and candidate.isdigit():
            continue  # "my order 12345678": an unformatted short number is more often an id
        if _PRICE_BEFORE.search(text[max(0, match.start() - 5) : match.start()]):
            continue
        if _is_phone_number(candidate):
            start, end = match.span()
            if candidate.startswith("(") and ")" not in candidate:
                start += 1
            spans.append(PiiSpan(start, end, "phone"))
    return spans


def _is_phone_number(candidate: str) -> bool:
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    for region in (None,) if candidate.startswith("+") else _PHONE_REGIONS:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


_STREET_TYPES = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|terrace|"
    r"parkway|pkwy|highway|hwy|circle|cir|square|sq|close|crescent|cres|grove|gardens|row|trail|"
    r"walk|mews|hill|park|loop|plaza|alley"
)
# "221B Baker Street", "1600 Pennsylvania Ave NW", then optionally ", Springfield, IL 62704".
_STREET = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[NSEW]\.?\s+)?(?:(?:[A-Z][a-z]+|[A-Z])\.?\s+){{1,4}}(?i:{_STREET_TYPES})\b\.?"
    r"(?:\s+(?:[NS][EW]|[NSEW])\b)?"
    r"(?:,?\s+(?i:apt|apartment|suite|ste|unit|flat)\.?\s*#?\s*\w{1,6})?"
)
_US_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
]
# "Springfield, IL 62704": a state code and a ZIP code together are an address, a bare 5 digits are not.
_CITY_STATE_ZIP = re.compile(
    rf"\b(?:[A-Z][a-z]+\s){{0,2}}[A-Z][a-z]+,?\s+(?:{'|'.join(_US_STATES)})\s+\d{{5}}(?:-\d{{4}})?\b"
)
# UK postcodes ("SW1A 1AA", "M1 1AE"), in capitals as they are written on envelopes.
_UK_POSTCODE = re.compile(r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s?\d[ABD-HJLNP-UW-Z]{2}\b")
# Indian PIN codes appear with their label: "pincode-800020", "PIN: 560001".
_PIN_CODE = re.compile(r"\bpin\s?-?code\s*[:-]?\s*\d{6}\b|\bPIN\s*[:-]?\s*\d{6}\b", re.IGNORECASE)


def _addresses(text: str) -> list[PiiSpan]:
    spans = [PiiSpan(*match.span(), "address") for match in _STREET.finditer(text)]
    for pattern in (_CITY_STATE_ZIP, _UK_POSTCODE, _PIN_CODE):
        spans.extend(PiiSpan(*match.span(), "address") for match in pattern.finditer(text))
    return _merge_touching(spans, text)


def _merge_touching(spans: list[PiiSpan], text: str) -> list[PiiSpan]:
    """A street and the city/postcode that follows it are one address, not two."""
    merged: list[PiiSpan] = []
    for span in sorted(spans):
        if merged and (span.start <= merged[-1].end or _only_glue(text[merged[-1].end : span.start])):
            merged[-1] = PiiSpan(merged[-1].start, max(span.end, merged[-1].end), "address")
        else:
            merged.append(span)
    return merged


_GLUE = re.compile(r"^[\s,]{1,3}(?:[A-Z][a-z]+[\s,]{1,3}){0,3}$")


def _only_glue(between: str) -> bool:
    return bool(_GLUE.match(between))


# An id within a few words after the word that names it: "order #112-3456789-1234567",
# "booking reference is K9XQ2P", "confirmation number: 8XRT5L", "tracking no. 1Z999AA10123456784".
_ORDER_WORDS = (
    r"order|booking|confirmation|conf|pnr|reference|ref|tracking|reservation|record\s+locator|"
    r"case|ticket|invoice|claim|receipt|rma|consignment|awb|shipment|parcel|package"
)
_ORDER = re.compile(
    rf"\b(?:{_ORDER_WORDS})(?:\s+(?:number|num|no|code|id|nr))?\.?"
    r"(?:(?:\s*(?:is|was|:|#|-|=)){1,2}\s*|\s+)(?:(?:is|was|of|for|#)\s*){0,2}"
    r"[#\"“(]?(?P<id>(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z0-9]{5})[A-Z0-9][A-Z0-9-]{4,30})(?![\w-])",
    re.IGNORECASE,
)
# Airline record locators are six capitals and may hold no digit ("booking ref is DFHMDC").
_RECORD_LOCATOR = re.compile(
    r"\b(?i:booking|confirmation|conf|pnr|reference|ref|reservation|record\s+locator)"
    r"(?i:\s+(?:number|no|code|ref))?\.?(?:(?:\s*(?:is|was|:|#|-|=)){1,2}\s*|\s+)(?:(?:is|was|of|for)\s*)?"
    r"[#\"“(]?(?P<id>[A-Z]{6})(?![\w-])"
)
_AMAZON_ORDER = re.compile(r"(?<![\w-])#?\d{3}-\d{7}-\d{7}(?![\w-])")


def _orders(text: str) -> list[PiiSpan]:
    spans = [PiiSpan(*match.span("id"), "order") for match in _ORDER.finditer(text)]
    spans.extend(PiiSpan(*match.span("id"), "order") for match in _RECORD_LOCATOR.finditer(text))
    spans.extend(
        PiiSpan(match.start() + match.group().startswith("#"), match.end(), "order")
        for match in _AMAZON_ORDER.finditer(text)
    )
    return spans
