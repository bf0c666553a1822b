"""Threading decisions, pure: no database involved."""

from __future__ import annotations

from datetime import timedelta

from caredesk.ingest.threading import Arrival, Known, StoredConversation, plan_threads
from tests.conftest import at

WEEK = timedelta(days=7)


def arrival(
    message_id: str,
    reply_to: str | None = None,
    *,
    minutes: float = 0,
    private: bool = False,
    inbound: bool = True,
    contact: int | None = 1,
    account: int | None = 10,
) -> Arrival:
    return Arrival(message_id, reply_to, private, inbound, at(minutes), account, contact)


def grouped(groups: list, arrivals: list[Arrival]) -> set[frozenset[str]]:
    return {frozenset(arrivals[i].network_message_id for i in g.arrivals) for g in groups}


def test_a_reply_chain_in_one_batch_is_one_new_conversation() -> None:
    arrivals = [arrival("1"), arrival("2", "1", inbound=False), arrival("3", "2")]
    groups = plan_threads(arrivals, Known(), WEEK)
    assert grouped(groups, arrivals) == {frozenset({"1", "2", "3"})}
    assert groups[0].conversation_id is None
    assert groups[0].new_status == "open"


def test_replies_listed_before_their_parents_still_end_in_one_conversation() -> None:
    arrivals = [arrival("3", "2"), arrival("2", "1", inbound=False), arrival("1")]
    assert grouped(plan_threads(arrivals, Known(), WEEK), arrivals) == {frozenset({"1", "2", "3"})}


def test_a_reply_joins_its_stored_parents_conversation() -> None:
    known = Known(parents={"1": 7}, conversations={7: StoredConversation(7, "open", None)})
    [group] = plan_threads([arrival("2", "1")], known, WEEK)
    assert group.conversation_id == 7
    assert group.new_status is None


def test_a_late_parent_merges_the_conversations_its_replies_started() -> None:
    known = Known(
        replies={"1": {8, 9}},
        conversations={8: StoredConversation(8, "open", None), 9: StoredConversation(9, "open", None)},
    )
    [group] = plan_threads([arrival("1")], known, WEEK)
    assert (group.conversation_id, group.absorbed) == (8, [9])


def test_a_reply_cycle_does_not_loop() -> None:
    arrivals = [arrival("1", "2"), arrival("2", "1"), arrival("3", "3")]
    groups = plan_threads(arrivals, Known(), WEEK)
    assert grouped(groups, arrivals) == {frozenset({"1", "2"}), frozenset({"3"})}


def test_a_missing_parent_starts_a_conversation() -> None:
    [group] = plan_threads([arrival("5", "404")], Known(), WEEK)
    assert group.conversation_id is None


def test_private_messages_join_the_latest_conversation_of_the_same_customer_and_account() -> None:
    known = Known(private_threads={(10, 1): 7}, conversations={7: StoredConversation(7, "pending", None)})
    arrivals = [
        arrival("d1", private=True, minutes=1),
        arrival("d2", private=True, minutes=2),
        arrival("d3", private=True, contact=2, minutes=3),
        arrival("d4", private=True, account=11, minutes=4),
    ]
    groups = plan_threads(arrivals, known, WEEK)
    assert grouped(groups, arrivals) == {frozenset({"d1", "d2"}), frozenset({"d3"}), frozenset({"d4"})}
    joined = next(g for g in groups if g.conversation_id == 7)
    assert joined.new_status == "open"  # the customer wrote: no longer waiting on them


def test_a_resolved_conversation_reopens_within_the_window_only() -> None:
    resolved = StoredConversation(7, "resolved", at(0))
    known = Known(parents={"1": 7}, conversations={7: resolved})
    [inside] = plan_threads([arrival("2", "1", minutes=60 * 24 * 6)], known, WEEK)
    assert (inside.conversation_id, inside.new_status, inside.reopened) == (7, "open", True)
    [outside] = plan_threads([arrival("3", "1", minutes=60 * 24 * 8)], known, WEEK)
    assert outside.conversation_id is None


def test_a_late_copy_of_an_old_message_does_not_reopen() -> None:
    known = Known(parents={"1": 7}, conversations={7: StoredConversation(7, "resolved", at(10))})
    [group] = plan_threads([arrival("2", "1", minutes=5)], known, WEEK)
    assert (group.conversation_id, group.reopened) == (7, False)
