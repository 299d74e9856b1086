"""Browser fixtures: the session app over real HTTP, a headless Chromium, and a Celery worker process.

Playwright's sync API runs its own event loop, so Playwright and the browser live for the module and
are stopped at its end; each test gets a fresh browser context (cookies, downloads) of its own.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from tests.browser.a11y import Checker, checker_for
from tests.support import worker_process

if TYPE_CHECKING:
    from tests.conftest import Backend

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def live_server(app: Flask) -> Iterator[str]:
    """The session app served by werkzeug on a free port of 127.0.0.1; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="ldapply-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(live_server: str) -> Iterator[Browser]:
    """Headless Debian Chromium; depends on the server so it is closed before the server stops."""
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh context (no cookies) whose relative URLs resolve against the live server."""
    context = browser.new_context(base_url=live_server, accept_downloads=True, locale="nl-BE")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def worker(app: Flask, backend: Backend) -> Iterator[subprocess.Popen[bytes]]:
    """`celery worker` as its own process, on the run's database and broker."""
    with worker_process(backend, "browser-worker.log") as process:
        yield process


@pytest.fixture
def check_accessibility(request: pytest.FixtureRequest) -> Checker:
    """`check_accessibility(page, name)`: axe-core (WCAG 2.1 A/AA) finds nothing serious or critical, the page
    fits 375 px, and full-page screenshots land in the run's output folder under this test's name."""
    return checker_for(request.node.name)
