"""`caredesk serve`: the web app, with delivery running inside it."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from sqlalchemy import Engine

from caredesk.cli.store import CliState
from caredesk.connectors.loopback import LoopbackConnector
from caredesk.connectors.registry import Connectors
from caredesk.outbox.worker import OutboxWorker
from caredesk.settings import get_settings
from caredesk.web.app import create_app


def connectors_from_settings() -> Connectors:
    settings = get_settings()
    return Connectors(fallback=LoopbackConnector() if settings.loopback_delivery else None)


def run_server(engine: Engine, host: str, port: int) -> None:
    app = create_app(
        engine,
        connectors=connectors_from_settings(),
        deliver_in_process=True,
        secure_cookies=get_settings().secure_cookies,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the agent inbox and the API; replies are delivered from inside this process."""
    state: CliState = ctx.obj
    engine = state.engine()
    typer.echo(f"Caredesk is serving on http://{host}:{port}/  (Ctrl+C stops it)")
    run_server(engine, host, port)


def worker_command(
    ctx: typer.Context,
    poll: Annotated[float, typer.Option(min=0.05, max=60, help="Seconds between polls when idle.")] = 0.5,
) -> None:
    """Deliver queued replies until stopped. On PostgreSQL run as many as you like, anywhere:
    they share the outbox without sending anything twice."""
    state: CliState = ctx.obj
    worker = OutboxWorker(state.engine(), connectors_from_settings(), poll_s=poll)
    typer.echo("Caredesk worker is delivering replies (Ctrl+C stops it)")
    worker.start()
    try:
        while worker.is_alive():
            worker.join(timeout=1)
    except KeyboardInterrupt:
        worker.stop()
        worker.join(timeout=10)
