"""The counter console and the phone page in a real Chromium against a live server."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.server.live import STAFF, LiveServer

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster

JOB = "employment.job-seeker"
PENSION = "pensions.age"


def idle(page: Page) -> None:
    """Wait until the console has no action on its way (it takes one at a time; a press
    meanwhile is answered "one moment" and does nothing)."""
    expect(page.locator("#console")).to_have_attribute("data-busy", "")


def sign_in_at_counter(page: Page, server: LiveServer, name: str, counter: str,
                       lang: str = "en", shots: Path | None = None) -> None:
    page.goto(f"{server.url}/counter?lang={lang}")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", STAFF[name])
    if shots:
        page.screenshot(path=shots / f"console-0-sign-in-{lang}.png")
    page.click("#sign-in")
    page.select_option("#counter-select", counter)
    if shots:
        page.screenshot(path=shots / f"console-0-choose-counter-{lang}.png")
    page.click("#open-counter")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")


def test_staff_serves_visitors_at_counter_3(browser, server: LiveServer, artifacts: Path):
    """A staff member signs in, opens counter 3 and uses Next, Start, Finish, No-show, Transfer."""
    codes = [server.queue.issue(JOB, source="kiosk-1").code for _ in range(3)]
    server.queue.issue(JOB, priority="veteran", source="kiosk-1")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    sign_in_at_counter(page, server, "aysel", "3")
    expect(page.locator("#waiting-count")).to_have_text("4 waiting")
    expect(page.locator("#waiting-list li.priority")).to_have_count(1)
    server.clock.advance(minutes=7)
    page.reload()
    expect(page.locator("#waiting-oldest")).to_contain_text("7:0")
    page.screenshot(path=artifacts / "console-1-opened.png")

    idle(page)
    page.click("#btn-next")                      # the veteran first
    expect(page.locator("#current-code")).to_have_text("A-004")
    idle(page)
    page.keyboard.press("s")                     # Start, by its shortcut
    expect(page.locator("#current-status")).to_have_attribute("data-status", "serving")
    server.clock.advance(minutes=4)
    page.reload()                                # re-reads the server's (fake) time
    expect(page.locator("#current-serving")).to_contain_text("4:0")
    expect(page.locator("#current-waited")).to_contain_text("7:0")
    page.screenshot(path=artifacts / "console-2-serving.png")
    idle(page)
    page.click("#btn-finish")
    expect(page.locator("#current-empty")).to_be_visible()
    assert server.queue.ticket("A-004").status == "done"

    idle(page)
    page.keyboard.press("n")
    expect(page.locator("#current-code")).to_have_text(codes[0])
    idle(page)
    page.click("#btn-no-show")
    expect(page.locator("#current-empty")).to_be_visible()
    assert server.queue.ticket(codes[0]).status == "no_show"

    idle(page)
    page.click("#btn-next")
    expect(page.locator("#current-code")).to_have_text(codes[1])
    page.select_option("#transfer-service", PENSION)
    idle(page)
    page.click("#btn-transfer")
    expect(page.locator("#current-empty")).to_be_visible()
    moved = server.queue.ticket(codes[1])
    assert (moved.status, moved.service) == ("waiting", PENSION)
    expect(page.locator("#waiting-count")).to_have_text("1 waiting")

    server.queue.report_device("kiosk-1", "printer_paper_out", "paper end sensor")
    expect(page.locator("#alerts .alert")).to_contain_text("Kiosk 1")   # arrives over SSE
    idle(page)
    page.click("#btn-next")
    expect(page.locator("#current-code")).to_have_text(codes[2])
    page.screenshot(path=artifacts / "console-3-alert-and-called.png")
    page.close()


def test_console_speaks_azerbaijani_and_russian(browser, server: LiveServer, artifacts: Path):
    """The console's buttons and counts follow the chosen language."""
    server.queue.issue(JOB)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    sign_in_at_counter(page, server, "aysel", "3", lang="az", shots=artifacts)
    expect(page.locator("#btn-next")).to_contain_text("Növbəti")
    expect(page.locator("#waiting-count")).to_have_text("1 nəfər gözləyir")
    page.screenshot(path=artifacts / "console-az.png")
    page.goto(f"{server.url}/counter?lang=ru")
    expect(page.locator("#btn-next")).to_contain_text("Следующий")
    page.close()


