"""A real server on 127.0.0.1 and headless Debian Chromium driven by Playwright.

The browser is Debian's ``chromium`` package (installed by ``make sysdeps``); Playwright
never downloads a browser of its own.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from geo.settings import Settings
from tests.browser.seed import SeededStore, seed_store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """A uvicorn server running the app in a thread."""

    base_url: str
    server: uvicorn.Server
    thread: threading.Thread = field(repr=False)


def start_server(settings: Settings) -> LiveServer:
    """Start the app on a free port and wait until it answers."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return LiveServer(base, server, thread)
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("test server did not start")


@pytest.fixture(scope="session")
def seeded(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> SeededStore:
    """A land pool (demo plots, public offers, confidential plots) and tokens per role."""
    return seed_store(settings, Path(tmp_path_factory.mktemp("browser-landpool")))


@pytest.fixture(scope="session")
def live_server(seeded: SeededStore) -> Iterator[LiveServer]:
    """The app served on 127.0.0.1 for the browser, on the seeded land pool."""
    srv = start_server(seeded.settings)
    yield srv
    srv.server.should_exit = True
    srv.thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium (skips only when it is not installed and CI is not set)."""
    import os

    from playwright.sync_api import sync_playwright

    if not shutil.which("chromium") and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; run 'make sysdeps'")
        pytest.skip("chromium is not installed; run 'make sysdeps'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
