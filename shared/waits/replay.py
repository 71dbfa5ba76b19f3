"""The wait estimate: replay the real call order over the counters that could call the visitor.

Contract (a pure function of a `QueueState`; the queue only gathers the state):
- the estimate is never negative;
- it is 0 only when a counter that serves the ticket's service is open and free now;
- it never shrinks when more people are ahead;
- it is a point (`minutes`) and, when the wait is long enough that a point would promise too much,
  a range (`low`–`high`, the point inside it) that the ticket, board and phone show as such.

How: every counter that is open (or paused and expected back) becomes free when its current
visit is likely over — the time the visit still needs, given how long it has lasted, from the
recent visits of that service (call → end: walk-up, service and no-show time all count). Then
the waiting tickets are handed out in the queue's own order (priority class, queue time) to
whichever counter frees up first, each taking its service's mean visit time, with the priority
visitors likely to arrive meanwhile (at today's recent rate) slotted in before regular ones,
until a counter takes the ticket asked about. A visit time is a mean, not a median: waits add
visit times up, and a skewed time's mean is what adds up.

When few visits stand between the ticket and its call the replay is repeated with drawn times
and the median printed. A small service sees a dozen visits a day, too few to draw the rest of
a visit in progress from, so the draws take the shape of visit times from all services pooled
(each duration divided by its service's mean) and scale it by the service's own mean.

A wait that is not 0 prints as at least SHORTEST_S (2 minutes). The printed minute is a promise
of ±2 minutes; waits are never below 0, so "2 min" covers every wait from 0 to 4 minutes while
"1 min" covers only 0 to 3: when every counter is busy and the likely wait is under 2 minutes,
"2 min" is right at least as often, and right for the visits that run long. On a simulated
normal day this is the choice an estimator that knows the day's true laws makes too
(bench/wait_oracle.py)."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from shared.core.call_order import Fairness
from shared.core.fairness import joins_priority_at
from shared.waits.booked import booked_turn, by_counter, in_slot_order
from shared.waits.closed import closed_for, opening, when_open
from shared.waits.draws import Drawn, Expected
from shared.waits.profile_calls import ProfileBooked, by_profile
from shared.waits.state import Booked, CounterNow, Entry, QueueState, WaitEstimate
from shared.waits.visit_times import VisitTimes

RECENT_WINDOW_S = 3600.0      # priority arrivals are counted over the last hour
RANGE_FROM_MIN = 10           # from this point on, a range is printed rather than a point
LATE_OPEN_S = 20 * 60         # a counter still closed this long after it usually opens is not coming
SOON_OPEN_S = 60 * 60         # a closed counter that usually opens within this is counted on
LATE_PAUSE_S = 20 * 60        # a pause taken up to this much earlier than usual is the usual one
QUICK_RANGE = (0.8, 1.25)      # a quick estimate's range around its point
PRIORITY_HORIZON_S = 3600.0   # priority visitors to come are counted this far ahead
MAX_STEPS = 20000             # a replay stops here (a queue that never empties)
DRAWS = 15                    # replays with drawn times (their median is the estimate)
DRAW_STEPS = 12               # a replay longer than this …
LONG_DRAWS = 15               # … is drawn this many times
SHORTEST_S = 120.0            # a wait that is not 0 prints as at least this (see below)


def priority_rates(state: QueueState, rank: int) -> dict[str, float]:
    """Arrivals per second, per service, of priority visitors who would be called before a
    ticket of `rank`, at the rate of the last hour."""
    rates: dict[str, float] = {}
    since = state.now - RECENT_WINDOW_S
    for service, r, at in state.recent_priority:
        if r < rank and at >= since:
            rates[service] = rates.get(service, 0.0) + 1 / RECENT_WINDOW_S
    return rates


@dataclass
class Cursor:
    """Where a replay stands: when each counter is next free, how far each queue has been
    called, the pauses still to come, the priority visitors to come taken so far, steps taken."""

    free: list[tuple[float, int]]
    heads: dict[int, int]
    pauses: dict[int, tuple[float, float]]
    taken: dict[str, int]
    next_at: dict[str, float]
    steps: int = 0
    turns: dict[int, list[str]] = field(default_factory=dict)   # quota turns, per counter
    booked_taken: set[int] = field(default_factory=set)   # booked visitors called, by index

    def copy(self) -> Cursor:
        return Cursor(list(self.free), dict(self.heads), dict(self.pauses), dict(self.taken),
                      dict(self.next_at), self.steps,
                      {i: list(t) for i, t in self.turns.items()}, set(self.booked_taken))


Pick = tuple[float, int]     # when, and which counter, calls the ticket waited for (newcomers:
                             # has nobody left to call)


@dataclass
class Replay:
    """The call order to replay: queues per service, counters and when each is first free.
    The ticket asked about has id None; with `newcomers` there is none: the replay stops at
    every counter that has nobody left to call, where a new visitor of each of its services
    would be called (shared/waits/newcomers.py)."""

    state: QueueState
    # per service: its priority tickets, then its regular ones, each in call order
    queues: dict[str, tuple[list[Entry], list[Entry]]]
    counters: list[tuple[int, CounterNow]]                   # (index, counter) counted on
    rates: dict[str, float]
    newcomers: bool = False
    # per counter: its services' (service, priority list, regular list, and their ids)
    live: dict[int, list[tuple[str, list[Entry], list[Entry], int, int]]] = field(
        default_factory=dict)
    rated: dict[int, list[str]] = field(default_factory=dict)
    booked: list[Booked] = field(default_factory=list)      # shared/waits/booked.py

    def __post_init__(self) -> None:
        self.counters_by_index = dict(self.counters)
        # counters whose work profile is more than every service primary, priority first: the
        # call order itself decides there (shared/core/call_order.py)
        self.rules = {i: c.rules for i, c in self.counters if c.rules is not None}
        self.fairness = Fairness(self.state.fairness_multiple, self.state.target_min)
        self.booked = in_slot_order(self.booked)
        self.booked_for = by_counter(self.booked, self.counters)
        for i, c in self.counters:
            self.live[i] = [(s, self.queues[s][0], self.queues[s][1], id(self.queues[s][0]),
                             id(self.queues[s][1])) for s in c.services if s in self.queues]
            self.rated[i] = [s for s in c.services if s in self.rates]

    def _overdue(self, live: list[tuple[str, list, list, int, int]], heads: dict[int, int],
                 at: float) -> tuple[str, list[tuple[int, float, int | None]], float] | None:
        """The regular ticket that reached its fairness limit first among a counter's queues
        (and has by `at`): (its service, its list, when it joined the priority line), or None."""
        found = None
        for s, _, regular, _, ir in live:
            if heads[ir] < len(regular):
                _, qa, _ = regular[heads[ir]]
                joined = joins_priority_at(qa, self.state.target_min.get(s, 10.0),
                                           self.state.fairness_multiple)
                if joined <= at and (found is None or joined < found[2]):
                    found = (s, regular, joined)
        return found

    def run(self, sampler: Expected | Drawn) -> tuple[float | None, int]:
        """(seconds until the ticket is called or None if no counter calls it, steps taken)."""
        cursor = self.start(sampler)
        found = self.advance(cursor, sampler)
        return (None if found is None else found[0] - self.state.now), cursor.steps

    def start(self, sampler: Expected | Drawn) -> Cursor:
        """The replay's starting point: each counter free when its visit is likely over."""
        state, now = self.state, self.state.now
        lists = [q for qs in self.queues.values() for q in qs]
        free: list[tuple[float, int]] = []
        pauses: dict[int, tuple[float, float]] = {}
        for i, c in self.counters:
            at = now
            if c.visit_service is not None:
                at = now + sampler.rest_of(c, now, i)
            available = _available(state, c)
            free.append((at if available is None else max(at, available), i))
            if c.pause and c.mode == "open" and c.pause[1] > now and c.pause[0] > now - LATE_PAUSE_S:
                pauses[i] = c.pause
        heapq.heapify(free)
        return Cursor(free, dict.fromkeys(map(id, lists), 0), pauses,
                      dict.fromkeys(self.rates, 0),   # priority visitors to come, taken so far
                      {s: sampler.arrival(s, 0) for s in self.rates})

    def advance(self, cursor: Cursor, sampler: Expected | Drawn) -> Pick | None:
        """Replay the calls from `cursor` until a counter takes the ticket waited for (id None)
        or, with newcomers, has nobody left; None when that never happens. The cursor is left
        just after that counter was taken from the heap."""
        state, now = self.state, self.state.now
        free, heads, pauses = cursor.free, cursor.heads, cursor.pauses
        taken, next_at = cursor.taken, cursor.next_at
        live, rated = self.live, self.rated
        fair = state.fairness_multiple > 0
        newcomers = self.newcomers
        while free and cursor.steps < MAX_STEPS:
            cursor.steps += 1
            at, i = heapq.heappop(free)
            pause = pauses.get(i)
            if pause and pause[0] <= at < pause[1]:
                del pauses[i]           # goes to lunch after this visit, back when it usually is
                heapq.heappush(free, (pause[1], i))
                continue
            rules = self.rules.get(i)
            if rules is not None:           # its profile decides (no virtual visitors here)
                picked = by_profile(self.live[i], rules, heads, at,
                                    cursor.turns.setdefault(i, []), self.fairness,
                                    ProfileBooked(self.booked, self.booked_for[i],
                                                  cursor.booked_taken, state.normal_rank,
                                                  newcomers))
                if picked is None:
                    if newcomers:
                        return at, i
                    continue
                service, tid = picked
                if tid is None:
                    return at, i
                heapq.heappush(free, (at + sampler.visit(service, tid), i))
                continue
            overdue = self._overdue(live[i], heads, at) if fair else None
            # A priority visitor likely to have come by now for a service of this counter goes
            # first (only those who would be called before the ticket have a rate).
            if at - now <= PRIORITY_HORIZON_S:
                rel = at - now
                # (a regular past its limit before a virtual visitor came goes first)
                virtual = next((s for s in rated[i] if next_at[s] <= rel and (
                    overdue is None or now + next_at[s] < overdue[2])), None)
                if virtual is not None:
                    vkey = sampler.virtual_key(virtual, taken[virtual])
                    taken[virtual] += 1
                    next_at[virtual] = sampler.arrival(virtual, taken[virtual])
                    heapq.heappush(free, (at + sampler.visit(virtual, vkey), i))
                    continue
            best: tuple[int, float, float] | None = None
            best_queue: list | None = None
            best_service = ""
            for s, prio, regular, ip, ir in live[i]:
                h = heads[ip]
                if h < len(prio):
                    q = prio
                else:
                    h = heads[ir]
                    if h >= len(regular):
                        continue
                    q = regular
                r, qa, tid = q[h]
                key = (r, qa, math.inf if tid is None else float(tid))
                if best is None or key < best:
                    best, best_queue, best_service = key, q, s
            bk = booked_turn(self.booked, self.booked_for[i], cursor.booked_taken, at,
                             None if best is None else best[0] < state.normal_rank, newcomers)
            if bk is not None:
                cursor.booked_taken.add(bk)
                _, booked_service, booked_key = self.booked[bk]
                if booked_key is None:
                    return at, i
                heapq.heappush(free, (at + sampler.visit(booked_service, booked_key), i))
                continue
            if best is None or best_queue is None:
                if newcomers:
                    return at, i
                continue                # nothing left for this counter
            if overdue is not None and best[0] < state.normal_rank and overdue[2] < best[1]:
                # it reached its limit before this priority ticket came
                best_service, best_queue, _ = overdue  # fairness: past its limit, first
            tid = best_queue[heads[id(best_queue)]][2]
            if tid is None:
                return at, i
            heads[id(best_queue)] += 1
            heapq.heappush(free, (at + sampler.visit(best_service, tid), i))
        return None


