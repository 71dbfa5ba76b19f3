"""The help desk, help requests and the phone's alerts in Debian's Chromium against a live
server: a volunteer issues onto a remote kiosk's TCP printer, a kiosk's help request reaches a
console and the help desk and leaves both when someone goes, and a phone rings, vibrates and
flashes its title at 3rd in line and when called."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kiosk.printing.simulator import NetworkPrinterSimulator
from kiosk.window import KioskWindow
from shared.client.remote_queue import RemoteQueue
from tests.e2e.test_console_browser import sign_in_at_counter
from tests.server.live import LiveServer, add_account

JOB = "employment.job-seeker"
VOLUNTEER, VOLUNTEER_PW = "nigar", "nigar-volunteer-1"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
VIBRATE_SPY = """
window.__vibrations = [];
Object.defineProperty(Navigator.prototype, "vibrate", {
  configurable: true, value: function (pattern) { window.__vibrations.push(pattern); return true; },
});
"""


def add_volunteer(server: LiveServer) -> None:
    add_account(server.accounts, VOLUNTEER, VOLUNTEER_PW, "volunteer")


def sign_in_at_help_desk(page: Page, server: LiveServer, lang: str = "en") -> None:
    page.goto(f"{server.url}/assist?lang={lang}")
    page.fill("input[name=username]", VOLUNTEER)
    page.fill("input[name=password]", VOLUNTEER_PW)
    page.click("#sign-in")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")


@pytest.fixture
def printer():
    device = NetworkPrinterSimulator("ready")
    yield device
    device.close()


def test_help_desk_prints_on_the_kiosk_the_volunteer_picks(browser, server: LiveServer,
                                                          printer, qtbot, artifacts: Path):
    """A volunteer on a phone finds a service by typing (Azerbaijani letters), gives a priority
    with its reason and sends the ticket to a remote kiosk; that kiosk prints it on its TCP
    printer between its own tickets, and the help desk says it was printed."""
    add_volunteer(server)
    own = server.queue.issue(JOB, source="kiosk-2")              # the kiosk has printed today
    server.queue.report_device("kiosk-2", "printed", ticket_id=own.id)
    remote = RemoteQueue(server.url, server.device_token)
    kiosk = KioskWindow(remote, server.queue.config, printer.url, locked=False,
                        clock=server.clock, source="kiosk-2")
    qtbot.addWidget(kiosk)
    try:
        page = browser.new_page(**PHONE)
        page.set_default_timeout(10_000)
        sign_in_at_help_desk(page, server, "az")
        expect(page.locator("#kiosk option")).to_have_count(1)
        names = page.locator("#service-list label.choice").evaluate_all(
            "els => els.map(e => e.dataset.name)")
        # Azerbaijani order: Ə after E (before F), U before Ü — neither code points nor root.
        assert names.index("Ekspertizaya göndəriş") < names.index("Əlilliyin müəyyən edilməsi") \
            < names.index("Fərdi hesab və staj arayışı")
        assert names.index("Uşaq müavinəti") < names.index("Ünvanlı dövlət sosial yardımı")
        page.fill("#service-search", "iş axt")                   # "İşaxtaran kimi qeydiyyat"
        visible = page.locator("#service-list label.choice:visible")
        expect(visible).to_have_count(1)
        expect(visible.first).to_contain_text("İşaxtaran kimi qeydiyyat")
        page.keyboard.press("Enter")                             # the first match is chosen
        page.select_option("#priority", "veteran")
        page.click("#issue")                                     # no reason: named, not issued
        expect(page.locator("#reason-error")).not_to_be_empty()
        expect(page.locator("#reason")).to_be_focused()
        page.fill("#reason", "Qazi vəsiqəsi göstərildi")
        page.check("#delivery-print")
        page.screenshot(path=artifacts / "assist-1-form-az.png", full_page=True)
        page.click("#issue")
        expect(page.locator("#issued")).to_be_visible()
        code = page.locator("#issued-code").inner_text()
        qtbot.waitUntil(lambda: printer.job_count >= 1, timeout=10_000)
        expect(page.locator("#issued-delivery")).to_have_attribute("data-state", "printed")
        page.screenshot(path=artifacts / "assist-2-printed-az.png", full_page=True)
        ticket = server.queue.ticket(code)
        assert (ticket.priority, ticket.source) == ("veteran", "assist")
        issued = [e for e in server.queue.events() if e.kind == "issued" and e.code == code]
        assert issued[0].staff == VOLUNTEER and issued[0].details["print_at"] == "kiosk-2"
        printed = [e for e in server.queue.events() if e.kind == "printed" and e.code == code]
        assert [e.source for e in printed] == ["kiosk-2"]
        assert printer.job_count == 1              # the request only: the kiosk's own was earlier
        page.close()
    finally:
        kiosk.shutdown()
        remote.close()


def test_help_request_reaches_console_and_help_desk_until_someone_goes(
        browser, server: LiveServer, artifacts: Path):
    """A kiosk token raises help over HTTP; it shows on a counter console and on the help desk
    (announced: role=alert / aria-live); the volunteer's "I'm going" clears it on both, live."""
    add_volunteer(server)
    console = browser.new_page(viewport={"width": 1280, "height": 900})
    console.set_default_timeout(10_000)
    sign_in_at_counter(console, server, "aysel", "3")
    desk_context = browser.new_context(**PHONE)
    desk = desk_context.new_page()
    desk.set_default_timeout(10_000)
    sign_in_at_help_desk(desk, server)
    expect(desk.locator("#help-list li.empty")).to_be_visible()

    started = time.perf_counter()
    kiosk = server.device_client("kiosk")
    assert kiosk.post("/api/devices/report", json={"source": "kiosk-2",
                                                   "kind": "help_requested"}).status_code == 200
    on_console = console.locator("#alerts .alert[data-kind=help_requested]")
    expect(on_console).to_contain_text("A visitor needs help at Kiosk 2")
    on_desk = desk.locator("#help-list li[data-source=kiosk-2]")
    expect(on_desk).to_contain_text("A visitor needs help at Kiosk 2")
    print(f"help request → console and help desk: {(time.perf_counter() - started) * 1000:.0f} ms")
    expect(console.locator("#announce")).to_have_text("A visitor needs help at Kiosk 2")
    desk.screenshot(path=artifacts / "assist-3-help-request.png", full_page=True)
    console.screenshot(path=artifacts / "console-help-request.png")

    desk.locator("#help-list li[data-source=kiosk-2] button").click()
    expect(on_desk).to_have_count(0)
    expect(on_console).to_have_count(0)                      # cleared everywhere, live
    [ack] = [e for e in server.queue.events() if e.kind == "help_acknowledged"]
    assert (ack.source, ack.staff) == ("kiosk-2", VOLUNTEER)
    console.close()
    desk_context.close()


