"""The day simulator with appointments: booked visitors check in through the real queue and are
called at their slot ahead of walk-ins; the same day plays with them as walk-ins; the figures
bench/appointments.py prints come from both."""

from __future__ import annotations

from planning.booked_day import (
    BookedDaySimulator,
    BookingHabits,
    appointment_figures,
    simulate_booked,
)
from planning.scenario import load_scenario

BUSY_COUNTER = """
[scenario]
name = "one busy counter"
date = "2026-11-23"
spread = 0
walk_up_s = [0, 0]
no_show = 0
transfer = 0

[[counter]]
id = "1"
services = ["*"]

[[shift]]
counters = ["1"]
open = "09:00"
close = "13:00"
"""
VISITOR = '[[visitor]]\nat = "{at}"\nservice = "pensions.age"\nminutes = 10\n'
HABITS = BookingHabits(share=0.4, early_mean_min=5, spread_min=0, no_show=0, seats=3)


def scenario(tmp_path):
    """A visitor every 8 minutes from 09:00 to 11:56, visits of 10 minutes: a queue builds."""
    times = [f"{9 + m // 60:02d}:{m % 60:02d}" for m in range(0, 180, 8)]
    path = tmp_path / "busy.toml"
    path.write_text(BUSY_COUNTER + "".join(VISITOR.format(at=t) for t in times), encoding="utf-8")
    return load_scenario(path)


def test_booked_visitors_are_called_at_their_slot_ahead_of_the_queue(tmp_path):
    """Every booked visitor checks in (5 min early) and the first of each slot is called at most
    one visit (10 min) after the slot's start, though walk-ins queue for longer; the walk-in
    twin day has the same non-booked visitors."""
    sc = scenario(tmp_path)
    booked = simulate_booked(sc, 3, HABITS)
    twin = simulate_booked(sc, 3, HABITS, as_walk_ins=True)
    assert booked.booked and all(b.outcome == "checked_in" for b in booked.booked)
    assert booked.booked_visitors == twin.booked_visitors
    first_of_slot: dict[float, float] = {}
    for b in booked.booked:
        assert b.called is not None
        first_of_slot[b.slot] = min(first_of_slot.get(b.slot, b.called), b.called)
    assert all(called - slot <= 600 for slot, called in first_of_slot.items())
    walk_in_waits = [r.wait_min for r in booked.day.tickets
                     if r.visitor not in booked.booked_visitors and r.wait_min is not None]
    assert max(walk_in_waits) > 10
    figures = appointment_figures(booked, twin)
    assert 0 <= figures["called_within_5_of_slot"] <= 1
    assert figures["booked"] == len(booked.booked)


def test_a_visitor_finding_the_slot_full_takes_the_nearest_free_one(tmp_path):
    """One seat a slot: visitors whose slot is taken book the nearest free one and come their
    own 5 minutes before it; no slot holds two bookings; the visitors are those of the twin day,
    less any who found no seat all day and walked in instead."""
    from collections import Counter
    from dataclasses import replace

    sc = scenario(tmp_path)
    booked = simulate_booked(sc, 3, replace(HABITS, share=0.6, seats=1))
    moved = [b for b in booked.booked if b.moved_s]
    assert moved and all(b.arrival == b.slot - 300 for b in booked.booked)
    assert max(Counter(b.slot for b in booked.booked).values()) == 1
    twin = simulate_booked(sc, 3, replace(HABITS, share=0.6, seats=1), as_walk_ins=True)
    refused = twin.booked_visitors - booked.booked_visitors
    assert booked.booked_visitors <= twin.booked_visitors
    assert len(booked.booked) + len(refused) == len(twin.booked_visitors)


def test_the_issue_hook_hears_of_check_in_tickets_too(tmp_path):
    """The simulator's on_issue hook (bench/wait_oracle.py's) is told of every ticket, those
    the booked visitors get at check-in too (it heard only of walk-ins' before)."""
    sim = BookedDaySimulator(scenario(tmp_path), 3, HABITS)
    heard: list[int] = []
    sim.on_issue = lambda ticket, _now: heard.append(ticket.id)
    result = sim.run_booked()
    checked_in = {b.ticket_id for b in result.booked}
    assert checked_in and None not in checked_in
    assert checked_in <= set(heard) and set(sim.by_ticket) <= set(heard)   # the day's, all


def test_a_visitor_whose_slot_offers_no_seats_takes_the_nearest_offered(tmp_path):
    """Seats offered from 10:00 only (a levelled offer's busy half-hours sell none): those who
    wanted 09:00 or 09:30 book 10:00 or later rather than walking in."""
    from datetime import time

    from shared.config.bookings import SlotCapacity

    offer = (SlotCapacity(service="*", hours=(time(10), time(13)), seats=3),)
    booked = simulate_booked(scenario(tmp_path), 3, HABITS, capacity=offer)
    early = [b for b in booked.booked if b.slot - b.moved_s < 10 * 3600]
    assert early and all(b.moved_s > 0 and b.slot >= 10 * 3600 for b in early)
    twin = simulate_booked(scenario(tmp_path), 3, HABITS, as_walk_ins=True)
    assert booked.booked_visitors == twin.booked_visitors        # nobody walked in instead
