"""The 142 call centre's booking desk (`novbe central serve`, role "booking") in Debian's
Chromium over a real PostgreSQL: pick a centre, service and day, see free seats on both sides,
book and read the code, find and cancel it; refusals in plain words; axe-core clean."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from central.bookings import desk
from server.auth.accounts import Accounts
from server.shipping.bookings_link import BookingLink, state_path_for
from shared.bookings.model import Channel
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.central.booking_centre import (
    SERVICE,
    booking_centre,
    closed_day,
    open_day,
    record_config,
    slot_at,
    with_share,
)
from tests.central.conftest import CentralDb, central, pg_cluster  # noqa: F401  (fixtures)
from tests.conftest import ARTIFACTS
from tests.e2e.test_accessibility_browser import blocking_violations, fits_width, sign_in
from tests.e2e.test_central_page import national_server
from tests.server.live import add_account

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster

DESK = ("leyla", "desk-password-142")


def _show(page: Page, centre: str, day: str) -> None:
    page.select_option("#centre", centre)
    page.click("#show-slots")
    page.select_option("#service", SERVICE)
    page.fill("#day", day)
    page.click("#show-slots")


def test_booking_desk_in_a_browser(tmp_path: Path, central: CentralDb,  # noqa: F811
                                   browser) -> None:
    """A desk operator books the last national seats of a slot, sees it full, finds the
    booking by code and cancels it; a closed day is refused; the page passes axe in az."""
    config, _ = booking_centre(tmp_path, central, "nord", seats=4, share=0.5)
    booking_centre(tmp_path, central, "west", bookings=False)
    day = open_day(config)
    ten = slot_at(config, day)
    with central.admin() as conn:       # the centre's link pushed its own free seats
        conn.execute("INSERT INTO novbe.local_seats VALUES ('nord', %s, %s, 2, %s)",
                     (SERVICE, ten, time.time()))
    accounts = Accounts(tmp_path / "agency.sqlite")
    add_account(accounts, *DESK, "booking")
    ARTIFACTS.mkdir(exist_ok=True)
    with national_server(central.admin_url, accounts) as base:
        assert httpx.get(f"{base}/booking", follow_redirects=False).status_code == 303
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            sign_in(page, f"{base}/?lang=en", *DESK)
            page.wait_for_url("**/booking")        # signed in (retried, not read once)
            assert [o for o in page.locator("#centre option").all_inner_texts() if o != "—"] \
                == ["DOST Centre — Nord"]
            _show(page, "nord", day.isoformat())
            row = page.locator("#slots tbody tr").first
            assert row.locator("th").inner_text().strip() == "09:00"
            ten_row = page.locator("#slots tbody tr", has=page.locator(f"input[value='{ten}']"))
            assert "2 free as of" in ten_row.inner_text()
            assert "no gateway configured" in page.locator("#no-sms").inner_text()
            page.check(f"input[name=slot][value='{ten}']")
            page.fill("#visitor-phone", "+994 50 123 45 67")
            page.select_option("#visitor-lang", "ru")
            page.click("#book")
            code = page.locator("#booked-code").inner_text()
            assert page.locator("#booked-what").inner_text() == \
                f"Old-age labour pension, {day.isoformat()} 10:00, DOST Centre — Nord"
            assert len(code) == 6
            assert blocking_violations(page) == [] and fits_width(page)
            page.screenshot(path=str(ARTIFACTS / "booking-desk-en.png"), full_page=True)
            page.check(f"input[name=slot][value='{ten}']")
            page.click("#book")
            expect(page.locator("#slots tbody tr").nth(2)).to_contain_text("Full")  # page is in
            expect(page.locator(f"input[name=slot][value='{ten}']")).to_have_count(0)
            page.fill("#find-code", code.lower())
            page.click("#find")
            page.click("#cancel")
            expect(page.locator("#notice")).to_contain_text(code)
            assert "10:00" in page.locator("#found-what").inner_text()
            page.goto(f"{base}/booking?centre=nord&service={SERVICE}"
                      f"&day={closed_day(config).isoformat()}&lang=az")
            assert "bağlıdır" in page.locator("#view-refusal").inner_text()
            assert blocking_violations(page) == []
            page.goto(f"{base}/booking?centre=nord&service={SERVICE}&day={day}&lang=ru")
            page.screenshot(path=str(ARTIFACTS / "booking-desk-ru.png"), full_page=True)
            assert blocking_violations(page) == []
        finally:
            page.close()


def test_the_desk_says_why_a_raised_share_books_no_more(tmp_path: Path, central: CentralDb,  # noqa: F811
                                                        browser) -> None:
    """4 seats, share 0.25; the centre's own desk booked 3 of 10:00 and 1 of 11:00; raised to
    0.75 and reported: the page offers 1 national seat at 10:00 and 3 at 11:00, and a desk
    booking the 10:00 seat someone just took reads why there is none and the nearest free time
    (09:30, chosen for it)."""
    config, db_path = booking_centre(tmp_path, central, "nord", seats=4, share=0.25)
    day = open_day(config)
    ten, eleven = slot_at(config, day, "10:00"), slot_at(config, day, "11:00")
    queue = LocalQueue(db_path, config, FakeClock(datetime.now(config.tz)))
    for start in (ten, ten, ten, eleven):
        queue.bookings.book_local(SERVICE, start, "az", "reception-1")
    queue.close()
    raised = with_share(config, tmp_path, 0.75)
    assert raised.central is not None
    record_config(db_path, raised, ship=True)
    queue = LocalQueue(db_path, raised, FakeClock(datetime.now(config.tz)))
    BookingLink(queue.bookings, raised.central, state_path_for(db_path)).sync()
    queue.close()
    accounts = Accounts(tmp_path / "agency.sqlite")
    add_account(accounts, *DESK, "booking")
    ARTIFACTS.mkdir(exist_ok=True)
    with national_server(central.admin_url, accounts) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            sign_in(page, f"{base}/?lang=en", *DESK)
            page.wait_for_url("**/booking")
            _show(page, "nord", day.isoformat())
            row_of = {at: page.locator("#slots tbody tr", has=page.locator(
                f"input[value='{at}']")) for at in (ten, eleven)}
            assert "1 free" in row_of[ten].inner_text()
            assert "3 free" in row_of[eleven].inner_text()
            with central.admin() as conn:       # another operator takes the 10:00 seat
                desk.book(conn, desk.BookingRequest("nord", SERVICE, ten, "az",
                                                    Channel.CALL_CENTRE, "operator-2"))
            page.check(f"input[name=slot][value='{ten}']")
            page.click("#book")
            said = page.locator("#refusal").inner_text()
            assert "had booked 3 of the 4 seats" in said and "choose another time" in said
            # the nearest time the desk can still book is named and chosen for the operator
            assert "The nearest time with a free seat that day is 09:30." in said
            half_past_nine = slot_at(config, day, "09:30")
            expect(page.locator(f"input[name=slot][value='{half_past_nine}']")).to_be_checked()
            assert blocking_violations(page) == [] and fits_width(page)
            page.screenshot(path=str(ARTIFACTS / "booking-desk-share-raised-en.png"),
                            full_page=True)
        finally:
            page.close()
