"""Delivery survives real failures: `caredesk worker` processes killed with SIGKILL mid-send,
and several workers sharing one outbox (security.md R1, R2, R7), against the X stand-in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from caredesk.access import load_viewer
from caredesk.actions.replies import do_reply
from caredesk.clock import utcnow
from caredesk.connectors.accounts import add_account
from caredesk.connectors.secrets import Vault
from caredesk.db.engine import write_transaction
from caredesk.ingest.pipeline import Ingestor
from caredesk.models import Role, Visibility
from caredesk.models.tables import outbox
from caredesk.people import add_agent
from caredesk.workspaces import ensure_workspace
from tests.factories import conversation_ids, customer_post
from tests.peers import serving
from tests.peers.x_server import BRAND_HANDLE, BRAND_ID, CONSUMER_SECRET, TOKEN, Scripted, XPeer

SECRET_KEY = "reliability-tests"
PASSWORD = "correct horse battery"


@pytest.fixture
def peer() -> Iterator[tuple[XPeer, str]]:
    x = XPeer()
    with serving(x.app) as base_url:
        yield x, base_url


@pytest.fixture
def queue(engine: Engine, peer: tuple[XPeer, str]) -> Callable[[str], int]:
    """`queue(text)`: an agent's public reply to a customer's mention, waiting in the outbox."""
    _, base_url = peer
    workspace = ensure_workspace(engine, "acme")
    with write_transaction(engine) as connection:
        secrets = {"access_token": TOKEN, "consumer_secret": CONSUMER_SECRET}
        add_account(
            connection, Vault(SECRET_KEY), workspace, "x", BRAND_HANDLE, platform_id=BRAND_ID,
            settings={"api_base": base_url}, secrets=secrets,
        )  # fmt: skip
        agent = add_agent(connection, workspace, "lead@acme.test", "Lead", Role.ADMIN, PASSWORD)
    Ingestor(engine, workspace).ingest([customer_post("777", by="maria", to=BRAND_HANDLE, text="help")])
    [conversation] = conversation_ids(engine, "777")

    def reply(text: str) -> int:
        with write_transaction(engine) as connection:
            viewer = load_viewer(connection, agent)
            return do_reply(connection, viewer, conversation, text, Visibility.PUBLIC)

    return reply


def start_worker(database_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CAREDESK_SECRET_KEY": SECRET_KEY, "CAREDESK_LOOPBACK_DELIVERY": "false"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "caredesk",
            "--database",
            database_url,
            "worker",
            "--poll",
            "0.1",
            "--no-receive",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def status_of(engine: Engine, message_id: int) -> str:
    with engine.connect() as connection:
        return str(connection.scalar(select(outbox.c.status).where(outbox.c.message_id == message_id)))


def age_claims(engine: Engine) -> None:
    """Make every claim look abandoned long ago (a restarted worker reclaims stale claims)."""
    with engine.begin() as connection:
        connection.execute(update(outbox).values(claimed_at=utcnow() - timedelta(hours=1)))


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def test_a_worker_killed_after_the_network_accepted_never_posts_twice(
    engine: Engine, database_url: str, peer: tuple[XPeer, str], queue: Callable[[str], int]
) -> None:
    x, _ = peer
    message_id = queue("We're looking into it")
    x.script(Scripted(delay_s=1.5, then_normal=True))  # X takes its time to answer
    worker = start_worker(database_url)
    try:
        wait_for(lambda: any(seen.path == "/2/tweets" for seen in x.seen), "the worker to send")
        worker.send_signal(signal.SIGKILL)  # mid-send: the request is out, no answer yet
        worker.wait(10)
        wait_for(lambda: len(x.tweets) == 1, "X to post the reply")
        assert status_of(engine, message_id) == "sending"
        age_claims(engine)
        worker = start_worker(database_url)
        wait_for(lambda: status_of(engine, message_id) == "unknown", "the restarted worker to reclaim it")
        time.sleep(1.0)  # give it every chance to send again
    finally:
        stop(worker)
    assert len(x.tweets) == 1


def test_a_reply_claimed_by_a_killed_worker_before_sending_goes_out_once(
    engine: Engine, database_url: str, peer: tuple[XPeer, str], queue: Callable[[str], int]
) -> None:
    x, _ = peer
    first, second = queue("first"), queue("second")
    x.script(Scripted(delay_s=1.5, then_normal=True))
    worker = start_worker(database_url)
    try:
        wait_for(lambda: any(seen.path == "/2/tweets" for seen in x.seen), "the worker to send")
        worker.send_signal(signal.SIGKILL)  # one reply in flight, the other claimed and not started
        worker.wait(10)
        age_claims(engine)
        worker = start_worker(database_url)
        wait_for(lambda: "sent" in {status_of(engine, first), status_of(engine, second)}, "the resend")
        time.sleep(1.0)
    finally:
        stop(worker)
    statuses = sorted([status_of(engine, first), status_of(engine, second)])
    assert statuses == ["sent", "unknown"]
    assert sorted(tweet["text"] for tweet in x.tweets) == ["first", "second"]  # each exactly once


def test_three_workers_share_the_outbox_without_sending_anything_twice(
    engine: Engine, database_url: str, peer: tuple[XPeer, str], queue: Callable[[str], int]
) -> None:
    x, _ = peer
    ids = [queue(f"reply {n}") for n in range(60)]
    workers = [start_worker(database_url) for _ in range(3)]
    try:
        wait_for(lambda: all(status_of(engine, i) == "sent" for i in ids), "every reply to be sent", 60)
    finally:
        for worker in workers:
            stop(worker)
    texts = [tweet["text"] for tweet in x.tweets]
    assert sorted(texts) == sorted(f"reply {n}" for n in range(60))
