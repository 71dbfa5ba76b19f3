"""Work profiles in Debian's Chromium against a live server: the manager switches counter 6 to
"Pensions first" on the manager's view; the console of counter 6 in a second browser shows it
and its next Next calls by it (the backup insurance ticket waits behind a newer pensions one);
the manager previews another profile, schedules lunch cover and calls it off; staff choose."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_console_browser import sign_in_at_counter
from tests.e2e.test_manager_browser import sign_in_as_manager
from tests.server.live import LiveServer

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster


def test_a_manager_switch_takes_effect_at_the_next_next(browser, server: LiveServer,
                                                        artifacts: Path):
    """Switched on the manager's page, the profile shows on the other browser's console and
    decides its next Next: pensions first, the older insurance ticket (backup) waits."""
    server.accounts.set_role("aysel", "manager")
    insurance = server.queue.issue("insurance.record", source="kiosk-1").code
    server.clock.advance(minutes=1)
    pension = server.queue.issue("pensions.age", source="kiosk-1").code

    boss_ctx = browser.new_context(viewport={"width": 1366, "height": 1100})
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    boss, staff = boss_ctx.new_page(), staff_ctx.new_page()
    boss.set_default_timeout(15_000)
    staff.set_default_timeout(15_000)
    sign_in_at_counter(staff, server, "rauf", "6")
    expect(staff.locator("#profile-name")).to_have_text("All its services")

    sign_in_as_manager(boss, server)
    boss.select_option("#pf-counter", "6")
    boss.select_option("#pf-profile", "pensions-first")
    boss.click("#pf-switch")
    expect(boss.locator("#pf-message")).to_have_text("Profile Pensions first from the next Next")
    row = boss.locator('#counters-table tr[data-counter="6"]')
    expect(row).to_have_attribute("data-profile", "pensions-first")
    expect(row.locator("td.profile")).to_have_text("Pensions first (set by the manager)")
    boss.screenshot(path=artifacts / "profiles-1-manager-switch.png", full_page=True)

    expect(staff.locator("#profile-name")).to_have_text("Pensions first")   # the event stream
    expect(staff.locator("#profile-why")).to_have_text("(set by the manager)")
    staff.click("#btn-next")
    expect(staff.locator("#current-code")).to_have_text(pension)
    staff.screenshot(path=artifacts / "profiles-2-console-next.png", full_page=True)
    called = [e for e in server.queue.events() if e.kind == "called"]
    assert called[-1].code == pension and called[-1].details["profile"] == "pensions-first"
    assert [t.code for t in server.queue.waiting("6")] == [insurance]

    boss.select_option("#pf-profile", "two-to-one")          # what would 2:1 do? (no change)
    boss.click("#pf-preview")
    table = boss.locator("#preview-table")
    expect(table.locator('tr[data-figure="within"] td')).to_have_count(3)
    expect(table.locator("th").nth(2)).to_have_text("With 2 regular : 1 priority at counter 6")
    expect(row).to_have_attribute("data-profile", "pensions-first")   # a preview changes nothing
    boss.locator("#profiles-h").scroll_into_view_if_needed()
    boss.screenshot(path=artifacts / "profiles-3-preview.png", full_page=True)

    boss.select_option("#pf-profile", "lunch-cover")         # lunch cover 12:30–14:00
    boss.fill("#pf-from", "12:30")
    boss.fill("#pf-until", "14:00")
    boss.click("#pf-schedule")
    planned = boss.locator("#scheduled li[data-switch]")
    expect(planned).to_have_text("Lunch cover at counter 6, 12:30–14:00 Call off")
    assert [(s.profile, s.counter) for s in server.queue.profiles_now()[1]] == [
        ("lunch-cover", "6")]
    boss.screenshot(path=artifacts / "profiles-4-scheduled.png", full_page=True)
    planned.locator("button").click()
    expect(boss.locator("#scheduled li.empty")).to_have_text("No switch is scheduled")

    staff.select_option("#profile-choice", "lunch-cover")   # staff choose among theirs
    staff.click("#btn-profile")
    expect(staff.locator("#profile-name")).to_have_text("Lunch cover")
    expect(row.locator("td.profile")).to_have_text("Lunch cover (chosen at the counter)")
    staff.click("#btn-next")                   # the insurance ticket: primary in lunch cover
    expect(staff.locator("#current-code")).to_have_text(insurance)   # the call has landed
    day = server.clock.now().astimezone(server.queue.config.tz).date().isoformat()
    boss.goto(f"{server.url}/manager/reports?from={day}&to={day}&by=counter&lang=en")
    levels = boss.locator("#table-profile_levels")
    expect(levels.locator('tr[data-key="6"] td').nth(1)).to_have_text("2")      # primary
    expect(levels.locator('tr[data-key="6"] td').nth(2)).to_have_text("0")      # backup
    expect(boss.locator("#table-profile_within")).to_contain_text("Pensions first")
    expect(boss.locator("#table-idle_hours")).to_be_visible()
    levels.scroll_into_view_if_needed()
    boss.screenshot(path=artifacts / "profiles-5-report.png", full_page=True)
    boss_ctx.close()
    staff_ctx.close()


def test_the_console_lists_what_its_next_calls_backups_marked(browser, server: LiveServer,
                                                              artifacts: Path):
    """Counter 6 at pensions-first: its console lists every pension before the older insurance
    tickets, which carry a "backup" tag; the job seeker it does not call is not listed; Next
    calls the first listed; axe-core finds no serious violation, in English and Azerbaijani."""
    from tests.e2e.test_accessibility_browser import blocking_violations

    veteran = server.queue.config.priorities[0].id
    insurance = [server.queue.issue("insurance.record", source="kiosk-1").code for _ in range(2)]
    server.clock.advance(minutes=1)
    server.queue.issue("employment.job-seeker", source="kiosk-1")
    pensions = [server.queue.issue("pensions.age", source="kiosk-1").code,
                server.queue.issue("pensions.age", priority=veteran, source="kiosk-1").code]
    server.queue.switch_profile("6", "pensions-first", manager=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    sign_in_at_counter(page, server, "rauf", "6")
    rows = page.locator("#waiting-list li")
    expect(rows).to_have_count(4)
    expect(rows.locator(".code")).to_have_text([pensions[1], pensions[0], *insurance])
    expect(page.locator("#waiting-list li.backup")).to_have_count(2)
    expect(page.locator("#waiting-list li.backup .level-tag").first).to_have_text("backup")
    expect(page.locator("#waiting-order")).to_have_text("In the order Next calls them")
    expect(page.locator("#waiting-count")).to_have_text("4 waiting")
    assert blocking_violations(page) == []
    page.locator("section.waiting").screenshot(path=artifacts / "console-waiting-by-profile-en.png")
    page.screenshot(path=artifacts / "console-by-profile-en.png", full_page=True)
    page.goto(f"{server.url}/counter?lang=az")
    expect(page.locator("#waiting-list li.backup .level-tag").first).to_have_text("ehtiyat")
    assert blocking_violations(page) == []
    page.locator("section.waiting").screenshot(path=artifacts / "console-waiting-by-profile-az.png")
    page.click("#btn-next")
    expect(page.locator("#current-code")).to_have_text(pensions[1])
    expect(rows.locator(".code")).to_have_text([pensions[0], *insurance])
    page.close()