def estimate(state: QueueState, service: str, rank: int, queued_at: float | None = None,
             ticket_id: int | None = None, quick: bool = False) -> WaitEstimate:
    """The wait of a ticket of `service` and priority `rank`: the waiting one with `ticket_id`,
    or a new one queued now when `ticket_id` is None. `quick`: one replay with expected times
    instead of the drawn ones (a board's per-service "about", read dozens of times a minute)."""
    return as_printed(*wait_spread(state, service, rank, queued_at, ticket_id, quick))


def as_printed(seconds: float, low_s: float | None = None,
               high_s: float | None = None) -> WaitEstimate:
    """Whole minutes; a range (on a 5-minute grid) from RANGE_FROM_MIN on when the likely waits
    spread wider than 5 minutes. Positive seconds never print as 0."""
    if seconds <= 0:
        return WaitEstimate(0, 0, 0)
    point = max(1, round(seconds / 60))
    if point < RANGE_FROM_MIN or low_s is None or high_s is None:
        return WaitEstimate(point, point, point)
    # the likely waits on the 5-minute grid, at most 10 below and 15 above the point (a wider
    # range says nothing), always around the point
    low = max(5 * math.floor(low_s / 300), 5 * math.ceil((point - 10) / 5), 0)
    high = min(5 * math.ceil(high_s / 300), 5 * math.floor((point + 15) / 5))
    low, high = min(low, 5 * math.floor(point / 5)), max(high, 5 * math.ceil(point / 5))
    return WaitEstimate(point, low, high) if high > low else WaitEstimate(point, point, point)


