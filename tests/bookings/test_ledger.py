"""The centre's bookings ledger over a real SQLite file: booking, seats, replays, cancelling,
merging the national list, no-shows, and the events every change leaves."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from shared.bookings.errors import BookingNotFound, BookingNotOpen, BookingRefused, SlotFull
from shared.bookings.model import Booking, BookingStatus, Channel, is_code
from shared.bookings.seats import local_free, split
from shared.core.clock import FakeClock
from shared.core.errors import DuplicateRequest, UnknownService
from shared.core.local_queue import LocalQueue
from tests.bookings.conftest import PENSION, baku

MONDAY = date(2026, 11, 23)


def national(slot: float, code: str, status: BookingStatus = BookingStatus.BOOKED,
             ident: str = "n-1", service: str = PENSION) -> Booking:
    return Booking(id=ident, centre="dost-abseron", service=service, slot_start=slot, code=code,
                   lang="ru", channel=Channel.CALL_CENTRE, made_by="142:aysel", status=status,
                   name="Aysel Məmmədova", phone="+994501234567", created_at=1.0, updated_at=1.0)


def test_book_local_makes_a_coded_booking_and_an_event_without_personal_data(ledger, booking_queue):
    """A reception booking gets a code of the alphabet; its event holds no name or phone."""
    b = ledger.book_local(PENSION, baku("2026-11-23 11:00"), "az", "reception:leyla",
                          name="Leyla Əliyeva", phone="+994551112233")
    assert is_code(b.code) and b.status == BookingStatus.BOOKED and b.channel == Channel.RECEPTION
    assert ledger.find(b.code.lower()) == b
    made = [e for e in booking_queue.events() if e.kind == "booking_made"]
    assert len(made) == 1 and made[0].details["booking"] == b.id
    assert "Leyla" not in str(made[0].details) and "99455" not in str(made[0].details)


def test_the_centres_share_is_never_overbooked(ledger):
    """Two seats, one national: the centre books one; the second is refused as full."""
    slot = baku("2026-11-23 11:00")
    ledger.book_local(PENSION, slot, "az", "r")
    with pytest.raises(SlotFull):
        ledger.book_local(PENSION, slot, "az", "r")
    assert dict(ledger.free_slots(PENSION, MONDAY))[slot] == 0


def test_a_full_slot_names_the_nearest_free_one(ledger):
    """A full 11:00 offers 10:30 (the earlier of two as near), then 11:30 once 10:30 is
    taken too; a day with every seat taken offers none."""
    eleven = baku("2026-11-23 11:00")
    ledger.book_local(PENSION, eleven, "az", "r")
    with pytest.raises(SlotFull) as full:
        ledger.book_local(PENSION, eleven, "az", "r")
    assert full.value.nearest == baku("2026-11-23 10:30") and "nearest free" in str(full.value)
    ledger.book_local(PENSION, baku("2026-11-23 10:30"), "az", "r")
    assert ledger.nearest_free(PENSION, eleven) == baku("2026-11-23 11:30")
    for start, free in ledger.free_slots(PENSION, MONDAY):
        for _ in range(free):
            ledger.book_local(PENSION, start, "az", "r")
    with pytest.raises(SlotFull) as none_left:
        ledger.book_local(PENSION, eleven, "az", "r")
    assert none_left.value.nearest is None and ledger.nearest_free(PENSION, eleven) is None


def test_unused_national_seats_become_the_centres_once_final(ledger):
    """After the national list is final through the slot's cut-off, its free national seat is
    the centre's; a national booking kept holds its seat."""
    slot = baku("2026-11-23 11:00")
    ledger.book_local(PENSION, slot, "az", "r")
    ledger.merge_national([], final_through=slot - 24 * 3600 - 1)   # not final yet
    assert dict(ledger.free_slots(PENSION, MONDAY))[slot] == 0
    ledger.merge_national([], final_through=slot - 24 * 3600)
    assert dict(ledger.free_slots(PENSION, MONDAY))[slot] == 1
    other = baku("2026-11-23 11:30")
    ledger.merge_national([national(other, "ACDEFG")], final_through=slot)
    assert dict(ledger.free_slots(PENSION, MONDAY))[other] == 1


