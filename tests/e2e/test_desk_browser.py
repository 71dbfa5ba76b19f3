"""The booking desk in Debian's Chromium against a live server: reception books a free slot
(the printout with its code and QR code), the slot's seats go down, a full slot cannot be
chosen, a wrong phone number is named, a visitor is checked in and a booking cancelled — in
az, ru and en, with no serious axe-core violation; screenshots for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shared.bookings.model import BookingStatus, is_code
from tests.bookings.conftest import baku
from tests.e2e.test_accessibility_browser import blocking_violations, fits_width, sign_in
from tests.server.live import LiveServer, add_account

RECEPTION, RECEPTION_PW = "sevda", "sevda-reception-1"
PENSION = "pensions.age"


def add_reception(server: LiveServer) -> None:
    add_account(server.accounts, RECEPTION, RECEPTION_PW, "reception")


def open_desk(page: Page, server: LiveServer, lang: str) -> None:
    sign_in(page, f"{server.url}/desk?lang={lang}", RECEPTION, RECEPTION_PW)
    expect(page.locator("h1.page-title")).to_be_visible()


@pytest.mark.slow
def test_reception_books_prints_checks_in_and_cancels(browser, server: LiveServer, artifacts: Path):
    """Book 11:00 for a visitor (Russian, with name and phone): the printout shows the code and
    its QR code; the 11:00 slot is then full; a bad phone is refused by name; check-in at the
    desk gives the slot's ticket; a second booking is cancelled."""
    add_reception(server)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    open_desk(page, server, "en")
    page.select_option("#service", PENSION)
    page.click("#show-slots")
    slot = page.locator("label.slot", has_text="11:00")
    expect(slot).to_contain_text("1 / 2")
    assert blocking_violations(page) == []
    page.screenshot(path=str(artifacts / "desk-en.png"), full_page=True)
    slot.locator("input").check()
    page.fill("#visitor-phone", "call me")
    page.click("#book")
    expect(page.locator("#desk-error")).to_contain_text("Not a phone number")
    page.locator("#desk-error").screenshot(path=str(artifacts / "desk-bad-phone-en.png"))
    page.locator("label.slot", has_text="11:00").locator("input").check()
    page.fill("#visitor-name", "Olga Petrova")
    page.fill("#visitor-phone", "+994 50 123 45 67")
    page.check("input[name=language][value=ru]")
    page.click("#book")
    code = page.locator("#booking-code").inner_text().strip()
    assert is_code(code)
    expect(page.locator(".printout .qr svg")).to_be_visible()
    assert blocking_violations(page) == []
    page.screenshot(path=str(artifacts / "desk-printout-en.png"), full_page=True)
    booking = server.queue.bookings.find(code)
    assert booking.lang == "ru" and booking.name == "Olga Petrova" and booking.made_by == RECEPTION
    expect(page.locator(".printout h1")).to_have_text("Ваша запись")      # the visitor's language
    page.click("#back-to-desk")
    expect(page.locator("label.slot", has_text="11:00").locator("input")).to_be_disabled()
    row = page.locator(f"tr[data-code='{code}']")
    expect(row).to_contain_text("Olga Petrova")
    server.clock.set("2026-11-23T06:50:00+00:00")           # 10:50: within the window
    page.fill("#check-in-code", code.lower())
    page.click("#check-in")
    expect(page.locator("#desk-notice")).to_contain_text("Checked in: ticket B-")
    assert server.queue.bookings.find(code).status == BookingStatus.CHECKED_IN
    page.locator("label.slot", has_text="14:00").locator("input").check()
    page.click("#book")
    second = page.locator("#booking-code").inner_text().strip()
    page.click("#back-to-desk")
    page.click(f"tr[data-code='{second}'] button.danger")
    expect(page.locator("#desk-notice")).to_contain_text(f"Booking {second} cancelled.")
    assert server.queue.bookings.find(second).status == BookingStatus.CANCELLED


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["az", "ru"])
def test_the_desk_in_each_language_passes_axe(browser, server: LiveServer, artifacts: Path, lang):
    """The desk with a day's bookings reads in Azerbaijani and Russian, fits a narrow window,
    and has no serious axe-core violation."""
    add_reception(server)

    server.queue.bookings.book_local(PENSION, baku("2026-11-23 12:00"), lang, RECEPTION,
                                     name="Leyla", phone="+994501112233")
    page = browser.new_page(viewport={"width": 700, "height": 900})
    open_desk(page, server, lang)
    page.goto(f"{server.url}/desk?service={PENSION}&day=2026-11-23")
    expect(page.locator("table.bookings")).to_contain_text("Leyla")
    assert blocking_violations(page) == []
    assert fits_width(page)
    page.screenshot(path=str(artifacts / f"desk-{lang}.png"), full_page=True)


