"""The ASGI app: `create_app(engine)` wires the API, the pages, live updates and delivery."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from caredesk import __version__
from caredesk.connectors.intake import DeliveryWriter
from caredesk.connectors.receiving import ReceivingWorker
from caredesk.connectors.registry import Connectors
from caredesk.connectors.secrets import Vault
from caredesk.outbox.worker import OutboxWorker
from caredesk.search import SearchIndexer
from caredesk.settings import get_settings
from caredesk.web import api, errors, live, pages, settings_pages, webhooks
from caredesk.web.guards import MAX_BODY_BYTES, InputGuard, SecurityHeaders


def create_app(
    engine: Engine,
    *,
    connectors: Connectors | None = None,
    deliver_in_process: bool = False,
    receive_in_process: bool | None = None,
    secure_cookies: bool = False,
    vault: Vault | None = None,
) -> FastAPI:
    """The app on `engine`. `deliver_in_process` runs the outbox and receiving workers inside
    it (SQLite, one machine); with PostgreSQL, `caredesk worker` processes can do that instead.
    `receive_in_process` (default: as `deliver_in_process`) is the receiving half alone: a
    `caredesk worker --no-deliver` process on another core keeps webhooks fast under load."""
    connectors = connectors or Connectors()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        workers: list[OutboxWorker | ReceivingWorker | SearchIndexer] = []
        if deliver_in_process:
            workers.append(OutboxWorker(engine, connectors))
        if deliver_in_process if receive_in_process is None else receive_in_process:
            workers.append(ReceivingWorker(engine, vault or Vault.from_settings(get_settings())))
        if engine.dialect.name == "sqlite":
            workers.append(SearchIndexer(engine))
        for worker in workers:
            worker.start()
        try:
            yield
        finally:
            for worker in workers:
                worker.stop()
            for worker in workers:
                worker.join(timeout=5)

    app = FastAPI(
        title="Caredesk",
        version=__version__,
        description="Social customer care: conversations, owners, replies on the same network.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.engine = engine
    app.state.connectors = connectors
    app.state.secure_cookies = secure_cookies
    app.state.vault = vault  # made from the settings on first use when None
    app.state.webhook_accounts = {}  # (network, key) -> (expiry, account), see webhooks.py
    app.state.webhook_writer = DeliveryWriter(engine)

    app.add_middleware(InputGuard, limit=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeaders)
    errors.install(app)
    app.include_router(api.router)
    app.include_router(live.router)
    app.include_router(pages.router)
    app.include_router(settings_pages.router)
    app.include_router(webhooks.router)
    app.mount("/static", StaticFiles(directory=str(files("caredesk.web").joinpath("static"))), name="static")
    return app