def test_merge_national_is_idempotent_and_follows_cancellations(ledger, booking_queue):
    """Placing the same national list twice changes nothing; a cancellation there cancels here."""
    slot = baku("2026-11-23 12:00")
    assert ledger.merge_national([national(slot, "ACDEFG")], 0) == 1
    assert ledger.merge_national([national(slot, "ACDEFG")], 0) == 0
    assert ledger.merge_national([national(slot, "ACDEFG", BookingStatus.CANCELLED)], 0) == 1
    assert ledger.find("ACDEFG").status == BookingStatus.CANCELLED
    kinds = [e.kind for e in booking_queue.events() if e.kind.startswith("booking")]
    assert kinds == ["booking_made", "booking_cancelled"]


def test_a_replayed_request_returns_the_same_booking(ledger, booking_queue):
    """The same request id twice: one booking; for another slot: refused as a duplicate."""
    slot = baku("2026-11-23 13:00")
    first = ledger.book_local(PENSION, slot, "en", "r", request_id="req-1")
    again = ledger.book_local(PENSION, slot, "en", "r", request_id="req-1")
    assert again == first
    with pytest.raises(DuplicateRequest):
        ledger.book_local(PENSION, slot + 1800, "en", "r", request_id="req-1")
    assert len(ledger.day_bookings(MONDAY)) == 1


@pytest.mark.parametrize("when, reason", [
    ("2026-11-28 11:00", "closed_day"),          # a Saturday
    ("2026-12-31 11:00", "closed_day"),          # a closed date
    ("2026-11-23 11:10", "not_a_slot"),
    ("2026-11-23 09:30", "past_slot"),           # the clock says 10:00
    ("2026-11-23 17:30", "no_capacity"),         # bookable 09:00–17:00 only
])
def test_refusals_name_their_reason(ledger, when, reason):
    """A closed day, a time that is no slot, a past slot, an unbookable hour: refused, said why."""
    with pytest.raises(BookingRefused) as refused:
        ledger.book_local(PENSION, baku(when), "az", "r")
    assert refused.value.reason == reason


def test_an_unknown_service_is_refused(ledger):
    """A service the centre does not offer cannot be booked."""
    with pytest.raises(UnknownService):
        ledger.book_local("passports", baku("2026-11-23 11:00"), "az", "r")


def test_a_booking_for_tomorrow_made_at_0259(ledger, booking_queue, clock: FakeClock):
    """At 02:59 the service day is still yesterday's; tomorrow's first slot books and belongs
    to tomorrow's service day, and tomorrow's list is the same after the 03:00 reset."""
    clock.set("2026-11-23T22:59:00+00:00")        # Tuesday 02:59 in Baku
    slot = baku("2026-11-24 09:00")
    b = ledger.book_local(PENSION, slot, "az", "r")
    assert [x.id for x in ledger.day_bookings(date(2026, 11, 24))] == [b.id]
    assert ledger.day_bookings(date(2026, 11, 23)) == []
    clock.advance(minutes=2)                      # 03:01: the day has changed
    assert [x.id for x in ledger.day_bookings(date(2026, 11, 24))] == [b.id]
    slots = [s for s, _ in ledger.free_slots(PENSION, date(2026, 11, 24))]
    assert slots[0] == slot and slots[-1] == baku("2026-11-24 16:30")


def test_cancel_frees_the_seat_and_cannot_be_repeated(ledger):
    """A cancelled booking gives its seat back; cancelling again is refused; unknown codes too."""
    slot = baku("2026-11-23 14:00")
    b = ledger.book_local(PENSION, slot, "az", "r")
    assert ledger.cancel(b.code, "r").status == BookingStatus.CANCELLED
    assert dict(ledger.free_slots(PENSION, MONDAY))[slot] == 1
    with pytest.raises(BookingNotOpen):
        ledger.cancel(b.code, "r")
    with pytest.raises(BookingNotFound):
        ledger.cancel("WWWWWW", "r")


def test_no_shows_expire_after_the_late_window(ledger, booking_queue, clock: FakeClock):
    """A booking not checked in 15 minutes after its slot becomes a no-show, once, as an event."""
    b = ledger.book_local(PENSION, baku("2026-11-23 10:30"), "az", "r")
    clock.set("2026-11-23T06:45:00+00:00")        # 10:45: the window's last minute
    assert ledger.expire_no_shows() == 0
    clock.advance(seconds=1)
    assert ledger.expire_no_shows() == 1
    assert ledger.expire_no_shows() == 0
    assert ledger.find(b.code).status == BookingStatus.NO_SHOW
    assert [e.kind for e in booking_queue.events()][-1] == "booking_no_show"


