"""Issue 18's first finding through Chromium: two staff press Next without ever pressing Start;
the console says what each Next recorded, and the report counts served visits and no-shows as
they happened."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.test_console_browser import sign_in_at_counter
from tests.server.live import STAFF, LiveServer, StaffClient

JOB = "employment.job-seeker"        # counters 1, 2, 3 and 20 serve it


def _reload(page: Page) -> None:
    """Reload the console (it re-reads the server's fake time) and wait for its state."""
    page.reload()
    expect(page.locator("#mode")).to_have_attribute("data-mode", "open")


def _next(page: Page) -> None:
    before = page.locator("#message").text_content()
    page.click("#btn-next")
    expect(page.locator("#message")).not_to_have_text(before or "")


def test_next_without_start_records_what_happened(browser, server: LiveServer, artifacts: Path):
    """aysel and rauf each press Next 5 times, talking ~6 minutes between presses and never
    pressing Start; rauf once presses Next at once (his visitor did not come: the console says
    so first), aysel once too soon on a visitor who came and puts it right with Undo. Each Next
    names what it recorded; the report counts 7 served and 1 no-show, per staff member."""
    codes = [server.queue.issue(JOB, source="kiosk-1").code for _ in range(10)]
    pages = {}
    for name, counter in (("aysel", "1"), ("rauf", "2")):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(10_000)
        sign_in_at_counter(page, server, name, counter)
        pages[name] = page
    aysel, rauf = pages["aysel"], pages["rauf"]

    _next(aysel)
    _next(rauf)
    expect(aysel.locator("#current-code")).to_have_text(codes[0])
    expect(rauf.locator("#current-code")).to_have_text(codes[1])
    expect(rauf.locator("#next-hint")).to_have_attribute("data-records", "no_show")
    expect(rauf.locator("#next-hint")).to_contain_text(f"Next will record {codes[1]} as did not come")
    rauf.screenshot(path=artifacts / "outcomes-1-walking-up.png")

    server.clock.advance(seconds=372)
    for page in pages.values():
        _reload(page)
    expect(aysel.locator("#next-hint")).to_have_attribute("data-records", "served")
    expect(aysel.locator("#next-hint")).to_contain_text(f"Next will record {codes[0]} as served")
    aysel.screenshot(path=artifacts / "outcomes-2-at-the-window.png")
    _next(aysel)
    expect(aysel.locator("#message")).to_have_text(f"{codes[0]}: served, 6:12 · Ticket {codes[2]} called")
    aysel.screenshot(path=artifacts / "outcomes-3-served-said.png")
    _next(rauf)
    expect(rauf.locator("#message")).to_have_text(f"{codes[1]}: served, 6:12 · Ticket {codes[3]} called")

    # rauf's visitor does not come: Next at once is announced, then files "did not come"
    server.clock.advance(seconds=20)
    _reload(rauf)
    expect(rauf.locator("#next-hint")).to_have_attribute("data-records", "no_show")
    _next(rauf)
    expect(rauf.locator("#message")).to_have_text(f"{codes[3]}: did not come · Ticket {codes[4]} called")
    expect(rauf.locator("#btn-undo")).to_contain_text(f"Undo: {codes[3]} was served")
    rauf.screenshot(path=artifacts / "outcomes-4-did-not-come-undo.png")

    # aysel presses Next too soon on a visitor who did come: her Undo puts it right
    server.clock.advance(seconds=30)
    _reload(aysel)
    _next(aysel)
    expect(aysel.locator("#message")).to_contain_text(f"{codes[2]}: did not come")
    aysel.click("#btn-undo")
    expect(aysel.locator("#message")).to_have_text(f"{codes[2]}: served, 0:50 (corrected)")
    expect(aysel.locator("#btn-undo")).to_be_hidden()

    for _ in range(2):
        server.clock.advance(seconds=400)
        for page in pages.values():
            _reload(page)
            _next(page)
            expect(page.locator("#message")).to_have_text(re.compile(r"^A-0\d\d: served, [67]:\d\d · Ticket"))
    rauf.screenshot(path=artifacts / "outcomes-5-console.png")
    rauf.goto(f"{server.url}/counter?lang=az")             # the hint in Azerbaijani
    expect(rauf.locator("#next-hint")).to_contain_text("«Növbəti»")
    rauf.screenshot(path=artifacts / "outcomes-5-console-az.png")

    served = {code: server.queue.ticket(code) for code in codes[:8]}
    assert sorted(c for c, t in served.items() if t.status == "no_show") == [codes[3]]
    assert sum(t.status == "done" for t in served.values()) == 7   # 2 more are at the counters

    server.accounts.set_role("aysel", "manager")
    manager = StaffClient(server.url)
    assert manager.post("/manager/login", data={"username": "aysel",
                                                "password": STAFF["aysel"]}).status_code == 303
    day = server.queue.ticket(codes[0]).service_day
    data = manager.get(f"/manager/reports.json?from={day}&to={day}&by=staff&lang=en").json()
    summary = next(t for t in data["tables"] if t["id"] == "summary")["rows"][0]
    assert (summary["served"], summary["no_show"]) == (7, 1)
    by_staff = next(t for t in data["tables"] if t["id"] == "by_staff")["rows"]
    figures = {r["key"]: (r["calls"], r["visits"], r["no_shows"]) for r in by_staff}
    assert figures == {"aysel": (5, 4, 0), "rauf": (5, 3, 1)}
    report = browser.new_page(viewport={"width": 1280, "height": 1000})
    report.context.add_cookies([{"name": k, "value": v, "url": server.url}
                                for k, v in manager.cookies.items()])
    report.goto(f"{server.url}/manager/reports?from={day}&to={day}&by=staff&lang=en")
    report.screenshot(path=artifacts / "outcomes-6-report-by-staff.png", full_page=True)
    for page in (*pages.values(), report):
        page.close()
