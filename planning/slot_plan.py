"""How many bookable seats per service and half-hour the centre can offer with its staffing and
still call walk-ins within their target wait — found by simulating the day with bookings
(planning/booked_day.py), not by formula. The starting offer is the bookings the day would
bring (the booked share of each service's regular visitors in each half-hour); it is cut by
steps until the walk-ins meet the target and booked visitors are called on time."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time

from planning.booked_day import (
    BookingHabits,
    appointment_figures,
    simulate_booked,
    walk_ins_within_target,
)
from planning.scenario import Scenario
from shared.config.bookings import SlotCapacity
from shared.config.values import span_text

FACTORS = (1.0, 0.75, 0.5, 0.25)     # shares of the wanted seats tried, largest first
ON_TIME_TARGET = 0.95                # booked visitors called within 5 minutes of the slot
SLACK = 0.02                         # staffing that misses the target without bookings: the
                                     # walk-ins may lose at most this much of their share

HalfHour = tuple[str, int]           # (service, half-hours since local midnight)


@dataclass
class SlotPlan:
    """Seats per service and half-hour, and what the simulated days gave with them."""

    seats: dict[HalfHour, int]
    factor: float
    walk_ins_within: float
    called_within_5: float
    booked: int
    met: bool
    without_bookings: float = 1.0    # walk-ins within target on the same days with no bookings
    short_staffed: bool = False      # the staffing misses the target even with no bookings

    def capacity(self) -> tuple[SlotCapacity, ...]:
        return capacity_of(self.seats)


def wanted_seats(scenario: Scenario, share: float) -> dict[HalfHour, float]:
    """The bookings the day would bring: `share` of the regular visitors of each service in
    each half-hour (the scenario's arrivals spread evenly over the hour)."""
    total = sum(scenario.arrivals.values()) or 1.0
    mix_total = sum(scenario.mix.values()) or 1.0
    regular = 1.0 - sum(scenario.priority.values())
    out: dict[HalfHour, float] = {}
    for hour, weight in scenario.arrivals.items():
        per_hour = scenario.visitors * weight / total * regular * share
        for service, m in scenario.mix.items():
            for half in (hour * 2, hour * 2 + 1):
                out[service, half] = per_hour * m / mix_total / 2
    return out


def capacity_of(seats: dict[HalfHour, int]) -> tuple[SlotCapacity, ...]:
    """[[bookings.capacity]] entries for the seats (one per service and half-hour offered)."""
    return tuple(SlotCapacity(service=s, hours=_span(half), seats=n)
                 for (s, half), n in sorted(seats.items()) if n > 0)


def _span(half: int) -> tuple[time, time]:
    start = time(half // 2, 30 * (half % 2))
    end = time(23, 59, 59) if half == 47 else time((half + 1) // 2, 30 * ((half + 1) % 2))
    return start, end


def plan_slots(scenario: Scenario, share: float, target: float, seeds: Sequence[int],
               progress: Callable[[str], None] = lambda _m: None) -> SlotPlan:
    """The largest offer among FACTORS × the wanted seats with which, over `seeds`, the walk-ins
    are called within target for `target` (0–1) of them and ON_TIME_TARGET of booked visitors
    within 5 minutes of their slot; the smallest tried (met=False) when none does. When the
    staffing misses `target` even with no bookings, the walk-ins may lose at most SLACK of the
    share they reach without bookings."""
    wanted = wanted_seats(scenario, share)
    alone = statistics.fmean(walk_ins_within_target(simulate_booked(
        scenario, seed, BookingHabits(share=0.0))) for seed in seeds)
    progress(f"without bookings: walk-ins within target {alone:.1%}")
    short = alone < target
    if short:                   # the staffing misses it anyway: bookings may not make it worse
        target = alone - SLACK
    plan: SlotPlan | None = None
    for factor in FACTORS:
        seats = {k: math.floor(v * factor + 0.5) for k, v in wanted.items()}
        habits = BookingHabits(share=share)
        within, on_time, booked = [], [], 0
        for seed in seeds:
            day = simulate_booked(scenario, seed, habits, capacity=capacity_of(seats))
            within.append(walk_ins_within_target(day))
            on_time.append(appointment_figures(day, day)["called_within_5_of_slot"])
            booked += len(day.booked)
        plan = SlotPlan(seats, factor, statistics.fmean(within), statistics.fmean(on_time),
                        booked, False, alone, short)
        progress(f"{factor:.0%} of the wanted seats: walk-ins within target "
                 f"{plan.walk_ins_within:.1%}, booked called on time {plan.called_within_5:.1%}")
        if plan.walk_ins_within >= target and plan.called_within_5 >= ON_TIME_TARGET:
            plan.met = True
            return plan
    assert plan is not None
    return plan


def render_slot_plan(plan: SlotPlan, names: Callable[[str], str]) -> str:
    """The plan for people: per service its half-hours and seats, what the days gave, and the
    [[bookings.capacity]] tables to put in the centre config."""
    lines = [f"Bookable seats: {plan.factor:.0%} of the bookings the day would bring "
             f"({'meets' if plan.met else 'does NOT meet'} the targets): walk-ins within target "
             f"{plan.walk_ins_within:.1%} ({plan.without_bookings:.1%} without bookings), booked "
             f"visitors called within 5 min of their slot {plan.called_within_5:.1%} "
             f"({plan.booked} bookings over the seeds)."]
    if plan.short_staffed:
        lines.append(f"  The staffing misses the target even without bookings: the offer may "
                     f"cost walk-ins at most {SLACK:.0%} of their share; `novbe plan` without "
                     "--bookings gives the counters each hour needs.")
    by_service: dict[str, list[tuple[int, int]]] = {}
    for (s, half), n in sorted(plan.seats.items()):
        if n > 0:
            by_service.setdefault(s, []).append((half, n))
    for s, halves in by_service.items():
        cells = ", ".join(f"{span_text(_span(h))} {n}" for h, n in halves)
        lines.append(f"  {names(s)}: {cells}")
    lines.append("")
    lines.append("# [[bookings.capacity]] for the centre config:")
    for c in plan.capacity():
        lines.append(f'[[bookings.capacity]]\nservice = "{c.service}"\n'
                     f'hours = "{span_text(c.hours)}"\nseats = {c.seats}')
    return "\n".join(lines)
