"""The API docs work on a centre network with no internet: scripts come from this server."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.server.live import LiveServer

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster


def _outside(server: LiveServer, url: str) -> bool:
    """A request that leaves this server (blob: and data: URLs are made in the page)."""
    return not url.startswith((server.url, f"blob:{server.url}", "data:"))


def test_swagger_ui_renders_offline(browser, server: LiveServer, artifacts: Path):
    """/docs renders the API's operations with every request going to the server itself."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url) if _outside(server, r.url) else None)
    page.goto(f"{server.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Növbə server")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    page.screenshot(path=artifacts / "api-docs.png")
    assert elsewhere == []
    page.close()
