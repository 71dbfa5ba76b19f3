"""A simulated day with appointments: the day simulator (planning/simulator.py) with a share of
its regular visitors booked ahead for the slot nearest the time they would come. A booked
visitor arrives at the slot plus their own lateness (drawn: most a few minutes early), checks
in at the kiosk through the real queue (too early: comes back when the window opens; too late: a
walk-in ticket) or never comes (a no-show the queue files by itself). The same day can be played
with those visitors arriving as walk-ins at the same moments instead, to compare the walk-ins'
waits. The figures bench/appointments.py prints and `novbe plan --bookings` reads are here."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, time

from planning.report import accuracy
from planning.scenario import Scenario
from planning.simulator import DayResult, DaySimulator, TicketRecord
from planning.visitors import Visitor
from shared.bookings.checkin import CheckInOutcome
from shared.bookings.errors import BookingRefused, SlotFull
from shared.bookings.slots import slot_starts
from shared.config.bookings import BookingSettings, SlotCapacity
from shared.config.centre import CentreConfig
from shared.percentile import percentile_of

ON_TIME_S = 5 * 60       # "called within 5 minutes of the slot"


@dataclass(frozen=True)
class BookingHabits:
    """How visitors book and keep appointments on the simulated day."""

    share: float = 1 / 3            # of the regular visitors, those who book ahead
    early_mean_min: float = 8.0     # slot − arrival, on average (most come a little early)
    spread_min: float = 7.0         # how much that varies (normal)
    no_show: float = 0.08           # booked visitors who never come
    seats: int = 40                 # each slot's seats per service (every booking fits)


@dataclass
class BookedVisit:
    """What happened to one booked visitor."""

    visitor: int
    service: str
    slot: float                     # seconds after local midnight
    arrival: float | None           # None: never came
    meant: float = 0.0              # when they would have come without a booking
    outcome: str = "no_show"        # a CheckInOutcome value, or no_show
    ticket_id: int | None = None
    called: float | None = None
    moved_s: float = 0.0            # slot taken − slot wanted (the wanted one was full)


@dataclass
class BookedDayResult:
    """The day, its booked visitors, and which visitors were booked (by index)."""

    day: DayResult
    booked: list[BookedVisit] = field(default_factory=list)
    booked_visitors: set[int] = field(default_factory=set)


def bookable_centre(centre: CentreConfig, seats: int,
                    capacity: tuple[SlotCapacity, ...] | None = None) -> CentreConfig:
    """The centre with every service bookable during opening hours, `seats` a slot (or the
    given `capacity`), all of them the centre's own (the simulation plays the centre's side)."""
    return replace(centre, bookings=BookingSettings(
        slot_min=30, national_share=0.0, early_min=centre.bookings.early_min,
        late_min=centre.bookings.late_min, call_ahead_min=centre.bookings.call_ahead_min,
        capacity=capacity if capacity is not None else (
            SlotCapacity(service="*", hours=(time(0), time(23, 59, 59)), seats=seats),)))


class BookedDaySimulator(DaySimulator):
    """Plays one scenario day with a share of its visitors booked (or, `as_walk_ins`, those
    same visitors arriving as walk-ins at the same moments)."""

    def __init__(self, scenario: Scenario, seed: int = 1, habits: BookingHabits = BookingHabits(),
                 as_walk_ins: bool = False, centre: CentreConfig | None = None,
                 history_days: int = 1, capacity: tuple[SlotCapacity, ...] | None = None):
        base = centre or scenario.centre
        super().__init__(scenario, seed, bookable_centre(base, habits.seats, capacity),
                         history_days)
        self.habits, self.as_walk_ins = habits, as_walk_ins
        self.result = BookedDayResult(DayResult(scenario, seed, [], [], 0.0, 0))

    def run_booked(self) -> BookedDayResult:
        self.result.day = self.run()
        for b in self.result.booked:
            if b.ticket_id is not None and b.ticket_id in self.by_ticket:
                b.called = self.records[self.by_ticket[b.ticket_id]].called
        return self.result

    def _reported(self, seed: int | str) -> bool:
        return seed == self.seed

    def _draw(self, seed: int | str) -> list[Visitor]:
        visitors = super()._draw(seed)
        self._booked: dict[int, BookedVisit] = {}
        if not self._reported(seed):
            return visitors
        rng = random.Random(f"{seed}:bookings")
        slot_s = self.centre.bookings.slot_min * 60
        midnight = self.midnight.timestamp()
        slots = {round(s - midnight) for s in slot_starts(self.centre, self.scenario.day)}
        for i, v in enumerate(visitors):
            if v.priority is not None or rng.random() >= self.habits.share:
                continue
            slot = round(v.arrival / slot_s) * slot_s
            if slot not in slots:
                continue                 # no slot then (before opening, at closing): walks in
            early = rng.gauss(self.habits.early_mean_min, self.habits.spread_min) * 60
            came = None if rng.random() < self.habits.no_show else max(0.0, slot - early)
            self._booked[i] = BookedVisit(i, v.service, slot, came, v.arrival)
            visitors[i] = replace(v, no_show=False, arrival=came if came is not None else v.arrival)
        self.result.booked = list(self._booked.values())
        self.result.booked_visitors = set(self._booked)
        return visitors

    def _schedule_arrivals(self) -> None:
        self._codes: dict[int, str] = {}
        for i, v in enumerate(self.visitors):
            b = self._booked.get(i)
            if b is None:
                self._schedule(v.arrival, "arrive", i)
            elif self.as_walk_ins and b.arrival is not None:
                self._schedule(b.arrival, "arrive", i)
        if not self.as_walk_ins:
            # Bookings are made over the days before, in no particular order of the slots.
            order = sorted(self._booked)
            random.Random(f"{self.seed}:booking-order").shuffle(order)
            for i in order:
                self._book(self._booked[i])
        if self._booked and not self.as_walk_ins:
            for hour in range(24):
                self._schedule(hour * 3600 + 1799, "expire", hour)

    def _book(self, b: BookedVisit) -> None:
        """Book `b`'s slot; a full one, or one offering the service no seats: the nearest free
        slot of the day, the visitor keeping their margin (the desk's offer, taken); every slot
        full: they walk in when they meant to come."""
        ledger, service = self.queue.bookings, self.visitors[b.visitor].service
        slot_at = self._at(b.slot).timestamp()
        try:
            try:
                booking = ledger.book_local(service, slot_at, "az", "sim")
            except BookingRefused as refused:     # full, or no seats offered then
                nearest = refused.nearest if isinstance(refused, SlotFull) else (
                    ledger.nearest_free(service, slot_at)
                    if refused.reason == "no_capacity" else None)
                if nearest is None:
                    raise
                booking = ledger.book_local(service, nearest, "az", "sim")
                moved = nearest - slot_at
                b.slot += moved
                b.moved_s = moved
                if b.arrival is not None:
                    b.arrival = max(0.0, b.arrival + moved)
                    self.visitors[b.visitor] = replace(self.visitors[b.visitor],
                                                       arrival=b.arrival)
        except BookingRefused:
            self.result.booked.remove(b)
            self.result.booked_visitors.discard(b.visitor)
            self._schedule(b.meant, "arrive", b.visitor)
            return
        self._codes[b.visitor] = booking.code
        if b.arrival is not None:
            self._schedule(b.arrival, "checkin", b.visitor)

    def _on_checkin(self, i: int) -> None:
        b = self._booked[i]
        result = self.queue.check_in(self._codes[i], source="sim")
        if result.outcome == CheckInOutcome.EARLY and result.come_back_at is not None:
            back = (datetime.fromtimestamp(result.come_back_at, self.tz) - self.midnight)
            self._schedule(back.total_seconds(), "checkin", i)       # waits for the window
            return
        b.outcome = result.outcome.value
        ticket = result.ticket
        if ticket is None:
            return
        b.ticket_id = ticket.id
        self._queued(i, ticket)

    def _on_expire(self, _hour: int) -> None:
        self.queue.bookings.expire_no_shows()


def simulate_booked(scenario: Scenario, seed: int, habits: BookingHabits = BookingHabits(),
                    as_walk_ins: bool = False, centre: CentreConfig | None = None,
                    capacity: tuple[SlotCapacity, ...] | None = None) -> BookedDayResult:
    """Play one day of `scenario` for `seed` with `habits`' share of visitors booked (or, with
    `as_walk_ins`, arriving as walk-ins at the same moments); `capacity`: the slots' seats
    (default: `habits.seats` a slot for every service)."""
    return BookedDaySimulator(scenario, seed, habits, as_walk_ins, centre,
                              capacity=capacity).run_booked()


def walk_ins_within_target(result: BookedDayResult) -> float:
    """The share of called walk-ins (visitors who did not book) called within their service's
    target wait."""
    centre = result.day.scenario.centre
    called = [r for r in walk_in_records(result) if r.wait_min is not None]
    within = sum(1 for r in called if (r.wait_min or 0.0) <= centre.service(r.service).target_wait_min)
    return within / len(called) if called else 1.0


def walk_in_records(result: BookedDayResult) -> list[TicketRecord]:
    """The tickets of the visitors who did not book (the same people in both plays)."""
    return [r for r in result.day.tickets if r.visitor not in result.booked_visitors]


def appointment_figures(booked: BookedDayResult, baseline: BookedDayResult) -> dict[str, float]:
    """One seed's figures: the share of on-time bookings (checked in by their slot's start)
    called within 5 minutes of their slot — and, beside it, of every checked-in booking, the
    late ones within the window included —, the walk-ins' p90 wait with bookings and on the same
    day with those visitors as walk-ins, and the printed wait's accuracy (within 5 min) for
    walk-ins."""
    checked_in = [b for b in booked.booked if b.outcome == CheckInOutcome.CHECKED_IN.value
                  and b.called is not None]
    on_time = [b for b in checked_in if b.arrival is not None and b.arrival <= b.slot]
    within = sum(1 for b in on_time if b.called is not None and b.called - b.slot <= ON_TIME_S)
    within_all = sum(1 for b in checked_in if b.called is not None
                     and b.called - b.slot <= ON_TIME_S)
    walk = [r.wait_min for r in walk_in_records(booked) if r.wait_min is not None]
    base = [r.wait_min for r in walk_in_records(baseline) if r.wait_min is not None]
    same = [r.wait_min for r in baseline.day.tickets    # the booked play's walk-ins, those
            if r.visitor not in booked.booked_visitors and r.wait_min is not None]  # refused too
    late = [b.called - b.slot for b in on_time if b.called is not None]
    return {
        "booked": len(booked.booked),
        "checked_in": len(checked_in),
        "checked_in_on_time": len(on_time),
        "called_within_5_of_slot": within / len(on_time) if on_time else 1.0,
        "called_within_5_of_slot_all_checked_in":
            within_all / len(checked_in) if checked_in else 1.0,
        "called_minus_slot_p90_min": (percentile_of(late, 0.9) or 0.0) / 60,
        "walk_in_p90_min": percentile_of(walk, 0.9) or 0.0,
        "walk_in_p90_as_walk_ins_min": percentile_of(base, 0.9) or 0.0,
        "walk_in_p90_as_walk_ins_same_people_min": percentile_of(same, 0.9) or 0.0,
        "printed_within_5": accuracy(walk_in_records(booked)).within_5,
        "printed_within_5_all": accuracy(booked.day.tickets).within_5,
    }