def test_bookings_survive_reopening_the_file(booking_queue: LocalQueue, config, clock):
    """Bookings are in the queue's file: a new LocalQueue over it finds them."""
    b = booking_queue.bookings.book_local(PENSION, baku("2026-11-23 15:00"), "ru", "r")
    again = LocalQueue(booking_queue.path, config, clock)
    try:
        assert again.bookings.find(b.code) == b
    finally:
        again.close()


def test_slots_around_the_day_reset_belong_to_their_service_day():
    """A centre open round the clock: the 02:30 slot of Tuesday's date is Monday's service day,
    the 03:00 slot Tuesday's; every slot belongs to exactly one service day."""
    from datetime import time

    from shared.bookings.slots import slot_day, slot_starts
    from shared.config.counters import OpeningHours
    from tests.shared.helpers import config_variant

    base = config_variant()
    always = OpeningHours.weekly({d: (time(0), time(23, 59, 59))
                                  for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    config = replace(base, hours=always)
    monday, tuesday = slot_starts(config, MONDAY), slot_starts(config, date(2026, 11, 24))
    assert baku("2026-11-24 02:30") in monday and baku("2026-11-24 02:30") not in tuesday
    assert baku("2026-11-24 03:00") in tuesday and baku("2026-11-23 03:00") == monday[0]
    assert len(monday) == 48 and not set(monday) & set(tuesday)
    assert slot_day(config, baku("2026-11-24 02:59")) == MONDAY


def test_names_and_phones_are_erased_after_the_configured_days(ledger, clock: FakeClock):
    """30 days after the slot the name and phone go; the booking stays (for reports)."""
    b = ledger.book_local(PENSION, baku("2026-11-23 11:00"), "az", "r", name="Aysel",
                          phone="+994501234567")
    clock.advance(days=30)
    assert ledger.erase_personal_data() == 0
    clock.advance(hours=2)
    assert ledger.erase_personal_data() == 1
    kept = ledger.find(b.code)
    assert (kept.name, kept.phone) == (None, None) and kept.id == b.id and kept.service == PENSION
    assert ledger.erase_personal_data() == 0


def test_an_erasure_on_the_national_copy_erases_the_centres(ledger, booking_queue):
    """A national booking merged with name and phone, then pulled again erased (the central
    copy's erasure): the centre's file holds neither any more, nor the SMS texts for it."""
    slot = baku("2026-11-23 12:00")
    booking = national(slot, "ACDEFG")
    assert ledger.merge_national([booking], 0) == 1
    with booking_queue._tx() as tx:
        tx.conn.execute("INSERT INTO sms_outbox(booking_id, kind, phone, body, due_at, state) "
                        "VALUES (?, 'booked', ?, ?, 0, 'sent')",
                        (booking.id, booking.phone, "Aysel, 12:00 ACDEFG"))
    assert ledger.merge_national([booking.erased()], 0) == 1
    here = ledger.find("ACDEFG")
    assert (here.name, here.phone, here.status) == (None, None, BookingStatus.BOOKED)
    texts = booking_queue._read(lambda tx: tx.rows("SELECT phone, body FROM sms_outbox"))
    assert [tuple(r) for r in texts] == [("", "")]
    assert ledger.merge_national([booking.erased()], 0) == 0      # nothing left to erase


def test_a_booking_pulled_with_no_name_keeps_the_centres_own_data(ledger):
    """A national booking made with no name or phone changes nothing when pulled again."""
    slot = baku("2026-11-23 12:30")
    bare = replace(national(slot, "ACDEFH", ident="n-2"), name=None, phone=None)
    assert ledger.merge_national([bare], 0) == 1
    assert ledger.merge_national([bare], 0) == 0


def test_a_lowered_share_never_gives_away_a_sold_national_seat():
    """local_free: 4 seats, the national share lowered from 2 to 1: with 2 national bookings the
    centre has 2 seats (not 3); while central may still book 2 (held 2), also 2; once the list
    is final the centre takes only the national seats nobody booked."""
    lowered = split(4, 0.25)
    assert local_free(lowered, 0, 0, False) == 3
    assert local_free(lowered, 0, 2, False) == 2
    assert local_free(lowered, 0, 0, False, national_held=2) == 2
    assert local_free(lowered, 0, 2, True) == 2
    assert local_free(lowered, 0, 1, True, national_held=2) == 3
