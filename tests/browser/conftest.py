"""Real-browser fixtures: the app served by uvicorn on 127.0.0.1, driven by Debian's Chromium.

Each test gets its own database (the `engine` and `world` of tests/conftest.py, so these run
on SQLite and on PostgreSQL), its own server on a free port, with the in-process outbox worker
delivering to the world's loopback network, and fresh browser contexts, one per person.
One Chromium process serves the whole session. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlalchemy import Engine

from caredesk.connectors.registry import Connectors
from caredesk.web.app import create_app
from tests.web_support import PASSWORD, TEST_VAULT, World

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # needed as root
    "--disable-gpu",
    "--disable-background-networking",  # without these Chromium keeps calling hosts it can't reach
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1400, "height": 860}
SERVER_START_S = 10.0
expect.set_options(timeout=10_000)  # generous for slow CI machines; passing tests never wait it out


@dataclass(frozen=True)
class LiveServer:
    url: str
    engine: Engine
    world: World


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless. Missing: the browser tests skip, except on CI (CI=…) where they fail."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium): the real-browser tests cannot run"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI is set, so they must", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(engine: Engine, world: World) -> Iterator[LiveServer]:
    """The real app under uvicorn in a background thread, on a free port of 127.0.0.1."""
    app = create_app(
        engine, connectors=Connectors(fallback=world.loopback), deliver_in_process=True, vault=TEST_VAULT
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # bound before the server starts: no race for the port
    port = sock.getsockname()[1]
    # Open event streams (/live) would hold a graceful shutdown; give them a second at most.
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="caredesk-test-server")
    thread.start()
    deadline = time.monotonic() + SERVER_START_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=5)
            sock.close()
            pytest.fail("the test server did not start: see the log above", pytrace=False)
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", engine, world)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "the test server did not stop"


class Browsing:
    """Browser tabs on the live server, each in its own context (its own cookies)."""

    def __init__(self, browser: Browser, server: LiveServer) -> None:
        self.browser, self.server = browser, server
        self._contexts: list[BrowserContext] = []
        self.console: dict[Page, list[ConsoleMessage]] = {}
        self.errors: dict[Page, list[str]] = {}

    def signed_out(self) -> Page:
        """A fresh tab with no session."""
        context = self.browser.new_context(base_url=self.server.url, viewport=VIEWPORT)
        context.set_default_timeout(10_000)
        self._contexts.append(context)
        page = context.new_page()
        self.console[page], self.errors[page] = [], []
        page.on("console", lambda message: self.console[page].append(message))
        page.on("pageerror", lambda error: self.errors[page].append(str(error)))
        return page

    def signed_in(self, person: str) -> Page:
        """A fresh tab where `person` of the world signed in through the login form; on the inbox."""
        page = self.signed_out()
        page.goto("/login")
        page.get_by_label("E-mail").fill(self.server.world.emails[person])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/inbox")
        return page

    def csp_violations(self, page: Page) -> list[str]:
        return [m.text for m in self.console[page] if "Content Security Policy" in m.text]

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture
def browse(browser: Browser, live_server: LiveServer) -> Iterator[Browsing]:
    browsing = Browsing(browser, live_server)
    yield browsing
    browsing.close()  # before the server stops, so no event stream holds it


def wait_until_live(page: Page) -> None:
    """The page's event stream (/live) is open: what happens from now on reaches it."""
    expect(page.locator("#live-dot")).to_have_class(re.compile(r"\bon\b"))


def wait_until_htmx_is_idle(page: Page) -> None:
    """No htmx request in flight, no swap settling: the buttons just swapped in work.

    htmx wires the elements it swaps in only when they settle (20 ms later); a click before
    that does nothing.
    """
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


@contextmanager
def own_action(page: Page) -> Iterator[None]:
    """Wait for the re-render that answers the agent's own action, then for htmx to settle.

    The page does not refresh on the agent's own events from the stream: the request that
    made the change re-renders the conversation, and what it swaps in works once htmx is idle.
    """
    with page.expect_response(
        lambda response: response.request.method == "POST" and "/conversations/" in response.url
    ):
        yield
    wait_until_htmx_is_idle(page)
