"""The wait a checked-in booking prints: a booked visitor's (called at the slot, ahead of the
walk-ins), worked out in a read before the check-in's one write, as an issue's is — never a
walk-in's behind everyone, never estimated inside the write."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import shared.waits.reading as reading
from shared.bookings.checkin import CheckInOutcome
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.bookings.conftest import PENSION, baku

WALK_INS = 9                 # counter 4 calls one; eight wait, 7 minutes a visit each


def busy_pensions(q: LocalQueue, clock: FakeClock) -> str:
    """10:38: counter 4 alone on pensions, one walk-in at the window and eight waiting; a
    pension booking for 11:00 (its code). The clock is left at 10:40, within the window."""
    code = q.bookings.book_local(PENSION, baku("2026-11-23 11:00"), "az", "desk").code
    clock.set("2026-11-23T06:38:00+00:00")
    q.open_counter("4", "emil")
    for _ in range(WALK_INS):
        q.issue(PENSION)
    q.call_next("4")
    clock.set("2026-11-23T06:40:00+00:00")
    return code


def test_a_checked_in_booking_prints_the_booked_wait_not_the_walk_ins(booking_queue, clock):
    """At 10:40, booked for 11:00 behind eight walk-ins (~56 min for a walk-in): the booked
    visitor is due at 10:55 and called when the counter next frees (10:59), so the printed
    wait is about 20 minutes — the walk-in arriving next is told far longer."""
    code = busy_pensions(booking_queue, clock)
    result = booking_queue.check_in(code)
    assert result.outcome == CheckInOutcome.CHECKED_IN
    booked = result.ticket
    assert booked is not None and booked.slot_at is not None
    assert 15 <= booked.estimated_wait_min <= 15 + 7 + 2, booked.estimated_wait_min
    issued = [e for e in booking_queue.events() if e.kind == "issued"][-1]
    assert issued.ticket_id == booked.id
    assert issued.details["estimate_min"] == booked.estimated_wait_min
    walk_in = booking_queue.issue(PENSION)
    assert walk_in.estimated_wait_min >= booked.estimated_wait_min + 25, walk_in


def test_the_check_in_takes_one_write_with_no_estimate_inside(booking_queue, clock,
                                                              monkeypatch):
    """The check-in is one write transaction — its ticket inserted with the slot (no second
    UPDATE) — and the wait estimate is read before it, never under the write's lock."""
    code = busy_pensions(booking_queue, clock)
    writes: list[list[str]] = []         # each write's statements
    in_write = False
    estimated: list[bool] = []           # for each estimate read: was it inside the write?
    original_tx = booking_queue._tx

    @contextmanager
    def traced_tx() -> Iterator:
        nonlocal in_write
        with original_tx() as tx:
            writes.append([])
            tx.conn.set_trace_callback(writes[-1].append)
            in_write = True
            try:
                yield tx
            finally:
                in_write = False
                tx.conn.set_trace_callback(None)

    def spy(fn):
        def wrapped(*args, **kwargs):
            estimated.append(in_write)
            return fn(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(booking_queue, "_tx", traced_tx)
    monkeypatch.setattr(reading, "queue_state", spy(reading.queue_state))
    monkeypatch.setattr(reading, "estimate_wait", spy(reading.estimate_wait))
    result = booking_queue.check_in(code)
    assert result.outcome == CheckInOutcome.CHECKED_IN
    assert len(writes) == 1, f"{len(writes)} write transactions"
    assert estimated and not any(estimated), estimated
    statements = writes[0]
    assert not [s for s in statements if "UPDATE tickets SET slot_at" in s], statements
    inserts = [s for s in statements if s.startswith("INSERT INTO tickets")]
    assert len(inserts) == 1 and "slot_at" in inserts[0]


def test_an_unknown_code_takes_no_write(booking_queue, monkeypatch):
    """A code nobody booked is answered from a read: no write transaction is taken."""
    def no_write():
        raise AssertionError("a write was taken")
    monkeypatch.setattr(booking_queue, "_tx", no_write)
    assert booking_queue.check_in("ZZZZZZ").outcome == CheckInOutcome.UNKNOWN


def test_with_the_simple_estimator_the_booked_wait_is_the_time_until_due(tmp_path, config,
                                                                          clock):
    """With `[waits] estimator = "simple"`, the booked visitor is told the minutes until their
    booking is due (10:40 → 10:55: 15), not the walk-ins' queue (eight 7-minute visits) — on
    the ticket and on the phone 5 minutes later (10)."""
    from dataclasses import replace

    simple = replace(config, waits=replace(config.waits, estimator="simple"))
    q = LocalQueue(tmp_path / "simple.sqlite", simple, clock)
    try:
        result = q.check_in(busy_pensions(q, clock))
        assert result.ticket is not None and result.ticket.estimated_wait_min == 15
        clock.advance(minutes=5)        # the phone's view later: 10 until due, not a walk-in's
        assert q.status(result.ticket.token).estimated_wait_min == 10
    finally:
        q.close()


def test_a_booked_visitor_counts_only_earlier_bookings_ahead(booking_queue, clock):
    """Behind eight walk-ins, the visitor booked for 11:00 is told of one person ahead — on the
    ticket and the phone —: the visitor booked for 10:30 who checked in before them; the
    walk-ins, called after the booked visitors once these are due, are not counted. Once that
    one is called: no one ahead."""
    early = booking_queue.bookings.book_local(PENSION, baku("2026-11-23 10:30"), "az", "desk")
    code = busy_pensions(booking_queue, clock)
    first = booking_queue.check_in(early.code).ticket
    assert first is not None and first.ahead == 0
    booked = booking_queue.check_in(code).ticket
    assert booked is not None and booked.ahead == 1
    assert booking_queue.status(booked.token).ahead == 1
    booking_queue.finish("4")
    assert booking_queue.call_next("4").id == first.id    # the due 10:30 booking goes first
    assert booking_queue.status(booked.token).ahead == 0


def test_a_booking_not_yet_due_is_not_counted_ahead_of_a_walk_in(booking_queue, clock):
    """Checked in at 10:40 for 11:00 (due 10:55): a walk-in issued at 10:40 counts the eight
    walk-ins ahead, not the booking the counter passes by until its slot; one issued at 10:56
    counts it too. The ticket and its status read (the kept counts and SQL) agree."""
    code = busy_pensions(booking_queue, clock)
    assert booking_queue.check_in(code).outcome == CheckInOutcome.CHECKED_IN
    early = booking_queue.issue(PENSION)
    assert early.ahead == WALK_INS - 1
    assert booking_queue.status(early.token).ahead == WALK_INS - 1
    clock.set("2026-11-23T06:56:00+00:00")
    late = booking_queue.issue(PENSION)
    assert late.ahead == WALK_INS - 1 + 1 + 1          # the walk-ins, the booking, the 10:40 one
    assert booking_queue.status(late.token).ahead == late.ahead
    assert booking_queue.status(early.token).ahead == WALK_INS          # the booking is due now