def test_phone_page_follows_its_ticket_and_rates(browser, server: LiveServer, artifacts: Path):
    """A phone watches its ticket move up, sees counter 3 and rates the visit once."""
    for _ in range(2):
        server.queue.issue(JOB)
    mine = server.queue.issue(JOB, language="en")
    staff = server.staff_client("rauf", counter="3")
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True,
                             has_touch=True)
    phone.goto(f"{server.url}/t/{mine.token}?lang=en")
    expect(phone.locator("#code")).to_have_text(mine.code)
    expect(phone.locator("#ahead")).to_have_text("2 people")
    expect(phone.locator("#live")).to_have_attribute("data-state", "live")
    phone.screenshot(path=artifacts / "phone-1-waiting.png")

    assert staff.api("POST", "/api/counters/3/next").status_code == 200
    expect(phone.locator("#ahead")).to_have_text("1 person")
    assert staff.api("POST", "/api/counters/3/next").status_code == 200
    expect(phone.locator("#ahead")).to_have_text("nobody")
    assert staff.api("POST", "/api/counters/3/next").json()["code"] == mine.code
    expect(phone.locator("#counter")).to_have_text("Counter 3")
    expect(phone.locator("#headline")).to_have_text("Please go to counter 3")
    phone.screenshot(path=artifacts / "phone-2-called.png")

    staff.api("POST", "/api/counters/3/start")
    staff.api("POST", "/api/counters/3/finish")
    expect(phone.locator("#rating")).to_be_visible()
    phone.click("#rate-4")
    expect(phone.locator("#thanks")).to_be_visible()
    assert server.queue.status(mine.token).rating == 4
    phone.screenshot(path=artifacts / "phone-3-rated.png")
    phone.reload()
    expect(phone.locator("#rating")).to_be_hidden()      # accepted once
    phone.goto(f"{server.url}/t/{mine.token}?lang=az")
    expect(phone.locator("#headline")).to_have_text("Xidmət başa çatdı")
    phone.close()


def test_two_counters_press_next_together(browser, server: LiveServer, artifacts: Path):
    """Two staff on counters 1 and 2 press Next at once and get different tickets."""
    issued = {server.queue.issue(JOB).code for _ in range(2)}
    ctx1, ctx2 = browser.new_context(), browser.new_context()
    page1, page2 = ctx1.new_page(), ctx2.new_page()
    sign_in_at_counter(page1, server, "aysel", "1")
    sign_in_at_counter(page2, server, "rauf", "2")
    # Both clicks are queued by the pages before either request can finish.
    page1.evaluate("document.getElementById('btn-next').click(); 1")
    page2.evaluate("document.getElementById('btn-next').click(); 1")
    first = page1.locator("#current-code")
    second = page2.locator("#current-code")
    expect(first).not_to_have_text("")
    expect(second).not_to_have_text("")
    got = {first.inner_text(), second.inner_text()}
    assert got == issued
    page1.screenshot(path=artifacts / "two-counters-1.png")
    page2.screenshot(path=artifacts / "two-counters-2.png")
    ctx1.close()
    ctx2.close()


def test_a_press_while_next_is_on_its_way_is_answered_not_lost(browser, server: LiveServer,
                                                              artifacts: Path):
    """While a Next is on its way the buttons show busy and a second press says so, calling nobody."""
    issued = [server.queue.issue(JOB).code for _ in range(2)]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    sign_in_at_counter(page, server, "aysel", "3")
    held = []                                     # the Next's request, held until we let it go
    page.route("**/api/counters/3/next", lambda route: held.append(route))
    idle(page)
    page.click("#btn-next")
    expect(page.locator("#console")).to_have_attribute("data-busy", "1")
    page.keyboard.press("n")                      # pressed again while the first is on its way
    expect(page.locator("#message")).to_have_text("One moment: the last action is still being done")
    page.screenshot(path=artifacts / "console-busy.png")
    assert len(held) == 1                         # the second press sent nothing
    held[0].continue_()
    expect(page.locator("#current-code")).to_have_text(issued[0])
    expect(page.locator("#console")).to_have_attribute("data-busy", "")
    assert server.queue.ticket(issued[1]).status == "waiting"
    page.close()


