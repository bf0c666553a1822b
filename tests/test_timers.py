"""Timers under a frozen and an advancing clock (security.md R11): what a customer has been
waiting, when a rate-limited reply is due again, when a claim counts as abandoned. Nothing
sleeps: the clock is Caredesk's own (`caredesk.clock`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from caredesk.access import load_viewer
from caredesk.actions.replies import do_reply
from caredesk.clock import advance, frozen_at, utcnow
from caredesk.connectors.base import RateLimited
from caredesk.connectors.registry import Connectors
from caredesk.db.engine import write_transaction
from caredesk.models import Visibility
from caredesk.models.tables import outbox
from caredesk.outbox.worker import STALE_CLAIM, claim_due, deliver_due, reclaim_stale
from tests.conftest import at
from tests.web.support import HTML
from tests.web_support import World


def queue_reply(engine: Engine, world: World) -> int:
    with write_transaction(engine) as connection:
        viewer = load_viewer(connection, world.agents["agent"])
        return do_reply(connection, viewer, world.conversations["acme"], "On its way", Visibility.PUBLIC)


def test_the_waiting_time_shown_follows_the_clock(
    world: World, client_as: Callable[[str], TestClient]
) -> None:
    client = client_as("agent")  # maria's last message is at(9), unanswered
    with frozen_at(at(9) + timedelta(minutes=5)):
        assert "waiting 5m" in client.get("/inbox", headers=HTML).text
        advance(timedelta(hours=2))
        assert "waiting 2h" in client.get("/inbox", headers=HTML).text
        advance(timedelta(days=3))
        assert "waiting 3d" in client.get("/inbox", headers=HTML).text


def test_a_rate_limited_reply_is_due_exactly_at_the_networks_reset(engine: Engine, world: World) -> None:
    with frozen_at(at(60)):
        message_id = queue_reply(engine, world)
        world.loopback.fail_next(RateLimited("429", retry_after_s=900))
        assert deliver_due(engine, Connectors(fallback=world.loopback)) == 1
        advance(timedelta(seconds=899))
        assert deliver_due(engine, Connectors(fallback=world.loopback)) == 0
        advance(timedelta(seconds=2))
        assert deliver_due(engine, Connectors(fallback=world.loopback)) == 1
        with engine.connect() as connection:
            assert (
                connection.scalar(select(outbox.c.status).where(outbox.c.message_id == message_id)) == "sent"
            )
            assert connection.scalar(select(outbox.c.sent_at)) == utcnow()


def test_a_claim_is_abandoned_only_after_the_stale_time(engine: Engine, world: World) -> None:
    with frozen_at(at(60)):
        queue_reply(engine, world)
        claim_due(engine)
        advance(STALE_CLAIM - timedelta(seconds=1))
        assert reclaim_stale(engine) == 0
        advance(timedelta(seconds=2))
        assert reclaim_stale(engine) == 1
