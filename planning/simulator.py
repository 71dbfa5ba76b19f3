"""A discrete-event simulation of one service day that drives the real queue: a LocalQueue on a
temporary SQLite file, moved through the day by a fake clock.

Visitors arrive as a non-homogeneous Poisson process (a constant rate within each local hour),
take a ticket for a service drawn from the mix (some with a priority class), and are called by
the counters exactly as the queue orders them. A visit is a walk-up (call → start) and a
lognormal service time around the service's minutes; some visitors never come (staff wait, then
press No-show), some are transferred to another service once. Staff press Start for a share of
visits (`start_pressed`); the others end with Next alone, and the queue's rule (a visitor is at
the window once the walk-up time has passed) decides what is recorded — the result counts the
visits it recorded otherwise than they happened. Counters open (some late), pause
for lunch after their current visit and close at the end of their shift, serving out whoever is
still waiting for them. Everything random is drawn from streams seeded by the seed alone, so a
seed gives the same day whatever the estimator or the staffing."""

from __future__ import annotations

import heapq
import random
import shutil
import tempfile
import time as wall
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from planning.scenario import Scenario
from planning.visitors import Visitor, draw_visitors
from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.errors import NoTicketWaiting
from shared.core.local_queue import LocalQueue
from shared.core.model import Ticket, VisitEnd


@dataclass
class TicketRecord:
    """What happened to one ticket: what was printed on it and when it was first called."""

    visitor: int
    service: str
    priority: str | None
    issued: float                # seconds after local midnight
    ahead: int
    printed_min: int
    printed_max_min: int
    called: float | None = None
    no_show: bool = False
    transferred: bool = False
    recorded_no_show: bool = False   # what the queue filed: differs from no_show if misread

    @property
    def wait_min(self) -> float | None:
        return None if self.called is None else (self.called - self.issued) / 60


@dataclass
class CounterRecord:
    """How one counter spent the day: seconds open (not paused) and seconds with a visitor."""

    id: str
    open_s: float = 0.0
    busy_s: float = 0.0
    calls: int = 0
    hourly_open_s: dict[int, float] = field(default_factory=dict)


@dataclass
class DayResult:
    """Everything the reports read: tickets, counters, the scenario and the run time."""

    scenario: Scenario
    seed: int
    tickets: list[TicketRecord]
    counters: list[CounterRecord]
    run_seconds: float
    events: int


@dataclass
class _Counter:
    id: str
    services: tuple[str, ...]
    mode: str = "closed"             # closed | open | paused
    visitor: int | None = None       # ticket id at the counter
    pending: str | None = None       # "pause" or "close" once the current visit ends
    closing: bool = False            # shift over: serve out who waits, then close
    idle_since: float = 0.0
    since: float = 0.0               # last change of mode or visit (for the tallies)


