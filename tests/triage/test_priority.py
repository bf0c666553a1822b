"""Priority: what comes first, the sentences that say why, and recomputing it as time passes."""

from __future__ import annotations

from caredesk.triage.priority import Priority, PrioritySignals, priority


def signals(**changes: object) -> PrioritySignals:
    fields: dict[str, object] = {
        "urgency": "normal",
        "urgency_reasons": (),
        "complaint": False,
        "sentiment": "neutral",
        "actionable": True,
        "competitor": None,
        "opportunity": False,
        "public_pii_types": (),
    }
    fields.update(changes)
    return PrioritySignals(**fields)  # type: ignore[arg-type]


ANGRY = signals(urgency="high", urgency_reasons=("anger", "reach"), complaint=True, sentiment="negative")
THANKS = signals(urgency="low", sentiment="positive", actionable=False)


def test_angry_big_account_complaint_outranks_thanks() -> None:
    angry = priority(ANGRY, followers=50_000, waiting_minutes=0)
    thanks = priority(THANKS, followers=50_000, waiting_minutes=0)
    assert angry.score > thanks.score + 40
    assert angry.reasons[:2] == ("angry complaint", "50k followers")


def test_thanks_from_nobody_scores_zero() -> None:
    assert priority(THANKS, followers=12, waiting_minutes=None) == Priority(0, ())


def test_waiting_raises_priority_and_says_so() -> None:
    fresh = priority(signals(), followers=None, waiting_minutes=5)
    waited = priority(signals(), followers=None, waiting_minutes=180)
    assert waited.score > fresh.score
    assert "waiting 3 h" in waited.reasons
    assert not any(reason.startswith("waiting") for reason in fresh.reasons)


def test_threats_and_public_card_are_named() -> None:
    result = priority(
        signals(
            urgency="critical", urgency_reasons=("legal", "churn", "pii_public"), public_pii_types=("card",)
        ),
        followers=1_200_000,
        waiting_minutes=3 * 24 * 60,
    )
    assert result.score == 100
    assert result.reasons[0] == "legal or regulator threat"
    assert {"threatens to leave", "card number posted in public", "1.2M followers", "waiting 3 days"} <= set(
        result.reasons
    )


def test_opportunity_names_the_competitor() -> None:
    result = priority(signals(opportunity=True, competitor="Verizon", complaint=True), None, None)
    assert "unhappy Verizon customer" in result.reasons


def test_recomputed_from_stored_fields() -> None:
    stored = {
        "urgency": "high",
        "urgency_reasons": ["anger", "pii_public"],
        "complaint": True,
        "sentiment": "negative",
        "actionable": True,
        "competitor": None,
        "opportunity": False,
        "pii": [{"type": "phone", "start": 0, "end": 12}, {"type": "order", "start": 20, "end": 26}],
        "public": True,
    }
    restored = PrioritySignals.from_json(stored)
    assert restored.public_pii_types == ("phone",)
    assert priority(restored, 2_000, 60).score < priority(restored, 2_000, 240).score