def test_pages_reconnect_when_the_server_comes_back(browser, server: LiveServer, artifacts: Path):
    """Console and phone page mark "reconnecting" while the server is away, then carry on."""
    mine = server.queue.issue(JOB)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(15_000)
    sign_in_at_counter(page, server, "aysel", "3")
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.set_default_timeout(15_000)
    phone.goto(f"{server.url}/t/{mine.token}?lang=en")
    expect(phone.locator("#live")).to_have_attribute("data-state", "live")

    server.handle.stop()
    expect(page.locator("#live")).to_have_attribute("data-state", "reconnecting")
    expect(phone.locator("#live")).to_have_attribute("data-state", "reconnecting")
    page.screenshot(path=artifacts / "console-reconnecting.png")

    server.restart()
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    expect(phone.locator("#live")).to_have_attribute("data-state", "live")
    idle(page)
    page.click("#btn-next")                       # the session survived the restart
    expect(page.locator("#current-code")).to_have_text(mine.code)
    expect(phone.locator("#counter")).to_have_text("Counter 3")
    page.close()
    phone.close()


def test_console_in_az_answers_in_words_with_az_shortcuts(browser, server: LiveServer,
                                                        artifacts: Path):
    """In az the shortcut letters come from the az labels and show on the buttons; each action
    says what it did to which ticket; the transfer list leaves out this counter's own services,
    is in az alphabet order and is cleared after use; Pause gives way to Resume."""
    first, second = (server.queue.issue(JOB).code for _ in range(2))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    sign_in_at_counter(page, server, "aysel", "3", lang="az")
    caps = {a: page.locator(f"#btn-{a} kbd").inner_text()
            for a in ("next", "start", "finish", "no-show", "transfer", "pause", "close")}
    assert caps == {"next": "N", "start": "B", "finish": "İ", "no-show": "G", "transfer": "Y",
                    "pause": "F", "close": "A"}
    options = page.locator("#transfer-service option").all_inner_texts()[1:]
    own = {server.queue.config.service(s).name("az") for s in server.queue.config.counter("3").services}
    assert options and not own & set(options)
    order = "ABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ"
    assert [order.index(o[0]) for o in options] == sorted(order.index(o[0]) for o in options)

    status = page.locator("#current-status")
    idle(page)
    page.keyboard.press("n")
    expect(page.locator("#message")).to_have_text(f"{first} nömrəli bilet çağırıldı")
    expect(status).to_have_attribute("data-status", "called")
    idle(page)
    page.keyboard.press("b")
    expect(page.locator("#message")).to_have_text(f"{first}: xidmət başladı")
    expect(status).to_have_attribute("data-status", "serving")
    page.select_option("#transfer-service", PENSION)
    page.locator("#btn-transfer").focus()
    idle(page)
    page.keyboard.press("y")
    pension = server.queue.config.service(PENSION).name("az")
    expect(page.locator("#message")).to_have_text(f"{first}: «{pension}» xidmətinə yönləndirildi")
    expect(page.locator("#transfer-service")).to_have_value("")
    expect(page.locator("#current-empty")).to_be_visible()
    idle(page)
    page.keyboard.press("n")
    expect(page.locator("#current-code")).to_have_text(second)
    expect(status).to_have_attribute("data-status", "called")
    idle(page)
    page.keyboard.press("g")
    expect(page.locator("#message")).to_have_text(f"{second}: gəlmədi")
    expect(page.locator("#current-empty")).to_be_visible()
    idle(page)
    page.keyboard.press("f")
    expect(page.locator("#message")).to_have_text(
        "Fasilə: «Davam et» basılana qədər heç kim çağırılmır")
    expect(page.locator("#btn-pause")).to_be_hidden()
    expect(page.locator("#btn-open")).to_contain_text("Davam et")
    page.screenshot(path=artifacts / "console-az-paused.png")
    idle(page)
    page.click("#btn-open")
    expect(page.locator("#mode")).to_have_attribute("data-mode", "open")
    expect(page.locator("#message")).to_have_text("Pəncərə yenidən açıqdır")
    expect(page.locator("#btn-pause")).to_be_visible()
    page.screenshot(path=artifacts / "console-az-words.png")
    page.close()
