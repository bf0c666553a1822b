"""Urgency, competitors and actionable: the rules around the learned classifiers."""

from __future__ import annotations

import pytest

from caredesk.triage.actionable import is_actionable
from caredesk.triage.competitors import find_competitor
from caredesk.triage.pii import find_pii
from caredesk.triage.urgency import Urgency, assess_urgency


def urgency(
    text: str,
    *,
    sentiment: str = "negative",
    complaint: bool = True,
    followers: int | None = None,
    public: bool = True,
) -> Urgency:
    return assess_urgency(
        text,
        sentiment=sentiment,
        complaint=complaint,
        actionable=complaint or "?" in text,
        followers=followers,
        pii=find_pii(text),
        public=public,
    )


@pytest.mark.parametrize(
    ("text", "reason", "level"),
    [
        ("my charger caught fire last night and burned the desk", "safety", "critical"),
        ("the driver was drunk and I feel unsafe", "safety", "critical"),
        ("I have contacted my lawyer about this", "legal", "high"),
        ("reporting you to the FCC and the Better Business Bureau", "legal", "high"),
        ("I'm cancelling my subscription today", "churn", "high"),
        ("switching to another carrier, done with you", "churn", "high"),
        ("going to the press with this story", "press", "high"),
        ("THIS IS THE WORST SERVICE EVER", "anger", "high"),
    ],
)
def test_urgency_reasons(text: str, reason: str, level: str) -> None:
    result = urgency(text)
    assert reason in result.reasons
    assert result.level == level


def test_two_serious_reasons_are_critical() -> None:
    assert urgency("this is ridiculous, I'm calling my lawyer and cancelling my account").level == "critical"


def test_calm_thanks_is_low() -> None:
    result = urgency("thanks, all sorted now", sentiment="positive", complaint=False)
    assert result == Urgency("low", ())


def test_reach_raises_an_unhappy_post_only() -> None:
    assert urgency("my parcel is late", followers=50_000) == Urgency("high", ("reach",))
    thanks = urgency("love the new app", sentiment="positive", complaint=False, followers=50_000)
    assert thanks == Urgency("low", ())


def test_card_in_public_is_high_and_private_is_not_flagged() -> None:
    text = "my card 4111 1111 1111 1111 was charged twice"
    assert urgency(text, complaint=False, sentiment="neutral") == Urgency("high", ("pii_public",))
    private = urgency(text, complaint=False, sentiment="neutral", public=False)
    assert "pii_public" not in private.reasons


def test_anger_needs_an_unhappy_message() -> None:
    assert "anger" not in urgency("BEST PIZZA EVER!!!", sentiment="positive", complaint=False).reasons


@pytest.mark.parametrize(
    ("text", "competitor", "opportunity"),
    [
        ("@VerizonSupport my phone has had no signal for 3 days", "Verizon", True),
        ("verizon dropped my call again, so bad", "Verizon", True),
        ("@acme thinking of switching to Verizon, you never answer", "Verizon", False),
        ("@acme T-Mobile is way better than you", "T-Mobile", False),
        ("@acme horizons are broad, no competitor here", None, False),
    ],
)
def test_competitor_and_opportunity(text: str, competitor: str | None, opportunity: bool) -> None:
    mention = find_competitor(text, ["Verizon", "T-Mobile"], unhappy=True, brand="acme")
    assert (mention.competitor, mention.opportunity) == (competitor, opportunity)


def test_competitor_praise_is_no_opportunity_and_brand_is_never_a_competitor() -> None:
    assert not find_competitor("love my Verizon phone", ["Verizon"], unhappy=False).opportunity
    assert find_competitor("@acme hello", ["@acme"], unhappy=True, brand="ACME").competitor is None


@pytest.mark.parametrize(
    ("text", "complaint", "sentiment", "intent", "expected"),
    [
        ("how do I change my address", False, "neutral", "question_other", True),
        ("please refund my order", False, "neutral", "question_other", True),
        ("the app keeps crashing after the update", False, "negative", "question_other", True),
        ("I can't log in", False, "neutral", "question_other", True),
        ("my parcel has been sitting in the depot since monday", False, "neutral", "delivery", True),
        ("thanks for the quick fix!", False, "positive", "praise", False),
        ("can't wait to fly with you again", False, "positive", "praise", False),
        ("thanks for your help", False, "positive", "praise", False),
        ("just ordered mine!", False, "positive", "ordering", False),
        ("watching the game tonight", False, "neutral", "question_other", False),
        ("you are the worst", True, "negative", "complaint_about_service", True),
    ],
)
def test_actionable(text: str, complaint: bool, sentiment: str, intent: str, expected: bool) -> None:
    assert is_actionable(text, complaint=complaint, sentiment=sentiment, intent=intent) is expected
