"""The manager's view and reports in Debian's Chromium against a live server: sign-in, the
live view following a counter's Next from another browser, a report with its CSV and XLSX
downloads, the printed A4 PDF, and counter staff refused."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.a4 import tables_past_a4
from tests.e2e.test_console_browser import sign_in_at_counter
from tests.reports.known_day import DAY, JOB, build_known_day
from tests.server.live import STAFF, LiveServer

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster


def sign_in_as_manager(page: Page, server: LiveServer, lang: str = "en") -> None:
    page.goto(f"{server.url}/manager?lang={lang}")
    page.fill("input[name=username]", "aysel")
    page.fill("input[name=password]", STAFF["aysel"])
    page.click("#sign-in")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")


def test_manager_watches_the_hall_and_downloads_a_report(browser, server: LiveServer,
                                                          artifacts: Path):
    """Live view changes when a counter presses Next elsewhere; the report downloads as CSV
    and XLSX (read back with openpyxl) and prints on A4."""
    build_known_day(server.queue, server.clock)           # Monday 23rd; now Tuesday 09:00
    server.accounts.set_role("aysel", "manager")
    server.queue.close_counter("3")                       # the known day's morning opened it
    waiting = [server.queue.issue(JOB, source="kiosk-1").code for _ in range(3)]
    server.clock.advance(minutes=4)
    server.queue.report_device("kiosk-1", "printer_paper_out", "paper end sensor")

    boss_ctx, staff_ctx = browser.new_context(viewport={"width": 1366, "height": 1000}), \
        browser.new_context(viewport={"width": 1280, "height": 900})
    boss, staff = boss_ctx.new_page(), staff_ctx.new_page()
    boss.set_default_timeout(15_000)
    staff.set_default_timeout(15_000)
    sign_in_as_manager(boss, server)
    expect(boss.locator("#t-issued")).to_have_text("3")
    expect(boss.locator("#waiting-table tbody tr")).to_have_count(1)
    expect(boss.locator("#alerts li.alert")).to_contain_text("Kiosk 1")
    assert boss.locator("#central-copy").evaluate(          # this centre ships nowhere
        "e => getComputedStyle(e).display") == "none"
    boss.screenshot(path=artifacts / "manager-1-live.png", full_page=True)

    sign_in_at_counter(staff, server, "rauf", "1")        # another browser, counter staff
    expect(boss.locator('#counters-table tr[data-counter="1"]')).to_have_attribute("data-mode", "open")
    expect(boss.locator("#idle li.idle")).to_contain_text("1 (rauf)")
    staff.click("#btn-next")
    expect(staff.locator("#current-code")).to_have_text(waiting[0])
    row = boss.locator('#counters-table tr[data-counter="1"]')
    expect(row).to_have_attribute("data-visit", waiting[0])   # no reload: the event stream
    expect(boss.locator("#t-waiting")).to_have_text("2")
    expect(boss.locator("#idle li.empty")).to_be_visible()
    boss.screenshot(path=artifacts / "manager-2-after-next.png", full_page=True)

    staff.goto(f"{server.url}/manager?lang=en")            # counter staff: refused
    expect(staff.locator("#refused")).to_contain_text("rauf is not a manager")
    staff.screenshot(path=artifacts / "manager-3-counter-staff-refused.png")

    boss.click("#nav-reports")
    boss.fill("input[name=from]", DAY)
    boss.fill("input[name=to]", DAY)
    boss.click("#show-report")
    expect(boss.locator("#period")).to_have_text(f"{DAY} — {DAY}")
    expect(boss.locator("#h-issued")).to_have_text("7")
    expect(boss.locator("#h-within")).to_have_text("50.0 %")
    expect(boss.locator("#chart-within_target svg")).to_be_visible()
    expect(boss.locator("#chart-heatmap svg")).to_be_visible()
    boss.screenshot(path=artifacts / "manager-4-report.png", full_page=True)

    with boss.expect_download() as got:
        boss.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text("utf-8-sig"))))
    assert {r["Service"]: r["Tickets issued"] for r in rows} == {
        "Register as a job seeker": "4", "Old-age labour pension": "3"}
    with boss.expect_download() as got:
        boss.click("#download-xlsx")
    assert got.value.suggested_filename == f"novbe-report-{DAY}-{DAY}.xlsx"
    saved = artifacts / got.value.suggested_filename
    got.value.save_as(saved)
    wb = load_workbook(saved)
    summary = wb["Summary"]
    header = [c.value for c in summary[1]]
    values = [c.value for c in summary[2]]
    assert values[header.index("Tickets issued")] == 7
    assert values[header.index("Wait, median (min)")] == 5.0
    staff_rows = {r[0]: r for r in wb["Per staff member"].iter_rows(min_row=2, values_only=True)}
    assert set(staff_rows) == {"aysel", "leyla", "rauf"}

    assert tables_past_a4(boss) == []
    pdf = artifacts / "manager-report-a4.pdf"
    boss.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2

    boss.goto(f"{server.url}/manager/reports?from={DAY}&to={DAY}&by=counter&lang=az")
    expect(boss.locator("#table-by_counter h2")).to_contain_text("Pəncərə üzrə")
    boss.screenshot(path=artifacts / "manager-5-report-az-by-counter.png", full_page=True)
    boss_ctx.close()
    staff_ctx.close()
