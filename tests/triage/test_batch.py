"""`triage_batch` with the shipped classifiers: order kept, priority recomputable from stored fields."""

from __future__ import annotations

from caredesk.triage.batch import triage_batch
from caredesk.triage.inputs import TriageInput
from caredesk.triage.priority import Priority, PrioritySignals, priority

ITEMS = [
    TriageInput("@acme this is ridiculous, my parcel is a week late and nobody answers!!!", followers=50_000),
    TriageInput("@acme thank you, the new app is lovely", followers=50_000),
    TriageInput("@acme call me on 07700 900123 about my refund", waiting_minutes=200, public=False),
]


def test_angry_big_complaint_first_and_thanks_last() -> None:
    angry, thanks, private = triage_batch(ITEMS)
    assert angry.priority > private.priority > thanks.priority
    assert angry.complaint and "anger" in angry.urgency_reasons
    assert thanks.urgency == "low" and not thanks.actionable
    assert [span.type for span in private.pii] == ["phone"]
    assert "pii_public" not in private.urgency_reasons  # a DM: the number was meant for the brand


def test_priority_recomputed_from_stored_json_matches() -> None:
    for item, result in zip(ITEMS, triage_batch(ITEMS), strict=True):
        stored = PrioritySignals.from_json(result.to_json())
        assert stored == result.signals()
        recomputed = priority(stored, item.followers, item.waiting_minutes)
        assert recomputed == Priority(result.priority, result.priority_reasons)


def test_empty_batch() -> None:
    assert triage_batch([]) == []
