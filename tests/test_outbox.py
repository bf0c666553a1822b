"""The outbox worker against real storage and the loopback network's scripted failures."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update

from caredesk.access import load_viewer
from caredesk.actions.replies import do_reply, do_retry_delivery
from caredesk.clock import utcnow
from caredesk.connectors.base import AuthExpired, RateLimited, Transient
from caredesk.connectors.registry import Connectors
from caredesk.db.engine import write_transaction
from caredesk.models import Visibility
from caredesk.models.tables import conversation_events, messages, outbox
from caredesk.outbox.worker import MAX_ATTEMPTS, claim_due, deliver_due, reclaim_stale
from tests.web_support import World


def queue_reply(engine: Engine, world: World, text: str = "On its way") -> int:
    with write_transaction(engine) as connection:
        viewer = load_viewer(connection, world.agents["agent"])
        return do_reply(connection, viewer, world.conversations["acme"], text, Visibility.PUBLIC)


def delivery(engine: Engine, message_id: int) -> tuple[str, int, str | None]:
    with engine.connect() as connection:
        row = connection.execute(
            select(outbox.c.status, outbox.c.attempts, outbox.c.last_error).where(
                outbox.c.message_id == message_id
            )
        ).one()
    return row.status, row.attempts, row.last_error


def make_due(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(update(outbox).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def test_a_sent_reply_carries_the_networks_id_and_is_never_sent_again(engine: Engine, world: World) -> None:
    message_id = queue_reply(engine, world)
    connectors = Connectors(fallback=world.loopback)
    assert deliver_due(engine, connectors) == 1
    make_due(engine)
    assert deliver_due(engine, connectors) == 0
    assert len(world.loopback.sent) == 1
    assert delivery(engine, message_id) == ("sent", 1, None)
    with engine.connect() as connection:
        assert connection.scalar(
            select(messages.c.network_message_id).where(messages.c.id == message_id)
        ) == (f"loopback-{message_id}")
        kinds = connection.execute(
            select(conversation_events.c.kind, conversation_events.c.data).where(
                conversation_events.c.kind == "delivery"
            )
        ).all()
    assert [data["status"] for _, data in kinds] == ["sent"]


def test_a_rate_limit_reschedules_at_the_networks_time_and_spends_no_attempt(
    engine: Engine, world: World
) -> None:
    message_id = queue_reply(engine, world)
    world.loopback.fail_next(RateLimited("429 Too Many Requests", retry_after_s=900))
    deliver_due(engine, Connectors(fallback=world.loopback))
    status, attempts, error = delivery(engine, message_id)
    assert (status, attempts) == ("queued", 0)
    assert error is not None and "429" in error
    with engine.connect() as connection:
        next_attempt = connection.scalar(select(outbox.c.next_attempt_at))
    assert next_attempt > utcnow() + timedelta(minutes=14)
    assert deliver_due(engine, Connectors(fallback=world.loopback)) == 0  # not before the reset


def test_transient_failures_back_off_then_fail_with_the_reason(engine: Engine, world: World) -> None:
    message_id = queue_reply(engine, world)
    world.loopback.fail_next(*[Transient(f"502 Bad Gateway #{i}") for i in range(MAX_ATTEMPTS)])
    for attempt in range(1, MAX_ATTEMPTS + 1):
        make_due(engine)
        deliver_due(engine, Connectors(fallback=world.loopback))
        status, attempts, error = delivery(engine, message_id)
        assert attempts == attempt
        assert status == ("failed" if attempt == MAX_ATTEMPTS else "queued")
    assert error == f"Transient: 502 Bad Gateway #{MAX_ATTEMPTS - 1}"
    assert world.loopback.sent == []


def test_a_revoked_token_fails_at_once_and_retry_really_sends_again(engine: Engine, world: World) -> None:
    message_id = queue_reply(engine, world)
    world.loopback.fail_next(AuthExpired("401 token revoked"))
    deliver_due(engine, Connectors(fallback=world.loopback))
    assert delivery(engine, message_id)[:2] == ("failed", 1)
    with write_transaction(engine) as connection:
        do_retry_delivery(connection, load_viewer(connection, world.agents["agent"]), message_id)
    deliver_due(engine, Connectors(fallback=world.loopback))
    assert delivery(engine, message_id)[0] == "sent"
    assert [r.message_id for r in world.loopback.sent] == [message_id]


def test_an_unexpected_error_never_leaves_a_reply_marked_sent(engine: Engine, world: World) -> None:
    message_id = queue_reply(engine, world)

    class Broken:
        network = "x"

        def send(self, reply: object) -> str:
            raise RuntimeError("library bug")

    connectors = Connectors()
    connectors.register(Broken())  # type: ignore[arg-type]
    deliver_due(engine, connectors)
    assert delivery(engine, message_id)[0] == "queued"


def test_a_claim_abandoned_mid_send_becomes_unknown_not_resent(engine: Engine, world: World) -> None:
    message_id = queue_reply(engine, world)
    [claim] = claim_due(engine)  # a worker claimed it, asked the network, then was killed
    assert claim.reply.message_id == message_id
    with engine.begin() as connection:
        connection.execute(update(outbox).values(send_started_at=utcnow()))
    assert reclaim_stale(engine) == 0  # too recent to call it abandoned
    with engine.begin() as connection:
        connection.execute(update(outbox).values(claimed_at=utcnow() - timedelta(minutes=10)))
    assert reclaim_stale(engine) == 1
    status, _, error = delivery(engine, message_id)
    assert status == "unknown"
    assert error is not None and "check the network" in error
    make_due(engine)
    assert deliver_due(engine, Connectors(fallback=world.loopback)) == 0


def test_a_claim_abandoned_before_the_send_goes_out_once_later(engine: Engine, world: World) -> None:
    message_id = queue_reply(engine, world)
    claim_due(engine)  # claimed, then the worker died before asking the network
    with engine.begin() as connection:
        connection.execute(update(outbox).values(claimed_at=utcnow() - timedelta(minutes=10)))
    assert reclaim_stale(engine) == 1
    assert delivery(engine, message_id)[0] == "queued"
    assert deliver_due(engine, Connectors(fallback=world.loopback)) == 1
    assert [reply.message_id for reply in world.loopback.sent] == [message_id]


def test_two_workers_never_claim_the_same_reply(engine: Engine, world: World) -> None:
    ids = [queue_reply(engine, world, f"reply {i}") for i in range(30)]
    claimed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(3)

    def work() -> None:
        barrier.wait()
        for _ in range(20):
            for claim in claim_due(engine, limit=3):
                with lock:
                    claimed.append(claim.reply.message_id)

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(claimed) == sorted(ids)


@pytest.mark.parametrize("status", ["queued", "sent"])
def test_only_failed_replies_can_be_retried(engine: Engine, world: World, status: str) -> None:
    from caredesk.actions.conversations import ConflictError

    message_id = queue_reply(engine, world)
    if status == "sent":
        deliver_due(engine, Connectors(fallback=world.loopback))
    with write_transaction(engine) as connection, pytest.raises(ConflictError, match="not failed"):
        do_retry_delivery(connection, load_viewer(connection, world.agents["agent"]), message_id)
