"""`caredesk serve`: the web app, with delivery running inside it."""

from __future__ import annotations

import gc
from typing import Annotated

import typer
import uvicorn
from sqlalchemy import Engine

from caredesk.cli.store import CliState, fail
from caredesk.connectors.loopback import LoopbackConnector
from caredesk.connectors.receiving import ReceivingWorker
from caredesk.connectors.registry import Connectors
from caredesk.connectors.secrets import Vault
from caredesk.outbox.worker import OutboxWorker
from caredesk.settings import get_settings
from caredesk.web.app import create_app


def connectors_from_settings(engine: Engine, vault: Vault) -> Connectors:
    """Each connected account's own connector; the loopback network for the others (the demo)."""
    settings = get_settings()
    fallback = LoopbackConnector() if settings.loopback_delivery else None
    return Connectors(fallback=fallback, engine=engine, vault=vault)


def run_server(engine: Engine, host: str, port: int, *, receive: bool = True) -> None:
    settings = get_settings()
    vault = Vault.from_settings(settings)
    app = create_app(
        engine,
        connectors=connectors_from_settings(engine, vault),
        deliver_in_process=True,
        receive_in_process=receive,
        secure_cookies=settings.secure_cookies,
        vault=vault,
    )
    # Everything made while starting lives as long as the process: moved out of the collector's
    # sight, full collections stay short instead of rescanning it under load.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    receive: Annotated[
        bool,
        typer.Option(
            help="Process webhook deliveries and poll the networks in this process too; under heavy "
            "webhook load use --no-receive and run `caredesk worker --no-deliver` beside it."
        ),
    ] = True,
) -> None:
    """Serve the agent inbox and the API; replies are delivered from inside this process."""
    state: CliState = ctx.obj
    engine = state.engine()
    typer.echo(f"Caredesk is serving on http://{host}:{port}/  (Ctrl+C stops it)")
    run_server(engine, host, port, receive=receive)


def worker_command(
    ctx: typer.Context,
    poll: Annotated[float, typer.Option(min=0.05, max=60, help="Seconds between polls when idle.")] = 0.5,
    deliver: Annotated[bool, typer.Option(help="Send queued replies.")] = True,
    receive: Annotated[bool, typer.Option(help="Process webhook deliveries and poll the networks.")] = True,
) -> None:
    """Deliver queued replies and process what the networks sent, until stopped. On PostgreSQL
    run as many as you like, anywhere: they share the work without sending anything twice."""
    state: CliState = ctx.obj
    engine = state.engine()
    settings = get_settings()
    vault = Vault.from_settings(settings)
    workers: list[OutboxWorker | ReceivingWorker] = []
    if deliver:
        workers.append(OutboxWorker(engine, connectors_from_settings(engine, vault), poll_s=poll))
    if receive:
        workers.append(ReceivingWorker(engine, vault, reopen_window=settings.reopen_window, idle_s=poll))
    if not workers:
        raise fail("nothing to do: leave --deliver or --receive on")
    jobs = " and ".join(
        job for job, on in (("delivering replies", deliver), ("receiving messages", receive)) if on
    )
    typer.echo(f"Caredesk worker is {jobs} (Ctrl+C stops it)")
    for worker in workers:
        worker.start()
    try:
        while all(worker.is_alive() for worker in workers):
            workers[0].join(timeout=1)
    except KeyboardInterrupt:
        pass
    for worker in workers:
        worker.stop()
    for worker in workers:
        worker.join(timeout=10)
