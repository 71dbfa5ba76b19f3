"""How many bookable seats per service and half-hour the centre can offer with its staffing and
still call walk-ins within their target wait — found by simulating the day with bookings
(planning/booked_day.py), not by formula. The starting offer is the bookings the day would
bring (the booked share of each service's regular visitors in each half-hour); it is cut by
steps until the walk-ins meet the target and booked visitors are called on time. The offer is
levelled first: in the half-hours whose walk-ins wait beyond target even without bookings, only
BUSY_SHARE of those seats are sold, the rest offered in the service's other half-hours (a visitor
who finds a slot full takes the nearest free one)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time

from planning.booked_day import (
    BookedDayResult,
    BookingHabits,
    appointment_figures,
    simulate_booked,
    walk_in_records,
    walk_ins_within_target,
)
from planning.scenario import Scenario
from shared.config.bookings import SlotCapacity
from shared.config.values import span_text

FACTORS = (1.0, 0.75, 0.5, 0.25)     # shares of the wanted seats tried, largest first
ON_TIME_TARGET = 0.95                # booked visitors called within 5 minutes of the slot
SLACK = 0.02                         # staffing that misses the target without bookings: the
                                     # walk-ins may lose at most this much of their share

BUSY_SHARE = 0.5                     # of the seats the day would bring, sold in a busy half-hour
BUSY_OVER = 0.10                     # busy: more walk-ins than this wait beyond their target
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
    busy: tuple[int, ...] = ()       # half-hours levelled away from (busy_half_hours)

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


def busy_half_hours(days: Sequence[BookedDayResult]) -> set[int]:
    """The half-hours (since local midnight) in which, over `days` (played without bookings),
    more than BUSY_OVER of the walk-ins who took a ticket then waited beyond their service's
    target — the hours whose staffing has no room for visitors put ahead of the line."""
    over: dict[int, list[bool]] = {}
    for day in days:
        centre = day.day.scenario.centre
        for r in walk_in_records(day):
            if r.wait_min is not None:
                late = r.wait_min > centre.service(r.service).target_wait_min
                over.setdefault(int(r.issued // 1800), []).append(late)
    return {half for half, flags in over.items() if sum(flags) > BUSY_OVER * len(flags)}


def levelled_seats(wanted: dict[HalfHour, float], busy: set[int],
                   busy_share: float = BUSY_SHARE) -> dict[HalfHour, float]:
    """`wanted` with only `busy_share` of it in the `busy` half-hours; what that takes off a
    service is added to its other half-hours in proportion to their own (the day's total
    offer stays what the day would bring). A service wanted only in busy half-hours keeps it."""
    out = dict(wanted)
    for service in {s for s, _h in wanted}:
        mine = {h: v for (s, h), v in wanted.items() if s == service}
        quiet = sum(v for h, v in mine.items() if h not in busy)
        if not quiet:
            continue
        moved = sum(v * (1 - busy_share) for h, v in mine.items() if h in busy)
        for h, v in mine.items():
            out[service, h] = v * busy_share if h in busy else v * (1 + moved / quiet)
    return out


def offered_seats(wanted: dict[HalfHour, float], factor: float = 1.0) -> dict[HalfHour, int]:
    """Whole seats for `factor` × `wanted`, rounded up: the bookings a day brings vary about
    their mean, and a half-hour's fraction of a visitor is still one who may call."""
    return {k: math.ceil(v * factor - 1e-9) for k, v in wanted.items()}


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
    days = [simulate_booked(scenario, seed, BookingHabits(share=0.0)) for seed in seeds]
    busy = busy_half_hours(days)
    wanted = levelled_seats(wanted_seats(scenario, share), busy)
    alone = statistics.fmean(walk_ins_within_target(day) for day in days)
    progress(f"without bookings: walk-ins within target {alone:.1%}; "
             f"{len(busy)} busy half-hours")
    short = alone < target
    if short:                   # the staffing misses it anyway: bookings may not make it worse
        target = alone - SLACK
    plan: SlotPlan | None = None
    for factor in FACTORS:
        seats = offered_seats(wanted, factor)
        habits = BookingHabits(share=share)
        within, on_time, booked = [], [], 0
        for seed in seeds:
            day = simulate_booked(scenario, seed, habits, capacity=capacity_of(seats))
            within.append(walk_ins_within_target(day))
            on_time.append(appointment_figures(day, day)["called_within_5_of_slot"])
            booked += len(day.booked)
        plan = SlotPlan(seats, factor, statistics.fmean(within), statistics.fmean(on_time),
                        booked, False, alone, short, tuple(sorted(busy)))
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
    if plan.busy:
        spans = ", ".join(span_text(_span(h)) for h in plan.busy)
        lines.append(f"  Levelled: {BUSY_SHARE:.0%} of the seats sold in the busy half-hours "
                     f"({spans}: walk-ins wait beyond target there even without bookings), the "
                     "rest offered in each service's other half-hours.")
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
