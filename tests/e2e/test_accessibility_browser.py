"""The pages pass axe-core's WCAG 2.1 A/AA rules with no serious or critical violation, in
Debian's Chromium against a live server: sign-in forms, counter console, phone page, manager's
live view, reports and plan, the help desk — each in the state a busy Monday shows it (visitors
waiting, a printer alert, a help request). And the console works by keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.reports.known_day import DAY, JOB, build_known_day
from tests.server.live import STAFF, LiveServer, add_account

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
AXE = Axe()


def blocking_violations(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA},
                                     "resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(", ".join(n["target"]) for n in v["nodes"][:4])
            for v in results.response["violations"] if v["impact"] in BLOCKING]


def fits_width(page: Page) -> bool:
    """WCAG 1.4.10 Reflow: nothing wider than the viewport (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def sign_in(page: Page, url: str, name: str, password: str) -> None:
    page.goto(url)
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("#sign-in")


@pytest.fixture
def busy_hall(server: LiveServer) -> LiveServer:
    """Yesterday's known day for the reports, visitors waiting now, a printer out of paper, a
    visitor asking for help, a manager (aysel) and a volunteer (nigar)."""
    build_known_day(server.queue, server.clock)
    server.queue.close_counter("3")
    for _ in range(3):
        server.queue.issue(JOB, source="kiosk-1")
    server.queue.issue(JOB, priority="veteran", source="kiosk-1")
    server.queue.report_device("kiosk-1", "printer_paper_out", "paper end sensor")
    server.queue.report_device("kiosk-2", "help_requested")
    from shared.version import VERSION
    server.queue.heartbeat("board-hall", "board", VERSION, {"screen": "1920x1080", "audio": "ok"})
    server.clock.advance(61)                               # board-hall has gone silent …
    server.queue.sweep_devices()
    server.queue.heartbeat("kiosk-1", "kiosk", VERSION, {"screen": "1080x1920", "printer": "ok",
                                                         "paper": "out", "audio": "ok"})
    server.queue.heartbeat("kiosk-2", "kiosk", VERSION, {"screen": "1080x1920", "printer": "ok",
                                                         "paper": "low", "audio": "none"})
    server.accounts.set_role("aysel", "manager")
    add_account(server.accounts, "nigar", "nigar-volunteer-1", "volunteer")
    return server


@pytest.mark.slow
def test_every_page_passes_axe_wcag_21_aa(browser, busy_hall: LiveServer, artifacts: Path):
    """No serious or critical axe-core violation on any page, in Azerbaijani."""
    server = busy_hall
    found: dict[str, list[str]] = {}
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/counter?lang=az")
    found["console sign-in"] = blocking_violations(page)
    sign_in(page, f"{server.url}/counter?lang=az", "rauf", STAFF["rauf"])
    found["choose a counter"] = blocking_violations(page)
    page.click("#open-counter")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    page.click("#btn-next")
    expect(page.locator("#current-code")).not_to_have_text("")
    expect(page.locator("#alerts .alert")).to_have_count(3)      # paper, help, board offline
    found["counter console"] = blocking_violations(page)

    ticket = server.queue.waiting()[-1]
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = phone_ctx.new_page()
    phone.goto(f"{server.url}/t/{ticket.token}")
    expect(phone.locator("#live")).to_have_attribute("data-state", "live")
    found["phone page"] = blocking_violations(phone)
    assert fits_width(phone), "the phone page scrolls sideways at 390 px"
    phone.goto(f"{server.url}/t/no-such-ticket-token")
    found["phone page, unknown ticket"] = blocking_violations(phone)

    boss = browser.new_context(viewport={"width": 1366, "height": 1000}).new_page()
    boss.goto(f"{server.url}/manager?lang=az")
    found["manager sign-in"] = blocking_violations(boss)
    sign_in(boss, f"{server.url}/manager?lang=az", "aysel", STAFF["aysel"])
    expect(boss.locator("#live")).to_have_attribute("data-state", "live")
    expect(boss.locator("#counters-table tbody tr").first).to_be_visible()
    expect(boss.locator("#alerts li[data-kind=help_requested] button")).to_have_text("Gedirəm")
    found["manager: hall now"] = blocking_violations(boss)
    boss.goto(f"{server.url}/manager/reports?from={DAY}&to={DAY}&lang=az")
    found["manager: reports"] = blocking_violations(boss)
    boss.goto(f"{server.url}/manager/plan?lang=az")
    found["manager: plan"] = blocking_violations(boss)
    boss.goto(f"{server.url}/manager/devices?lang=az")        # … and kiosk-1 has no paper
    expect(boss.get_by_role("rowheader", name="«hall» tablosu")).to_be_visible()
    found["manager: devices"] = blocking_violations(boss)
    boss.screenshot(path=artifacts / "devices-az.png", full_page=True)
    page.goto(f"{server.url}/manager?lang=az")                   # counter staff: refused
    found["manager: refused"] = blocking_violations(page)

    desk = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    desk.goto(f"{server.url}/assist?lang=az")
    found["help desk sign-in"] = blocking_violations(desk)
    sign_in(desk, f"{server.url}/assist?lang=az", "nigar", "nigar-volunteer-1")
    expect(desk.locator("#help-list li[data-source=kiosk-2]")).to_be_visible()
    found["help desk"] = blocking_violations(desk)
    desk.check("#delivery-print")
    assert fits_width(desk), "the help desk scrolls sideways at 390 px"
    desk.check("#delivery-phone")
    desk.click("#issue")                                       # no service: the error shown
    expect(desk.locator("#service-error")).not_to_be_empty()
    found["help desk, form error"] = blocking_violations(desk)
    desk.locator("#service-list input").first.check()
    desk.click("#issue")
    expect(desk.locator("#issued-qr svg")).to_be_visible()
    found["help desk, ticket issued"] = blocking_violations(desk)
    desk.screenshot(path=artifacts / "assist-4-qr-az.png", full_page=True)
    blocking = {name: v for name, v in found.items() if v}
    assert blocking == {}, "\n".join(f"{name}: {v}" for name, v in blocking.items())


def tab_round(page: Page) -> list[str]:
    """The controls Tab reaches once round the page, in order; each shows a focus ring."""
    reached: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement === document.body ? null : "
                                "document.activeElement.id || "
                                "document.activeElement.outerHTML.slice(0, 120)")
        if focused is None:                                # past the last control: wraps
            continue
        if focused in reached:                             # round the page once
            break
        reached.append(focused)
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", f"{focused} has no visible focus"
    return reached