def test_phone_alerts_at_third_in_line_and_when_called(browser, server: LiveServer,
                                                      artifacts: Path):
    """The phone plays its sound, vibrates and flashes its title at 3rd in line and when
    called (and once more on a recall); it says whether the screen can stay awake."""
    for _ in range(3):
        server.queue.issue(JOB)
    mine = server.queue.issue(JOB, language="az")
    staff = server.staff_client("rauf", counter="3")
    context = browser.new_context(**PHONE)
    context.add_init_script(VIBRATE_SPY)
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(f"{server.url}/t/{mine.token}")
    expect(phone.locator("#live")).to_have_attribute("data-state", "live")
    expect(phone.locator("#awake")).not_to_be_empty()       # http://127.0.0.1 is a secure context
    awake = phone.locator("#awake").get_attribute("data-state")
    assert awake in ("on", "refused", "unsupported")
    phone.screenshot(path=artifacts / "phone-waiting-az.png", full_page=True)
    phone.click("#alerts-on")                                 # the tap that unlocks sound
    expect(phone.locator("#alerts-state")).to_have_text("Səs və titrəmə açıqdır")
    title = phone.title()
    assert phone.evaluate("window.__vibrations.length") == 1  # the unlocking tap's own buzz

    staff.api("POST", "/api/counters/3/next")                 # 2 ahead: 3rd in line
    expect(phone.locator("#turn-alert")).to_have_attribute("data-kind", "near")
    expect(phone.locator("#phone")).to_have_attribute("data-sounds", "1")
    phone.wait_for_function("document.title.includes('Növbəniz yaxınlaşır')")
    assert phone.evaluate("window.__vibrations.length") == 2

    staff.api("POST", "/api/counters/3/next")                 # 1 ahead: no second "near"
    staff.api("POST", "/api/counters/3/next")
    expect(phone.locator("#ahead")).to_have_text("heç kim")
    assert phone.evaluate("window.__vibrations.length") == 2
    assert staff.api("POST", "/api/counters/3/next").json()["code"] == mine.code
    expect(phone.locator("#turn-alert")).to_have_attribute("data-kind", "called")
    expect(phone.locator("#turn-alert")).to_contain_text("Növbəniz çatdı!")
    expect(phone.locator("#headline")).to_contain_text("3 nömrəli pəncərəyə")
    expect(phone.locator("#phone")).to_have_attribute("data-sounds", "2")
    phone.wait_for_function("document.title.includes('Növbəniz çatdı')")
    assert phone.evaluate("window.__vibrations")[-1] == [400, 150, 400, 150, 400]
    phone.screenshot(path=artifacts / "phone-called-az.png", full_page=True)

    staff.api("POST", "/api/counters/3/recall")              # called again: alerted again
    expect(phone.locator("#phone")).to_have_attribute("data-sounds", "3")
    phone.locator("#code").click()                           # the visitor looks: title stops
    expect(phone).to_have_title(re.compile(re.escape(title)))
    context.close()
