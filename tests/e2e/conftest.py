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
# What Playwright (1.65) turns off in Chromium with its own --disable-features. Chromium reads
# only the last --disable-features it is given, so ours must repeat these
# (test_chromium_flags.py checks them against the installed Playwright's list).
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin", "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
    "PreconnectToSearch", "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion")
# Chromium's own address-bar popups, made as web pages (chrome://omnibox-popup.top-chrome/)
# in a renderer of their own for every new context, though headless has no address bar:
# ~0.75 CPU-s each, and ~95 contexts in the browser tests (10 contexts: 14.2 -> 4.8 CPU-s).
UNUSED_BROWSER_UI = ("WebUIOmniboxPopup", "WebUIOmniboxFullPopup", "WebUIOmniboxAimPopup")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED_FEATURES + UNUSED_BROWSER_UI)]


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