def tab_to(page: Page, value: str, by: str = "id") -> None:
    """Press Tab until the control with this id (or name) has the focus."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.{by}") == value:
            return
    raise AssertionError(f"Tab never reaches {by}={value!r}")


def test_console_works_by_keyboard_alone(browser, server: LiveServer, artifacts: Path):
    """Sign in, open a counter and serve a visitor with Tab, Space/Enter and the shortcut keys
    only; every focused control shows a visible focus ring; status changes are announced; the
    one-letter shortcuts can be switched off."""
    code = server.queue.issue(JOB).code
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/counter?lang=en")
    tab_to(page, "username", by="name")
    page.keyboard.type("aysel")
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF["aysel"])
    page.keyboard.press("Enter")
    expect(page.locator("#counter-select")).to_be_visible()
    tab_to(page, "open-counter")
    page.keyboard.press("Enter")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")

    reached = tab_round(page)
    for control in ("btn-next", "transfer-service", "btn-pause", "btn-close"):
        assert control in reached, (control, reached)
    tab_to(page, "btn-next")
    page.keyboard.press("Enter")
    expect(page.locator("#current-code")).to_have_text(code)
    expect(page.locator("#message")).to_have_attribute("aria-live", "assertive")
    expect(page.locator("#message")).to_contain_text(code)
    reached = tab_round(page)                    # with a visitor called, the visit's buttons
    for control in ("btn-next", "btn-recall", "btn-start", "btn-finish", "btn-no-show",
                    "transfer-service", "btn-transfer", "btn-pause"):
        assert control in reached, (control, reached)
    tab_to(page, "btn-start")
    page.keyboard.press("Space")
    expect(page.locator("#current-status")).to_have_attribute("data-status", "serving")
    page.keyboard.press("f")                                   # Finish by its shortcut
    expect(page.locator("#current-empty")).to_be_visible()
    page.screenshot(path=artifacts / "console-keyboard.png")
    assert server.queue.ticket(code).status == "done"

    later = server.queue.issue(JOB).code                       # 2.1.4: shortcuts switched off
    tab_to(page, "shortcuts")
    page.keyboard.press("Space")
    expect(page.locator("#console")).to_have_attribute("data-shortcuts", "off")
    page.keyboard.press("n")
    page.reload()                                              # the choice is kept
    expect(page.locator("#shortcuts")).not_to_be_checked()
    page.keyboard.press("n")              # a shortcut would have started its request by now:
    assert page.evaluate("document.getElementById('console').dataset.busy || ''") == ""
    expect(page.locator("#waiting-count")).to_have_text("1 waiting")
    assert server.queue.ticket(later).status == "waiting"
    page.close()
