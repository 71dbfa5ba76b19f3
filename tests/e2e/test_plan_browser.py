"""The staffing planner's page in Debian's Chromium against a live server: a manager plans a
small day learned from the centre's history, compares closing two counters, sees the chart and
the side-by-side table, prints it on A4; in Azerbaijani and Russian too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_manager_browser import sign_in_as_manager
from tests.reports.known_day import DAY, build_known_day
from tests.server.live import LiveServer

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster


def test_manager_plans_a_learned_day_and_compares_a_change(browser, server: LiveServer,
                                                           artifacts: Path):
    """Form → working sign → chart of counters per hour with the two plans side by side;
    a bad target is named on the page; the result prints on one A4 page."""
    build_known_day(server.queue, server.clock)
    server.accounts.set_role("aysel", "manager")
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    sign_in_as_manager(page, server)
    page.click("#nav-plan")
    expect(page.locator("#plan-form")).to_be_visible()
    expect(page.locator("#first")).to_be_hidden()           # only for a learned day
    page.select_option("#scenario", "learned")
    expect(page.locator("#first")).to_be_visible()
    page.fill("#first", DAY)
    page.fill("#last", DAY)
    # The working sign: the page's own submit handler runs; this one only holds the page here.
    page.evaluate("document.getElementById('plan-form')"
                  ".addEventListener('submit', e => e.preventDefault())")
    page.click("#make-plan")
    expect(page.locator("#plan-working")).to_be_visible()
    expect(page.locator("#make-plan")).to_be_disabled()
    expect(page.locator("#plan-seconds")).to_have_text(re.compile(r"\d+ s"))
    page.screenshot(path=artifacts / "plan-0-working.png")

    page.goto(f"{server.url}/manager/plan?scenario=learned&first={DAY}&last={DAY}&target=150"
              "&lang=en")
    expect(page.locator("#plan-error")).to_contain_text("percentage from 1 to 100, not 150")
    expect(page.locator("#target")).to_have_value("150")                 # shown back to fix
    page.screenshot(path=artifacts / "plan-1-bad-target.png", full_page=True)

    page.fill("#target", "90")
    page.fill("#change-n", "2")
    page.select_option("#change-from", "9")
    page.select_option("#change-to", "10")
    page.click("#make-plan")                                 # the real run
    expect(page.locator("#plan-chart svg")).to_be_visible()
    expect(page.locator("#plan-chart svg polyline")).to_have_count(2)     # two plans' waits
    expect(page.locator("#p-target")).to_have_text("90 %")
    expect(page.locator("#plan-table thead")).to_contain_text("Close 2 counters 09:00–10:00")
    expect(page.locator("#plan-table tbody tr")).to_have_count(2)
    expect(page.locator("#verdict-1")).to_have_class("verdict ok")
    page.screenshot(path=artifacts / "plan-2-compared.png", full_page=True)
    pdf = artifacts / "plan-a4.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", data)) == 1

    page.goto(page.url.replace("lang=en", "lang=az"))
    expect(page.locator("#plan-chart svg")).to_be_visible()
    expect(page.locator("#plan-table thead")).to_contain_text("pəncərəni bağla")
    page.screenshot(path=artifacts / "plan-3-az.png", full_page=True)
    page.goto(page.url.replace("lang=az", "lang=ru"))
    expect(page.locator("#plan-table thead")).to_contain_text("Закрыть 2 окна 09:00–10:00")
    expect(page.locator("#plan-chart svg")).to_contain_text("открыто окон")
    page.screenshot(path=artifacts / "plan-4-ru.png", full_page=True)

    page.goto(page.url.replace("lang=ru", "lang=en") + "&profiles=1")   # with work profiles
    expect(page.locator("#profile-plan table tbody tr").first).to_be_visible()
    expect(page.locator("#profile-plan")).to_contain_text("At the same counter-hours")
    page.locator("#profile-plan").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "plan-5-profiles.png", full_page=True)
    ctx.close()
