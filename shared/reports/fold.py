"""One service day's events folded into facts: a row per ticket, a row per visit at a counter,
and a row per counter and staff member (time open, time idle while someone waited).

Pure Python over event rows (no database): the local SQLite file and the central PostgreSQL
feed the same events into the same fold, so a fact means the same everywhere.

What each fact means (the figures in shared.reports.figures are sums and percentiles of these):

- A ticket belongs to the service day of its `issued` event and to the service it was issued
  for (what the visitor chose, what the printed estimate and the target wait were about).
- wait_s: issue → first call, in whole seconds; None if it was never called.
- left_uncalled_s: for a ticket that ended without ever being called (cancelled while waiting,
  expired at the day's end), how long it had waited then — an expired ticket waited until its
  service day ended (the `ended_at` its event carries), not until the moment the day change was
  written.
- outcome: served | unresolved | referred (finished at a counter), day_end (still being served
  when the day ended: its service time is unknown, it counts in no time figure), no_show,
  cancelled, expired, or open (today, not ended yet).
- A visit is one call of the ticket to a counter, until it ends: finished (served, unresolved,
  referred, day_end), no_show, transferred, cancelled or expired. walkup_s: call → start
  (None if never started); service_s: start → end for a visit finished or transferred after
  it started; a visit finished without Start runs from its call (as the queue itself counts
  it); day_end visits have no service time. What ended a visit is what the queue recorded
  (its rule of Start, walk-up and No-show: shared/core/visits.py); an `outcome_corrected`
  event (a console's Undo moments later) changes the outcome of the visit that ended last.
- A counter is open between counter_opened and counter_paused/closed (paused is not open); a
  counter still open when the day ends closes at the day's end. It is idle while someone
  waited when it is open, has no visitor called or being served, and at least one ticket waits
  for a service it serves (per the centre's config). Both are credited to the staff member of
  the counter's latest counter event.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.reports.spans import Span, by_hour, open_spans, overlap, subtract, union

FINISHED = ("served", "unresolved", "referred")


@dataclass
class EventRow:
    """An event as the fold reads it."""

    id: int
    at: float
    kind: str
    ticket_id: int | None
    service: str | None
    counter: str | None
    staff: str | None
    details: dict[str, Any]

    @classmethod
    def from_row(cls, row: Any) -> EventRow:
        """From (id, at, kind, ticket_id, service, counter, staff, details-JSON)."""
        details = row[7]
        if isinstance(details, str):
            details = json.loads(details) if details else {}
        return cls(int(row[0]), float(row[1]), row[2], row[3], row[4], row[5], row[6],
                   details or {})


@dataclass
class TicketFact:
    ticket_id: int
    service_day: str
    issued_at: float
    hour: int
    weekday: int
    service: str
    category: str
    priority: str | None
    estimate_min: int | None
    ahead: int | None
    called_at: float | None = None
    wait_s: int | None = None
    outcome: str = "open"
    ended_at: float | None = None
    left_uncalled_s: int | None = None
    transferred: int = 0
    rating: int | None = None

    @property
    def estimate_error_s(self) -> int | None:
        """Real wait − printed wait (positive: people waited longer than the ticket said)."""
        if self.wait_s is None or self.estimate_min is None:
            return None
        return self.wait_s - self.estimate_min * 60


@dataclass
class VisitFact:
    ticket_id: int
    seq: int
    service_day: str
    service: str
    category: str
    priority: str | None
    counter: str
    staff: str | None
    hour: int
    called_at: float
    started_at: float | None = None
    ended_at: float | None = None
    end: str = "open"
    walkup_s: int | None = None
    service_s: int | None = None


@dataclass
class CounterFact:
    service_day: str
    counter: str
    staff: str | None
    open_s: int = 0
    idle_waiting_s: int = 0


@dataclass
class ProfileCall:
    """The work profile and level a Next called a visit by (none: called by its code)."""

    ticket_id: int
    seq: int
    service_day: str
    counter: str
    profile: str | None
    level: str | None


@dataclass
class IdleHour:
    """A counter's idle-while-someone-waited seconds within one local hour."""

    service_day: str
    counter: str
    hour: int
    idle_waiting_s: int


@dataclass
class DayFacts:
    tickets: list[TicketFact] = field(default_factory=list)
    visits: list[VisitFact] = field(default_factory=list)
    counters: list[CounterFact] = field(default_factory=list)
    # read by the reports' profile figures; the central copy keeps the calls, not the idle hours
    profile_calls: list[ProfileCall] = field(default_factory=list)
    idle_hours: list[IdleHour] = field(default_factory=list)


def _secs(value: float) -> int:
    """A duration in whole seconds, never negative (a clock stepped back counts as zero)."""
    return max(0, int(round(value)))