def wait_seconds(state: QueueState, service: str, rank: int, queued_at: float | None = None,
                 ticket_id: int | None = None) -> float:
    """Seconds until a counter calls the ticket (the middle of the likely waits)."""
    return wait_spread(state, service, rank, queued_at, ticket_id)[0]


def wait_spread(state: QueueState, service: str, rank: int, queued_at: float | None = None,
                ticket_id: int | None = None,
                quick: bool = False) -> tuple[float, float | None, float | None]:
    """(likely seconds, low, high) until a counter calls the ticket, by replaying the call order
    (see the module): with expected times, and — when few visits stand between the ticket and
    its call, where the luck of one visit decides — DRAWS times with drawn visit times, taking
    the median (and the 20th and 80th percentiles for the range). A wait that is not 0 is at
    least SHORTEST_S (see the module)."""
    seconds, low, high = raw_spread(state, service, rank, queued_at, ticket_id, quick)
    if seconds <= 0:
        return seconds, low, high
    return max(seconds, SHORTEST_S), low, high


def raw_spread(state: QueueState, service: str, rank: int, queued_at: float | None,
            ticket_id: int | None, quick: bool) -> tuple[float, float | None, float | None]:
    replay = _prepare(state, service, rank, queued_at, ticket_id)
    if replay is None:
        return _no_counter(state, service, rank, queued_at, ticket_id), None, None
    times = VisitTimes(state)
    seconds, steps = replay.run(Expected(times, replay.rates))
    if seconds is None:
        return _no_counter(state, service, rank, queued_at, ticket_id), None, None
    if seconds <= 0 or quick:
        return spread(seconds, quick, [])
    seed = int(state.now)
    draws = DRAWS if steps <= DRAW_STEPS else LONG_DRAWS
    return spread(seconds, quick, [replay.run(Drawn(times, replay.rates, seed, j))[0]
                                   for j in range(draws)])


