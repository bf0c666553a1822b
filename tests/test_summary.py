"""Conversation summaries and report metrics, pure."""

from __future__ import annotations

import pytest

from caredesk.ingest.summary import summarize
from caredesk.reporting.metrics import ConversationFacts, brand_figures
from tests.conftest import at


def test_the_first_response_is_the_first_brand_message_after_the_customers_first() -> None:
    summary = summarize(
        [
            ("outbound", at(0)),
            ("inbound", at(10)),
            ("note", at(11)),
            ("outbound", at(15)),
            ("inbound", at(20)),
        ]
    )
    assert summary.started_by == "brand"
    assert summary.first_customer_message_at == at(10)
    assert summary.first_response_at == at(15)
    assert summary.last_customer_message_at == at(20)
    assert (summary.customer_message_count, summary.brand_message_count) == (2, 2)


def test_at_the_same_second_the_customer_wrote_first() -> None:
    summary = summarize([("outbound", at(5)), ("inbound", at(5))])
    assert (summary.started_by, summary.first_response_at) == ("customer", at(5))


def test_an_unanswered_conversation_has_no_first_response() -> None:
    summary = summarize([("inbound", at(0)), ("inbound", at(3))])
    assert summary.first_response_at is None
    assert summary.last_message_at == at(3)


def test_notes_alone_are_not_a_conversation() -> None:
    with pytest.raises(ValueError, match="at least one"):
        summarize([("note", at(0))])


def test_brand_figures_count_only_customer_started_conversations() -> None:
    facts = [
        ConversationFacts("acme", True, at(0), at(4), 3),
        ConversationFacts("acme", True, at(0), at(2), 1),
        ConversationFacts("acme", True, at(0), None, 0),
        ConversationFacts("acme", False, at(0), at(1), 5),
    ]
    [figures] = brand_figures(facts).values()
    assert (figures.conversations, figures.answered) == (3, 2)
    assert figures.median_first_response_s == 180.0
    assert figures.mean_responses_per_interaction == 2.0


def test_the_customer_waits_since_their_first_message_after_the_brands_last() -> None:
    summary = summarize([("inbound", at(0)), ("outbound", at(5)), ("inbound", at(9)), ("inbound", at(12))])
    assert summary.waiting_since == at(9)
    assert summarize([("inbound", at(0)), ("outbound", at(5))]).waiting_since is None
