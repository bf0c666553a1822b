"""PII finder: exact offsets on the kinds it must find, silence on the look-alikes it must not."""

from __future__ import annotations

import pytest

from caredesk.triage.pii import find_pii, luhn_valid
from caredesk.triage.pii_eval import evaluate_pii


def found(text: str) -> list[tuple[str, str]]:
    return [(span.type, text[span.start : span.end]) for span in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my card is 4111 1111 1111 1111 pls", [("card", "4111 1111 1111 1111")]),
        ("4012-8888-8888-1881 was charged twice", [("card", "4012-8888-8888-1881")]),
        ("amex 3782 822463 10005.", [("card", "3782 822463 10005")]),
        ("card 5555555555554444", [("card", "5555555555554444")]),
        ("email me at jane.doe84+care@gmail.com ok", [("email", "jane.doe84+care@gmail.com")]),
        ("call me on (415) 555-2671 tonight", [("phone", "(415) 555-2671")]),
        ("ring 07700 900123 or +44 20 7946 0958", [("phone", "07700 900123"), ("phone", "+44 20 7946 0958")]),
        ("India: +91 98765 43210", [("phone", "+91 98765 43210")]),
        ("waited an hour...919-675-0985", [("phone", "919-675-0985")]),
        ("send it to 221B Baker Street, London NW1 6XE", [("address", "221B Baker Street, London NW1 6XE")]),
        (
            "ship to 1600 Pennsylvania Ave NW, Washington, DC 20500 today",
            [("address", "1600 Pennsylvania Ave NW, Washington, DC 20500")],
        ),
        ("order #112-4839205-7731846 never came", [("order", "112-4839205-7731846")]),
        ("My booking number is: KZBCKZ", [("order", "KZBCKZ")]),
        ("tracking number 1Z999AA10123456784 thanks", [("order", "1Z999AA10123456784")]),
        ("tracking 5180735251790 says delivered", [("order", "5180735251790")]),
    ],
)
def test_finds_pii_at_exact_offsets(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "@115712 @AmazonHelp where is it",  # handles with digits
        "see https://www.ups.com/track?tracknum=1Z999AA10123456784 and amzn.to/2zXy1234567",
        "flight UA 1234 on 12/10/2017 at 06:52, paid $1,299.99",
        "since 2017-11-03, iOS 11.1.2, rating 4.53",
        "card 4111 1111 1111 1112",  # fails Luhn
        "5 minutes down the road",
        "I have 12345678 points",  # not a phone: too short to be one unformatted
        "ORDER PLACED yesterday",
        "Thanks for sharing the love, Alisa",
    ],
)
def test_ignores_look_alikes(text: str) -> None:
    assert found(text) == []


def test_luhn_valid_digits_grouped_like_no_card_are_not_a_card() -> None:
    assert found("order 404-9266355-4116356") == [("order", "404-9266355-4116356")]


def test_nothing_inside_handles_or_urls() -> None:
    assert found("@jane_doe84 https://x.com/4111111111111111 @4111111111111111 @07700900123") == []


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("378282246310005")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("4111 1111")  # digits only


def test_offsets_survive_astral_characters() -> None:
    text = "😡😡 call 020 7946 0958"
    [span] = find_pii(text)
    assert text[span.start : span.end] == "020 7946 0958"


def test_shipped_pii_set_scores() -> None:
    scores = evaluate_pii()
    assert scores.messages >= 290
    assert scores.overall.precision >= 0.95
    assert scores.overall.recall >= 0.85
    assert scores.by_type["card"].recall == 1.0