def spread(seconds: float, quick: bool, drawn: list[float | None]
           ) -> tuple[float, float | None, float | None]:
    """(likely seconds, low, high) from the replay with expected times (`seconds`, found) and
    those with drawn times: their median and 20th and 80th percentiles."""
    if seconds <= 0:
        return seconds, None, None
    if quick:
        return seconds, seconds * QUICK_RANGE[0], seconds * QUICK_RANGE[1]
    found = sorted(r for r in drawn if r is not None)
    if not found:
        return seconds, None, None
    pick = lambda q: found[min(len(found) - 1, int(q * len(found)))]  # noqa: E731
    return max(pick(0.5), 1.0), pick(0.2), pick(0.8)


def _prepare(state: QueueState, service: str, rank: int, queued_at: float | None,
             ticket_id: int | None) -> Replay | None:
    """The replay's starting point, or None when no counter that serves `service` is counted on."""
    entries: dict[str, list[Entry]] = {}
    mine_seen = False
    for t in state.waiting:
        mine = ticket_id is not None and t.id == ticket_id
        mine_seen = mine_seen or mine
        entries.setdefault(t.service, []).append((t.rank, t.queued_at, None if mine else t.id))
    booked = [(at, s, None if ticket_id is not None and tid == ticket_id else tid)
              for at, s, tid in state.booked]
    mine_seen = mine_seen or any(b[2] is None for b in booked)
    if not mine_seen:
        entries.setdefault(service, []).append(
            (rank, queued_at if queued_at is not None else state.now, None))
    counters = counted_on(state)
    if not any(service in c.services for _, c in counters):
        return None
    return Replay(state, in_call_order(state, entries), counters, priority_rates(state, rank),
                  booked=booked)


