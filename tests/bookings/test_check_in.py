"""Checking in a booked visitor: the window rule in plain outcomes, one write for the booking
and its ticket, scanner payloads, replays, and a clock set back."""

from __future__ import annotations

import pytest

from shared.bookings.checkin import CheckIn, CheckInOutcome, extract_code
from shared.bookings.model import BookingStatus
from shared.core.clock import FakeClock
from tests.bookings.conftest import PENSION, baku


@pytest.fixture
def booked(ledger):
    """A pension booking at 11:00 on Monday (the clock says 10:00)."""
    return ledger.book_local(PENSION, baku("2026-11-23 11:00"), "ru", "reception:leyla")


def test_too_early_says_when_to_come_back(ledger, booked):
    """An hour early: not checked in; the window opens at 10:30."""
    result = ledger.check_in(booked.code)
    assert result.outcome == CheckInOutcome.EARLY and result.ticket is None
    assert result.come_back_at == baku("2026-11-23 10:30")
    assert ledger.find(booked.code).status == BookingStatus.BOOKED


def test_too_early_may_take_a_walk_in_ticket(ledger, booked):
    """Early, and the visitor prefers to wait as a walk-in: a ticket without a slot."""
    result = ledger.check_in(booked.code, walk_in_if_early=True)
    assert result.outcome == CheckInOutcome.EARLY_WALK_IN
    assert result.ticket is not None and result.ticket.slot_at is None


def test_within_the_window_a_ticket_with_the_slot(ledger, booking_queue, booked, clock: FakeClock):
    """At 10:40 the visitor is checked in: a ticket in their language carrying the slot's start,
    and the booking and ticket are written together with the event."""
    clock.set("2026-11-23T06:40:00+00:00")
    result = ledger.check_in(booked.code)
    assert result.outcome == CheckInOutcome.CHECKED_IN
    t = result.ticket
    assert t is not None and t.language == "ru" and t.service == PENSION
    assert t.slot_at is not None and t.slot_at.timestamp() == booked.slot_start
    assert ledger.find(booked.code).ticket == t.code
    ev = [e for e in booking_queue.events() if e.kind == "booking_checked_in"][0]
    assert ev.ticket_id == t.id and ev.details["arrival"] == "on_time"


def test_a_second_check_in_returns_the_same_ticket(ledger, booked, clock: FakeClock):
    """A visitor (or a kiosk retry) checking in twice gets the first ticket, not another."""
    clock.set("2026-11-23T06:50:00+00:00")
    first = ledger.check_in(booked.code)
    again = ledger.check_in(booked.code)
    assert again.outcome == CheckInOutcome.ALREADY and again.ticket.code == first.ticket.code


def test_too_late_gives_a_walk_in_ticket(ledger, booked, clock: FakeClock):
    """Twenty minutes after the slot: a walk-in ticket, the booking late → walk-in."""
    clock.set("2026-11-23T07:20:00+00:00")
    result = ledger.check_in(booked.code)
    assert result.outcome == CheckInOutcome.LATE_WALK_IN and result.ticket.slot_at is None
    assert ledger.find(booked.code).status == BookingStatus.LATE_WALK_IN


def test_a_no_show_coming_later_is_a_late_walk_in(ledger, booked, clock: FakeClock):
    """A booking already expired as a no-show still gets its visitor a walk-in ticket."""
    clock.set("2026-11-23T08:00:00+00:00")
    assert ledger.expire_no_shows() == 1
    assert ledger.check_in(booked.code).outcome == CheckInOutcome.LATE_WALK_IN


def test_unknown_and_cancelled_codes(ledger, booked):
    """A code nobody has is unknown; a cancelled booking says so; neither issues a ticket."""
    assert ledger.check_in("QQQQQQ").outcome == CheckInOutcome.UNKNOWN
    ledger.cancel(booked.code, "r")
    result = ledger.check_in(booked.code)
    assert result.outcome == CheckInOutcome.CANCELLED and result.ticket is None


@pytest.mark.parametrize("scanned", ["NOVBE:{c}", "https://dost.gov.az/b/{c}", " {c}\r\n",
                                     "{lc}", "https://x/b/{c}?utm=sms"])
def test_scanner_payloads_carry_the_code(scanned, booked):
    """A QR payload, a URL ending in the code, a typed code with spaces or in lower case."""
    assert extract_code(scanned.format(c=booked.code, lc=booked.code.lower())) == booked.code


def test_a_clock_set_back_keeps_the_window(ledger, booked, clock: FakeClock):
    """Checked in at 10:50, then the clock goes back an hour: the same ticket, no second one,
    and the booking stays checked in."""
    clock.set("2026-11-23T06:50:00+00:00")
    first = ledger.check_in(booked.code)
    clock.set("2026-11-23T05:50:00+00:00")
    again = ledger.check_in(booked.code)
    assert again.outcome == CheckInOutcome.ALREADY and again.ticket.code == first.ticket.code
    assert ledger.find(booked.code).status == BookingStatus.CHECKED_IN


def test_the_outcome_travels_as_json_without_personal_data(ledger, clock: FakeClock):
    """What a remote kiosk receives: the outcome whole, the name and phone left out."""
    b = ledger.book_local(PENSION, baku("2026-11-23 11:00"), "az", "r", name="Nigar", phone="+994501112233")
    clock.set("2026-11-23T06:45:00+00:00")
    data = ledger.check_in(b.code).to_json()
    assert "Nigar" not in str(data) and "501112233" not in str(data)
    back = CheckIn.from_json(data)
    assert back.outcome == CheckInOutcome.CHECKED_IN and back.ticket.slot_at is not None