def _iso_epoch(value: Any, default: float) -> float:
    if not value:
        return default
    return datetime.fromisoformat(str(value)).timestamp()


class DayFold:
    """One service day folded so far; fed more events (in id order) it goes on from there."""

    def __init__(self, day: str, start: float, end: float, tz: ZoneInfo,
                 categories: Mapping[str, str], counter_services: Mapping[str, Iterable[str]]):
        self.day, self.start, self.end, self.tz = day, start, end, tz
        self.categories = categories
        self.counter_services = counter_services
        self.tickets: dict[int, TicketFact] = {}
        self.visits: list[VisitFact] = []
        self.profile_calls: list[ProfileCall] = []
        self.at_counter: dict[int, VisitFact] = {}       # ticket → its open visit
        self.last_ended: dict[int, VisitFact] = {}       # ticket → its visit that ended last
        self.calls: dict[int, int] = defaultdict(int)
        self.waiting: dict[int, tuple[str, float]] = {}  # ticket → (service, since)
        self.wait_spans: dict[str, list[Span]] = defaultdict(list)
        # counter → [(since, state, staff)] changes of mode; and busy spans with a visitor
        self.modes: dict[str, list[tuple[float, str, str | None]]] = defaultdict(list)
        self.busy: dict[str, list[Span]] = defaultdict(list)
        self.dirty: set[int] = set()                      # tickets changed since last taken
        self.last_id = 0

    def clip(self, at: float) -> float:
        return min(max(at, self.start), self.end)

    # ---- tickets ------------------------------------------------------------------------
    def issued(self, e: EventRow) -> None:
        d = e.details
        local = datetime.fromtimestamp(e.at, self.tz)
        service = e.service or ""
        t = TicketFact(e.ticket_id or 0, self.day, e.at, local.hour, _weekday(self.day),
                       service, self.categories.get(service, service), d.get("priority"),
                       d.get("estimate_min"), d.get("ahead"))
        self.tickets[t.ticket_id] = t
        self.waiting[t.ticket_id] = (service, e.at)

    def stop_waiting(self, tid: int, at: float) -> None:
        if tid in self.waiting:
            service, since = self.waiting.pop(tid)
            self.wait_spans[service].append((since, self.clip(at)))

    def end_visit(self, tid: int, at: float, end: str, timed: bool = True) -> None:
        v = self.at_counter.pop(tid, None)
        if v is None:
            return
        v.ended_at, v.end = at, end
        self.last_ended[tid] = v
        self.time_visit(v, timed)
        self.busy[v.counter].append((v.called_at, self.clip(at)))

    @staticmethod
    def time_visit(v: VisitFact, timed: bool) -> None:
        """A visit's service time: start → end, or call → end when nobody pressed Start."""
        v.service_s = None
        if timed and v.ended_at is not None and (v.end != "transferred" or v.started_at is not None):
            began = v.started_at if v.started_at is not None else v.called_at
            v.service_s = _secs(v.ended_at - began)

    def correct(self, tid: int, t: TicketFact, outcome: str) -> None:
        """A console put right the outcome it recorded for the visit that ended last."""
        v = self.last_ended.get(tid)
        if v is None or v.end not in (*FINISHED, "no_show"):
            return
        v.end = outcome
        self.time_visit(v, outcome != "no_show")
        t.outcome = outcome

    def ticket_event(self, e: EventRow, t: TicketFact) -> None:
        tid, kind = t.ticket_id, e.kind
        if kind == "called":
            self.stop_waiting(tid, e.at)
            if t.called_at is None:
                t.called_at, t.wait_s = e.at, _secs(e.at - t.issued_at)
            local = datetime.fromtimestamp(e.at, self.tz)
            self.calls[tid] += 1
            v = VisitFact(tid, self.calls[tid], self.day,
                          e.service or t.service, self.categories.get(e.service or "", t.category),
                          t.priority, e.counter or "", e.staff, local.hour, e.at)
            self.visits.append(v)
            self.at_counter[tid] = v
            self.profile_calls.append(ProfileCall(tid, v.seq, self.day, v.counter,
                                                  e.details.get("profile"),
                                                  e.details.get("level")))
        elif kind == "started":
            current = self.at_counter.get(tid)
            if current is not None and current.started_at is None:
                current.started_at = e.at
                current.walkup_s = _secs(e.at - current.called_at)
        elif kind == "finished":
            outcome = str(e.details.get("outcome", "served"))
            at = _iso_epoch(e.details.get("ended_at"), e.at) if outcome == "day_end" else e.at
            self.end_visit(tid, at, outcome, timed=outcome != "day_end")
            t.outcome, t.ended_at = outcome, at
        elif kind == "no_show":
            self.end_visit(tid, e.at, "no_show", timed=False)
            t.outcome, t.ended_at = "no_show", e.at
        elif kind == "transferred":
            self.end_visit(tid, e.at, "transferred")
            t.transferred = 1
            self.waiting[tid] = (str(e.details.get("to_service") or t.service), e.at)
        elif kind in ("cancelled", "expired"):
            at = _iso_epoch(e.details.get("ended_at"), e.at) if kind == "expired" else e.at
            if t.called_at is None:
                t.left_uncalled_s = _secs(at - t.issued_at)
            self.stop_waiting(tid, at)
            self.end_visit(tid, at, kind, timed=False)
            t.outcome, t.ended_at = kind, at
        elif kind == "outcome_corrected":
            self.correct(tid, t, str(e.details.get("outcome", "")))
        elif kind == "rated":
            score = e.details.get("score")
            if isinstance(score, int):
                t.rating = score

    # ---- counters -----------------------------------------------------------------------
    def counter_event(self, e: EventRow) -> None:
        if not e.counter:
            return
        state = {"counter_opened": "open", "counter_paused": "paused",
                 "counter_closed": "closed"}[e.kind]
        self.modes[e.counter].append((self.clip(e.at), state, e.staff))

    def counter_facts(self, until: float) -> list[CounterFact]:
        """Time open and idle per counter and staff member, spans still open ending `until`."""
        return self._counters(until)[0]

    def _counters(self, until: float) -> tuple[list[CounterFact], list[IdleHour]]:
        """The counter facts, and each counter's idle-while-someone-waited time per hour."""
        wait_spans = {svc: list(spans) for svc, spans in self.wait_spans.items()}
        for service, since in self.waiting.values():          # still waiting now (today)
            wait_spans.setdefault(service, []).append((since, until))
        busy = {c: list(spans) for c, spans in self.busy.items()}
        for v in self.at_counter.values():                     # still at a counter now
            busy.setdefault(v.counter, []).append((v.called_at, until))
        out: dict[tuple[str, str | None], CounterFact] = {}
        hours: dict[tuple[str, int], float] = defaultdict(float)
        for counter, changes in self.modes.items():
            free = subtract(open_spans(changes, until), union(busy.get(counter, [])))
            waited = union([s for svc in self.counter_services.get(counter, ())
                             for s in wait_spans.get(svc, [])])
            for (a, b), staff in free:
                fact = out.setdefault((counter, staff), CounterFact(self.day, counter, staff))
                fact.idle_waiting_s += _secs(overlap((a, b), waited))
                for x, y in waited:
                    for hour, seconds in by_hour(max(a, x), min(b, y), self.tz):
                        hours[counter, hour] += seconds
            for (a, b), staff in open_spans(changes, until):
                fact = out.setdefault((counter, staff), CounterFact(self.day, counter, staff))
                fact.open_s += _secs(b - a)
        idle = [IdleHour(self.day, c, h, _secs(v)) for (c, h), v in sorted(hours.items()) if v >= 1]
        return sorted(out.values(), key=lambda f: (f.counter, f.staff or "")), idle

    def feed(self, events: Iterable[EventRow]) -> None:
        """Fold these events (in id order, after those fed before)."""
        for e in sorted(events, key=lambda e: e.id):
            if e.id <= self.last_id:
                continue
            self.last_id = e.id
            if e.kind == "issued":
                if self.start <= e.at < self.end and e.ticket_id is not None:
                    self.issued(e)
                    self.dirty.add(e.ticket_id)
            elif e.ticket_id is not None:
                t = self.tickets.get(e.ticket_id)
                if t is not None:
                    self.ticket_event(e, t)
                    self.dirty.add(e.ticket_id)
            elif e.kind in ("counter_opened", "counter_paused", "counter_closed") and \
                    e.at < self.end:
                self.counter_event(e)

    def facts(self, until: float) -> DayFacts:
        """The day's facts as folded so far (open spans end `until`); the fold goes on."""
        counters, idle = self._counters(min(until, self.end))
        return DayFacts(sorted(self.tickets.values(), key=lambda t: t.ticket_id),
                        list(self.visits), counters, list(self.profile_calls), idle)


def _weekday(day: str) -> int:
    return datetime.fromisoformat(day).weekday()


def fold_day(day: str, events: Iterable[EventRow], *, start: float, end: float, until: float,
             tz: ZoneInfo, categories: Mapping[str, str],
             counter_services: Mapping[str, Iterable[str]]) -> DayFacts:
    """The facts of service day `day` ([start, end) as epochs) from its events: those in the
    window, and the later events of its tickets (expiry, day-end finish, late ratings).
    `until` is when the day stops counting (its end, or now for today)."""
    fold = DayFold(day, start, end, tz, categories, counter_services)
    fold.feed(events)
    return fold.facts(until)