@pytest.mark.slow
def test_counter_console_checks_a_visitor_in_by_code(browser, server: LiveServer, artifacts: Path):
    """At the counter console a code typed in the check-in box gives the visitor the slot's
    ticket, said in a sentence; an unknown code is said so; the console stays axe-clean."""
    from tests.e2e.test_console_browser import sign_in_at_counter

    booking = server.queue.bookings.book_local(PENSION, baku("2026-11-23 11:00"), "az", "r")
    server.clock.set("2026-11-23T06:45:00+00:00")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    sign_in_at_counter(page, server, "aysel", "4")
    page.fill("#check-in-code", "QQQQQQ")
    page.click("#check-in")
    expect(page.locator("#check-in-result")).to_have_text("No booking has this code.")
    page.fill("#check-in-code", "")
    page.locator("#check-in-code").press_sequentially(f"NOVBE:{booking.code}")  # keys: no shortcut fires
    page.click("#check-in")
    expect(page.locator("#check-in-result")).to_contain_text("Checked in: ticket B-001, called at 11:00.")
    assert server.queue.counter_state("4").ticket is None          # Next was not pressed
    assert blocking_violations(page) == []
    page.screenshot(path=str(artifacts / "console-check-in-en.png"), full_page=True)


@pytest.mark.slow
def test_the_desk_says_a_lowered_share_keeps_the_national_bookings(browser, server: LiveServer,
                                                                   artifacts: Path):
    """Two national bookings for a pension slot that now gives the national desk one seat (the
    share lowered after they were made): the desk says they stay booked and the centre books
    only the seats left, in az, ru and en; the slot shows no seat for the centre."""
    from shared.bookings.model import Booking, Channel

    add_reception(server)
    start = baku("2026-11-23 15:00")
    server.queue.bookings.merge_national(
        [Booking(id=f"n{k}", centre=server.queue.config.centre_id, service=PENSION,
                 slot_start=start, code=f"3{k}ACDE", lang="az", channel=Channel.CALL_CENTRE,
                 made_by="142", created_at=1, updated_at=1) for k in (3, 4)], final_through=0)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    open_desk(page, server, "en")
    says_with_15_00_full(page, server, artifacts, "lowered", {
        "en": "stay booked; none is cancelled", "ru": "остаются в силе", "az": "qüvvədə qalır"})


@pytest.mark.slow
def test_the_desk_says_what_a_raised_share_means(browser, db_path: Path, config, clock,
                                                 artifacts: Path):
    """Both pension seats of 15:00 booked at reception while the national share was 0; raised
    to 0.5 (1 national, 1 local): the desk says its own seats shrink, the slot keeps its two
    bookings, and the national desk books no more than the older share until the centre has
    reported — in az, ru and en; the slot shows no seat for the centre."""
    from shared.config.centre import load_config
    from tests.bookings.test_share_raised_note import booked_then_changed
    from tests.server.live import live_server

    text = Path(config.source).read_text(encoding="utf-8")
    older_path = db_path.with_name("share-0.toml")
    older_path.write_text(text.replace("national_share = 0.5\n", "national_share = 0.0\n"),
                          encoding="utf-8")
    booked_then_changed(db_path, load_config(older_path), config, clock)
    with live_server(db_path, config, clock) as server:
        add_reception(server)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(10_000)
        open_desk(page, server, "en")
        says_with_15_00_full(page, server, artifacts, "raised", {
            "en": "raised to 50%", "ru": "повышена до 50%", "az": "qaldırılıb"}, axe=True)
        page.close()


def says_with_15_00_full(page, server, artifacts: Path, name: str, said: dict[str, str],
                         axe: bool = False) -> None:
    """In each language the desk's share line says `said[lang]` and the pensions slot of 15:00
    has no seat to choose (with `axe`: and the page passes axe-core and fits its width)."""
    for lang, text in said.items():
        page.goto(f"{server.url}/desk?lang={lang}")
        expect(page.locator("#share-line")).to_contain_text(text)
        page.select_option("#service", PENSION)
        page.click("#show-slots")
        expect(page.locator("label.slot", has_text="15:00").locator("input")).to_be_disabled()
        if axe:
            assert blocking_violations(page) == [] and fits_width(page)
        page.screenshot(path=str(artifacts / f"desk-share-{name}-{lang}.png"), full_page=True)


@pytest.mark.slow
@pytest.mark.parametrize("lang, said", [("en", "The nearest free one, 10:30, is chosen"),
                                        ("az", "Ən yaxın boş interval, 10:30, seçilib"),
                                        ("ru", "Выбран ближайший свободный, 10:30")])
def test_a_slot_taken_meanwhile_offers_the_nearest_free_one(browser, server: LiveServer,
                                                            artifacts: Path, lang, said):
    """The clerk chooses 11:00, another desk takes its last seat first: the desk says so, names
    the nearest free slot (10:30, the earlier of two as near) and has it chosen; booking it
    then succeeds."""
    add_reception(server)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    open_desk(page, server, lang)
    page.select_option("#service", PENSION)
    page.click("#show-slots")
    page.locator("label.slot", has_text="11:00").locator("input").check()
    server.queue.bookings.book_local(PENSION, baku("2026-11-23 11:00"), "az", "other-desk")
    page.click("#book")
    expect(page.locator("#desk-error")).to_contain_text(said)
    expect(page.locator("label.slot", has_text="10:30").locator("input")).to_be_checked()
    page.screenshot(path=str(artifacts / f"desk-nearest-free-{lang}.png"), full_page=True)
    page.click("#book")
    code = page.locator("#booking-code").inner_text().strip()
    assert server.queue.bookings.find(code).slot_start == baku("2026-11-23 10:30")