class DaySimulator:
    """Plays one scenario day for one seed against a LocalQueue on a temporary file."""

    def __init__(self, scenario: Scenario, seed: int = 1, centre: CentreConfig | None = None,
                 history_days: int = 1,
                 on_issue: Callable[[Ticket, float], None] | None = None,
                 keep_db: str | Path | None = None):
        self.scenario = scenario
        self.seed = seed
        self.centre = centre or scenario.centre
        self.history_days = history_days
        self.on_issue = on_issue
        self.keep_db = Path(keep_db) if keep_db else None
        self.tz = self.centre.tz

    # ---- the day --------------------------------------------------------------------------
    def run(self) -> DayResult:
        started = wall.perf_counter()
        tmp = Path(tempfile.mkdtemp(prefix="novbe-sim-", dir=self._tmp_root()))
        try:
            first = self.scenario.day - timedelta(days=self.history_days)
            self.clock = FakeClock(datetime.combine(first, datetime.min.time(), self.tz))
            self.queue = LocalQueue(self.keep_db or tmp / "day.sqlite", self.centre, self.clock,
                                    verify=False)
            # A simulated day needs no durability: its file is thrown away afterwards.
            self.queue.db.conn.execute("PRAGMA synchronous = OFF")
            try:
                # The days before give the queue a history to learn from (visit times, the
                # counters' habits), as a centre's own file has; only the last day is reported.
                # Nobody reads the printed waits of those days: the cheap estimator will do.
                self.queue.config = replace(self.centre, waits=replace(self.centre.waits,
                                                                       estimator="simple"))
                for back in range(self.history_days, 0, -1):
                    self._play(self.scenario.day - timedelta(days=back), f"{self.seed}:-{back}")
                self.queue.config = self.centre
                result = self._play(self.scenario.day, self.seed)
            finally:
                self.queue.close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        result.run_seconds = wall.perf_counter() - started
        return result

    @staticmethod
    def _tmp_root() -> str | None:
        shm = Path("/dev/shm")
        return str(shm) if shm.is_dir() and shutil.disk_usage(shm).free > 64 << 20 else None

    def _at(self, seconds: float) -> datetime:
        return self.midnight + timedelta(seconds=seconds)

    def _schedule(self, t: float, kind: str, data: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, kind, data))

    def _play(self, day: date, seed: int | str) -> DayResult:
        self.midnight = datetime.combine(day, datetime.min.time(), self.tz)
        self.now = 0.0
        self._heap: list[tuple[float, int, str, Any]] = []
        self._seq = 0
        self.visitors = self._draw(seed)
        self.records: list[TicketRecord] = []
        self.by_ticket: dict[int, int] = {}       # ticket id → record index
        self.leg: dict[int, int] = {}             # ticket id → visit number (0, 1 after transfer)
        self.waiting: dict[str, int] = {}         # service → tickets waiting (mirror of the queue)
        self.unstarted: set[int] = set()          # at a counter whose staff will not press Start
        self.start_rng = random.Random(f"{seed}:start")   # its own stream: the day stays the same
        cfg = self.centre
        self.counters = {c.id: _Counter(c.id, c.services) for c in cfg.counters}
        self.tallies = {c.id: CounterRecord(c.id) for c in cfg.counters}
        staff_rng = random.Random(f"{seed}:staff")
        for shift in self.scenario.shifts:
            for cid in shift.counters:
                opens = _secs(shift.open) + staff_rng.uniform(0, shift.late_open_max_min) * 60
                self._schedule(opens, "open", cid)
                for begin, end in shift.pauses:
                    self._schedule(_secs(begin), "lunch", cid)
                    self._schedule(_secs(end), "back", cid)
                self._schedule(_secs(shift.close), "close", cid)
        self._schedule_arrivals()
        events = 0
        while self._heap:
            t, _, kind, data = heapq.heappop(self._heap)
            self.clock.set(self._at(t))
            self.now = t
            getattr(self, f"_on_{kind}")(data)
            events += 1
        for c in self.counters.values():
            self._tally(c)
        return DayResult(self.scenario, self.seed, self.records, list(self.tallies.values()),
                         0.0, events)

    # ---- visitors -------------------------------------------------------------------------
    def _draw(self, seed: int | str) -> list[Visitor]:
        """The day's visitors (planning/booked_day.py books some of them)."""
        return draw_visitors(self.scenario, seed)

    def _schedule_arrivals(self) -> None:
        for i, v in enumerate(self.visitors):
            self._schedule(v.arrival, "arrive", i)

    def _on_arrive(self, i: int) -> None:
        v = self.visitors[i]
        self._queued(i, self.queue.issue(v.service, priority=v.priority, source="sim"))

    def _queued(self, i: int, ticket: Ticket) -> None:
        """Visitor `i` holds `ticket` (issued, or given at a check-in): the `on_issue` hook,
        its record with the wait printed on it, then the idle counters press Next."""
        if self.on_issue:
            self.on_issue(ticket, self.now)
        high = max(ticket.wait_high_min, ticket.estimated_wait_min)
        self.by_ticket[ticket.id] = len(self.records)
        self.records.append(TicketRecord(i, ticket.service, ticket.priority, self.now,
                                         ticket.ahead, ticket.estimated_wait_min, high))
        self.leg[ticket.id] = 0
        self.waiting[ticket.service] = self.waiting.get(ticket.service, 0) + 1
        self._dispatch()

    def _dispatch(self) -> None:
        """Every open, idle counter with someone waiting for it presses Next (longest idle
        first)."""
        idle = [c for c in self.counters.values() if c.mode == "open" and c.visitor is None]
        for c in sorted(idle, key=lambda c: c.idle_since):
            if any(self.waiting.get(s) for s in c.services):
                try:
                    self._call(c)
                except NoTicketWaiting:      # its work profile serves none of those waiting
                    continue
            elif c.closing:
                self._set_mode(c, "closed")

    def _call(self, c: _Counter) -> VisitEnd | None:
        self._tally(c)
        ticket = self.queue.call_next(c.id)
        self.waiting[ticket.service] -= 1
        c.visitor = ticket.id
        self.tallies[c.id].calls += 1
        rec = self.records[self.by_ticket[ticket.id]]
        if rec.called is None:
            rec.called = self.now
        v = self.visitors[rec.visitor]
        if self.leg[ticket.id] == 0 and v.no_show:
            rec.no_show = True
            self._schedule(self.now + self.scenario.no_show_wait_s, "gone", c.id)
        elif self.start_rng.random() < self.scenario.start_pressed:
            self._schedule(self.now + v.walk_up_s, "start", c.id)
        else:                                  # nobody presses Start: Next ends the visit
            self.unstarted.add(ticket.id)
            self._schedule(self.now + v.walk_up_s + v.visit_s[self.leg[ticket.id]], "end", c.id)
        return ticket.ended

    def _by_next(self, c: _Counter) -> None:
        """Staff who never press Start end the visit with Next alone (Finish before a pause):
        the queue's walk-up rule files it."""
        tid = c.visitor
        assert tid is not None
        self.unstarted.discard(tid)
        if c.pending is not None:
            ended = self.queue.finish(c.id).ended
            self._free(c)
        elif any(self.waiting.get(s) for s in c.services):
            self._tally(c)
            c.visitor, c.idle_since = None, self.now
            ended = self._call(c)
        else:
            try:
                ended = self.queue.call_next(c.id).ended
            except NoTicketWaiting as nobody:    # nobody waits: Next ends the visit, says so
                ended = nobody.ended
            self._free(c)
        self.records[self.by_ticket[tid]].recorded_no_show = bool(ended and ended.outcome == "no_show")

    def _on_start(self, cid: str) -> None:
        ticket = self.queue.start(cid)
        v = self.visitors[self.records[self.by_ticket[ticket.id]].visitor]
        self._schedule(self.now + v.visit_s[self.leg[ticket.id]], "end", cid)

    def _on_end(self, cid: str) -> None:
        c = self.counters[cid]
        tid = c.visitor
        assert tid is not None
        rec = self.records[self.by_ticket[tid]]
        v = self.visitors[rec.visitor]
        if tid in self.unstarted and not (self.leg[tid] == 0 and v.transfer_to):
            self._by_next(c)
            return
        self.unstarted.discard(tid)
        if self.leg[tid] == 0 and v.transfer_to:
            self.queue.transfer(cid, v.transfer_to)
            self.leg[tid] = 1
            rec.transferred = True
            self.waiting[v.transfer_to] = self.waiting.get(v.transfer_to, 0) + 1
        else:
            self.queue.finish(cid)
        self._free(c)

    def _on_gone(self, cid: str) -> None:
        tid = self.counters[cid].visitor
        self.queue.no_show(cid)
        if tid is not None:
            self.records[self.by_ticket[tid]].recorded_no_show = True
        self._free(self.counters[cid])

    def _free(self, c: _Counter) -> None:
        self._tally(c)
        c.visitor = None
        c.idle_since = self.now
        if c.pending == "pause":
            c.pending = None
            self._set_mode(c, "paused")
        elif c.pending == "close":
            c.pending = None
            self._set_mode(c, "closed")
        self._dispatch()

    # ---- staff ----------------------------------------------------------------------------
    def _set_mode(self, c: _Counter, mode: str) -> None:
        self._tally(c)
        if mode == "open":
            self.queue.open_counter(c.id, staff=f"staff-{c.id}")
            c.idle_since = self.now
        elif mode == "paused":
            self.queue.pause_counter(c.id)
        else:
            self.queue.close_counter(c.id)
            c.closing = False
        c.mode = mode

    def _on_open(self, cid: str) -> None:
        c = self.counters[cid]
        if c.mode == "closed":
            c.closing = False
            self._set_mode(c, "open")
            self._dispatch()

    def _on_lunch(self, cid: str) -> None:
        c = self.counters[cid]
        if c.mode != "open":
            return
        if c.visitor is None:
            self._set_mode(c, "paused")
        else:
            c.pending = "pause"

    def _on_back(self, cid: str) -> None:
        c = self.counters[cid]
        if c.pending == "pause":
            c.pending = None
        elif c.mode == "paused":
            self._set_mode(c, "open")
            self._dispatch()

    def _on_close(self, cid: str) -> None:
        c = self.counters[cid]
        if c.pending == "pause":
            c.pending = None
        if c.mode == "paused":
            self._set_mode(c, "closed")
        elif c.mode == "open":
            c.closing = True
            if c.visitor is None and not any(self.waiting.get(s) for s in c.services):
                self._set_mode(c, "closed")

    def _tally(self, c: _Counter) -> None:
        """Add the time since the last change to the counter's open and busy seconds."""
        span = self.now - c.since
        if span > 0:
            t = self.tallies[c.id]
            if c.mode == "open" or c.visitor is not None:
                t.open_s += span
                hour = int(c.since // 3600)
                t.hourly_open_s[hour] = t.hourly_open_s.get(hour, 0.0) + span
            if c.visitor is not None:
                t.busy_s += span
        c.since = self.now


def _secs(t: Any) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second


def simulate(scenario: Scenario, seed: int = 1, centre: CentreConfig | None = None,
             history_days: int = 1, keep_db: str | Path | None = None) -> DayResult:
    """Play one day of `scenario` for `seed` (with `centre` in place of its config if given),
    after `history_days` days of the same scenario (other visitors) for the queue to learn from;
    the queue's file is kept at `keep_db` when given (else thrown away)."""
    return DaySimulator(scenario, seed, centre, history_days, keep_db=keep_db).run()
