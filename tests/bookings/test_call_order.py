"""The call order with bookings: a due booking before walk-ins within its priority class, the
earliest slot first; a booking not yet due only when nobody else is waiting."""

from __future__ import annotations

from shared.core.clock import FakeClock
from tests.bookings.conftest import PENSION, baku

COUNTER = "4"      # serves the pension services


def checked_in(ledger, clock: FakeClock, slot: str, at: str) -> str:
    """Book `slot` (local) now, check in at `at` (UTC ISO); the ticket's code."""
    b = ledger.book_local(PENSION, baku(slot), "az", "r")
    clock.set(at)
    return ledger.check_in(b.code).ticket.code


def test_a_due_booking_is_called_before_earlier_walk_ins(booking_queue, ledger, clock):
    """Two walk-ins wait; the 11:00 booking checked in at 10:50 is called before them from 10:55
    (`call_ahead_min` = 5), not at 10:54."""
    booking_queue.open_counter(COUNTER, "emil")
    w1 = booking_queue.issue(PENSION).code
    code = checked_in(ledger, clock, "2026-11-23 11:00", "2026-11-23T06:50:00+00:00")
    w2 = booking_queue.issue(PENSION).code
    clock.set("2026-11-23T06:54:00+00:00")            # 10:54: not due yet
    assert booking_queue.call_next(COUNTER).code == w1
    clock.set("2026-11-23T06:55:00+00:00")            # 10:55: due (called 5 min ahead)
    assert booking_queue.call_next(COUNTER).code == code
    assert booking_queue.call_next(COUNTER).code == w2


def test_earliest_slot_first(booking_queue, ledger, clock):
    """Two due bookings: the earlier slot goes first, whoever checked in first."""
    booking_queue.open_counter(COUNTER, "emil")
    ledger.merge_national([], final_through=baku("2026-11-23 12:00"))   # national seats free
    late = checked_in(ledger, clock, "2026-11-23 11:30", "2026-11-23T07:05:00+00:00")
    clock.set("2026-11-23T06:00:00+00:00")
    early = checked_in(ledger, clock, "2026-11-23 11:00", "2026-11-23T07:10:00+00:00")
    clock.set("2026-11-23T07:31:00+00:00")
    assert [booking_queue.call_next(COUNTER).code for _ in range(2)] == [early, late]


def test_a_booking_not_due_is_called_when_nobody_else_waits(booking_queue, ledger, clock):
    """Nobody else is callable: the counter need not sit idle until the slot."""
    booking_queue.open_counter(COUNTER, "emil")
    code = checked_in(ledger, clock, "2026-11-23 11:00", "2026-11-23T06:35:00+00:00")
    assert booking_queue.call_next(COUNTER).code == code


def test_priority_classes_stay_ahead(booking_queue, ledger, clock):
    """A priority visitor is called before a due booking (bookings are of no class)."""
    booking_queue.open_counter(COUNTER, "emil")
    code = checked_in(ledger, clock, "2026-11-23 11:00", "2026-11-23T06:50:00+00:00")
    vet = booking_queue.issue(PENSION, priority="veteran").code
    clock.set("2026-11-23T07:00:00+00:00")
    assert [booking_queue.call_next(COUNTER).code for _ in range(2)] == [vet, code]


def test_the_waiting_list_shows_the_call_order(booking_queue, ledger, clock):
    """The console's waiting list: the due booking first, walk-ins, then a booking not yet due."""
    booking_queue.open_counter(COUNTER, "emil")
    due = checked_in(ledger, clock, "2026-11-23 11:00", "2026-11-23T06:50:00+00:00")
    clock.set("2026-11-23T06:00:00+00:00")
    later = checked_in(ledger, clock, "2026-11-23 11:30", "2026-11-23T07:05:00+00:00")
    walk = booking_queue.issue(PENSION).code
    assert [t.code for t in booking_queue.waiting(COUNTER)] == [due, walk, later]
    assert [booking_queue.call_next(COUNTER).code for _ in range(3)] == [due, walk, later]
