"""The national reports page (`novbe central serve`'s app on real uvicorn, Debian's Chromium)
over a real PostgreSQL: signed-in agency users only, az/ru/en, charts drawn on the server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import expect

from central.app import create_central_app
from server.app import listening_socket
from server.auth.accounts import Accounts
from tests.central.activity import two_busy_centres
from tests.central.conftest import CentralDb, central, pg_cluster  # noqa: F401  (fixtures)
from tests.conftest import ARTIFACTS
from tests.e2e.a4 import tables_past_a4
from tests.server.live import add_account

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster

AGENCY = ("ministry", "agency-password-1")


@contextmanager
def national_server(url: str, accounts: Accounts) -> Iterator[str]:
    """`novbe central serve`'s app on real uvicorn (127.0.0.1, a free port)."""
    app = create_central_app(url, accounts)
    sock = listening_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the national reports server did not start")
            thread.join(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_national_page_in_a_browser(tmp_path: Path, central: CentralDb,  # noqa: F811
                                    browser) -> None:
    """An agency user signs in, sees the centres side by side with charts, narrows to one
    centre and reads the page in Russian; without signing in there is nothing to see."""
    two_busy_centres(tmp_path, central)
    accounts = Accounts(tmp_path / "agency.sqlite")
    add_account(accounts, *AGENCY, "manager")
    ARTIFACTS.mkdir(exist_ok=True)
    with national_server(central.admin_url, accounts) as base:
        assert httpx.get(f"{base}/national.json").status_code == 401
        assert httpx.get(f"{base}/national", follow_redirects=False).status_code == 303
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(f"{base}/?lang=en")
            page.fill("input[name=username]", AGENCY[0])
            page.fill("input[name=password]", "wrong-password")
            page.click("#sign-in")
            expect(page.locator("p.error")).to_have_text("Wrong name or password")
            page.fill("input[name=username]", AGENCY[0])
            page.fill("input[name=password]", AGENCY[1])
            page.click("#sign-in")
            page.wait_for_url("**/national")       # signed in before the next page is asked for
            page.goto(f"{base}/national?from=2026-11-23&to=2026-11-24&lang=en")
            rows = page.locator("#table-centres table").first.locator("tbody tr")
            assert [rows.nth(i).get_attribute("data-key") for i in range(rows.count())] \
                == ["nord", "sud", "*"]
            assert page.locator("#chart-centres_within_target_pct svg").count() == 1
            assert page.locator("#chart-centres_wait svg").count() == 1
            issued_all = int(page.locator("#h-issued").inner_text())
            page.screenshot(path=str(ARTIFACTS / "central-national-en.png"), full_page=True)
            assert tables_past_a4(page) == []
            page.pdf(path=str(ARTIFACTS / "central-national-a4.pdf"), format="A4",
                     print_background=True)
            page.select_option("#centres", "sud")
            page.click("#show-report")
            page.wait_for_url("**centres=sud**")
            assert page.locator("#table-centres table").first.locator("tbody tr").count() == 1
            assert 0 < int(page.locator("#h-issued").inner_text()) < issued_all
            page.goto(f"{base}/national?from=2026-11-23&to=2026-11-24&lang=ru")
            assert "Общие отчёты по центрам" in page.locator("h1").inner_text()
            assert page.locator("#table-centres h2").text_content().strip() == "Центры рядом"
            page.screenshot(path=str(ARTIFACTS / "central-national-ru.png"), full_page=False)
            page.goto(f"{base}/national?from=2026-11-24&to=2026-11-23&lang=en")
            assert "after it ends" in page.content()
        finally:
            page.close()
    accounts.close()