def in_call_order(state: QueueState, entries: dict[str, list[Entry]]
                  ) -> dict[str, tuple[list[Entry], list[Entry]]]:
    """Each service's tickets as (its priority ones, its regular ones), each in call order (a
    ticket waited for, id None, last among equals)."""
    queues: dict[str, tuple[list[Entry], list[Entry]]] = {}
    for s, q in entries.items():
        q.sort(key=lambda e: (e[0], e[1], math.inf if e[2] is None else e[2]))
        queues[s] = ([e for e in q if e[0] < state.normal_rank],
                     [e for e in q if e[0] >= state.normal_rank])
    return queues


def counted_on(state: QueueState) -> list[tuple[int, CounterNow]]:
    """The counters the replay counts on, with their index in the state."""
    return [(i, c) for i, c in enumerate(state.counters) if _available(state, c) is not None]


def _available(state: QueueState, c: CounterNow) -> float | None:
    """From when counter `c` takes visitors (now, the end of its pause, its usual opening), or
    None when it is not counted on: closed and not about to open by habit, or paused for longer
    than a pause lasts."""
    now = state.now
    if c.mode == "closed":
        if c.opens_at is None or not now - LATE_OPEN_S <= c.opens_at <= now + SOON_OPEN_S:
            return None             # not about to open (at most finishing its last visit)
        return max(c.opens_at, now + 60)
    if c.mode == "paused":
        since = c.mode_since or now
        if c.pause and c.pause[0] - LATE_PAUSE_S <= since < c.pause[1] and c.pause[1] > now:
            back = c.pause[1]       # its usual lunch: back when it usually is
        else:
            back = since + state.pause_min * 60
        return back if back > now else None
    return now


def _no_counter(state: QueueState, service: str, rank: int, queued_at: float | None,
                ticket_id: int | None) -> float:
    """No counter that serves the service is open (before sign-in, all at lunch, closed): the
    counters configured for it are expected to open within OPENING_DELAY_S (the paused ones when
    their pause ends) and the call order is replayed over them. Never "no wait"."""
    if closed_for(state, service):
        replay = _prepare(opening(state), service, rank, queued_at, ticket_id)
        found = replay.run(Expected(VisitTimes(state), replay.rates))[0] if replay else None
        return when_open(found)
    return when_open(None)
