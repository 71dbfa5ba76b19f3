"""The printed wait counts booked visitors: a walk-in's wait includes the bookings due to be
called ahead of them (checked in or still to come); a booked visitor's own wait runs to their
slot; the replay's booked order is the call order's."""

from __future__ import annotations

from dataclasses import replace

from shared.bookings.model import Booking, Channel
from shared.core.call_order import PRIMARY, CallRules
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.waits.replay import estimate
from shared.waits.state import CounterNow, QueueState, WaitingTicket
from tests.bookings.conftest import PENSION, baku

NOW = 1_800_000_000.0


def state(booked=(), waiting=()) -> QueueState:
    """One open, free counter serving pensions; visits of exactly 10 minutes."""
    return QueueState(now=NOW, waiting=list(waiting),
                      counters=[CounterNow("4", (PENSION,), "open")],
                      visits={PENSION: [600.0] * 30}, service_min={PENSION: 10.0},
                      booked=list(booked))


def test_due_bookings_come_before_a_walk_in():
    """Two booked visitors due now: a walk-in arriving now waits for both visits."""
    alone = estimate(state(), PENSION, 1000, quick=True).minutes
    booked = estimate(state(booked=[(NOW - 60, PENSION, 1), (NOW, PENSION, 2)]), PENSION, 1000,
                      quick=True).minutes
    assert alone == 0 and booked >= 19


def test_a_booking_not_yet_due_lets_walk_ins_go_first():
    """A booking at +30 min does not hold back a walk-in now (the counter is free now)."""
    wait = estimate(state(booked=[(NOW + 1800, PENSION, 1)]), PENSION, 1000, quick=True)
    assert wait.minutes == 0


def test_a_booked_visitor_waits_for_their_slot_when_others_wait():
    """Checked in for +20 min with three walk-ins waiting: called at the slot, not after all."""
    walk_ins = [WaitingTicket(10 + k, PENSION, 1000, NOW - 600) for k in range(3)]
    wait = estimate(state(booked=[(NOW + 1200, PENSION, 99)], waiting=walk_ins), PENSION, 1000,
                    ticket_id=99, quick=True)
    assert 18 <= wait.minutes <= 22


def walk_in_wait(queue, clock, booking: Booking | None) -> int:
    """At 10:10, counter 4 busy since 10:05: the wait printed on a walk-in's ticket."""
    if booking is not None:
        queue.bookings.merge_national([booking], final_through=0)
    queue.open_counter("4", "emil")
    clock.set("2026-11-23T06:05:00+00:00")
    queue.issue(PENSION)
    queue.call_next("4")
    clock.set("2026-11-23T06:10:00+00:00")
    return queue.issue(PENSION).estimated_wait_min


def test_the_queue_counts_a_booking_due_but_not_checked_in(tmp_path, config):
    """On real files: a national booking for 10:00 not checked in yet (still within its late
    window at 10:10) is expected ahead of a walk-in: the printed wait is longer by a visit."""
    booking = Booking(id="n1", centre="dost-abseron", service=PENSION,
                      slot_start=baku("2026-11-23 10:00"), code="ACDEFG", lang="az",
                      channel=Channel.CALL_CENTRE, made_by="142", created_at=1, updated_at=1)
    waits = []
    for name, b in (("plain", None), ("booked", booking)):
        q = LocalQueue(tmp_path / f"{name}.sqlite", config, FakeClock("2026-11-23T06:00:00+00:00"))
        try:
            waits.append(walk_in_wait(q, q.clock, b))
        finally:
            q.close()
    assert waits[1] >= waits[0] + 3, waits


def profiled(booked=(), waiting=(), quota=None) -> QueueState:
    """The one counter of `state` running a work profile (pensions primary)."""
    rules = CallRules(levels={PENSION: PRIMARY}, quota=quota, name="pensions")
    plain = state(booked, waiting)
    return replace(plain, counters=[replace(plain.counters[0], rules=rules)])


def test_a_profiled_counter_takes_due_bookings_before_a_walk_in():
    """A counter with a work profile calls two due bookings before a walk-in arriving now, as
    call_next does: the walk-in waits for both visits (it read 0 before the replay took them)."""
    booked = [(NOW - 60, PENSION, 1), (NOW, PENSION, 2)]
    assert estimate(profiled(), PENSION, 1000, quick=True).minutes == 0
    assert estimate(profiled(booked=booked), PENSION, 1000, quick=True).minutes >= 19
    assert estimate(profiled(booked=booked, quota=(2, 1)), PENSION, 1000,
                    quick=True).minutes >= 19


def test_a_profiled_counter_calls_a_booking_at_its_slot_not_before_walk_ins():
    """Under a profile a booking due at +20 min lets the walk-ins go first and is called at
    its slot; one not yet due waits for nobody else."""
    walk_ins = [WaitingTicket(10 + k, PENSION, 1000, NOW - 600) for k in range(3)]
    at_slot = estimate(profiled(booked=[(NOW + 1200, PENSION, 99)], waiting=walk_ins), PENSION,
                       1000, ticket_id=99, quick=True)
    assert 18 <= at_slot.minutes <= 22
    now_free = estimate(profiled(booked=[(NOW + 1800, PENSION, 1)]), PENSION, 1000, quick=True)
    assert now_free.minutes == 0


def profiled_walk_in(q: LocalQueue, booked: bool) -> tuple[int, int]:
    """Counter 6 alone, running "two-to-one", busy with an insurance visit since 09:40; with
    `booked`, a pension booking for 10:00 checked in at 09:55. At 09:58 a pension walk-in comes:
    (its printed wait, the ticket id counter 6 calls next)."""
    booking = q.bookings.book_local(PENSION, baku("2026-11-23 10:00"), "az", "desk") \
        if booked else None
    q.open_counter("6", "rauf")
    q.switch_profile("6", "two-to-one", "rauf")
    q.issue("insurance.record")
    q.call_next("6")
    if booking is not None:
        q.clock.set("2026-11-23T05:55:00+00:00")
        q.check_in(booking.code)
    q.clock.set("2026-11-23T05:58:00+00:00")
    walk_in = q.issue(PENSION)
    q.finish("6")
    called = q.call_next("6")
    return walk_in.estimated_wait_min, (-1 if called.id == walk_in.id else called.id)


def test_the_printed_wait_at_a_profiled_counter_counts_the_checked_in_booking(
        tmp_path, config):
    """On real files, at a counter running a work profile: call_next takes the checked-in
    booking before the walk-in, and the walk-in's printed wait counts that visit too."""
    results = []
    for name in ("plain", "booked"):
        q = LocalQueue(tmp_path / f"{name}.sqlite", config,
                       FakeClock("2026-11-23T05:40:00+00:00"))
        try:
            results.append(profiled_walk_in(q, name == "booked"))
        finally:
            q.close()
    (plain_wait, plain_called), (booked_wait, booked_called) = results
    assert plain_called == -1 and booked_called != -1       # the booking went first
    assert booked_wait >= plain_wait + 3, results
