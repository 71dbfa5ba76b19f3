"""Fixtures of the browser and remote tests: Debian's Chromium through Playwright, a live
server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from tests.server.live import LiveServer, live_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (Debian's, never a downloaded one)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def server(db_path: Path, config: CentreConfig, clock: FakeClock) -> Iterator[LiveServer]:
    """A real uvicorn over a LocalQueue on the test's database, with staff and a device."""
    with live_server(db_path, config, clock) as live:
        yield live
