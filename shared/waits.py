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
visit times up, and a skewed time's mean is what adds up."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

WALK_UP_S = 45.0              # prior for call → start when nothing is measured yet
PRIOR_WEIGHT = 4.0            # the configured minutes count as this many measured visits
RECENT_WINDOW_S = 3600.0      # priority arrivals are counted over the last hour
MIN_REMAINING_S = 30.0        # a visit in progress needs at least this much longer
RANGE_FROM_MIN = 10           # from this point on, a range is printed rather than a point
LATE_OPEN_S = 20 * 60         # a counter still closed this long after it usually opens is not coming
LATE_PAUSE_S = 20 * 60        # a pause taken up to this much earlier than usual is the usual one
OPENING_DELAY_S = 300.0       # a closed counter, when none serving the service is open, opens within this


@dataclass(frozen=True)
class WaitingTicket:
    """A ticket waiting to be called, as the queue orders them."""

    id: int
    service: str
    rank: int                 # priority rank: lower is called first
    queued_at: float          # epoch seconds


@dataclass(frozen=True)
class CounterNow:
    """A counter as it is now."""

    id: str
    services: tuple[str, ...]
    mode: str                 # open | paused | closed
    visit_service: str | None = None   # the service of the visitor at the counter, if any
    visit_since: float | None = None   # when that visitor was called (epoch)
    mode_since: float | None = None    # when the counter was paused (epoch)
    opens_at: float | None = None      # when it usually opens today (epoch), from its habits
    pause: tuple[float, float] | None = None  # its usual pause today (epoch start, end)


@dataclass(frozen=True)
class QueueState:
    """Everything the estimate reads, gathered by the queue in one read."""

    now: float
    waiting: Sequence[WaitingTicket]            # in call order
    counters: Sequence[CounterNow]
    visits: dict[str, Sequence[float]]          # service → recent visit seconds (call → end)
    service_min: dict[str, float]               # service → configured minutes (the prior)
    recent_priority: Sequence[tuple[str, int, float]] = ()  # (service, rank, issued_at)
    pause_min: float = 45.0                     # how long a pause usually lasts
    normal_rank: int = 1000
    fairness_multiple: float = 0.0              # > 0: the fairness rule with this multiple
    target_min: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class WaitEstimate:
    """The printed wait: a point and the range around it (equal when no range is needed)."""

    minutes: int
    low: int
    high: int

    @property
    def is_range(self) -> bool:
        return self.high > self.low


class VisitTimes:
    """Mean visit time and the expected rest of a visit in progress, per service."""

    def __init__(self, state: QueueState):
        self.state = state
        self._mean: dict[str, float] = {}

    def mean(self, service: str) -> float:
        if service not in self._mean:
            prior = self.state.service_min.get(service, 7.0) * 60 + WALK_UP_S
            samples = self.state.visits.get(service, ())
            self._mean[service] = (sum(samples) + PRIOR_WEIGHT * prior) / (len(samples) + PRIOR_WEIGHT)
        return self._mean[service]

    def remaining(self, service: str, elapsed: float) -> float:
        """Expected seconds a visit that has lasted `elapsed` still needs: the mean excess of
        the recent visits longer than that, shrunk towards a lognormal-like tail guess."""
        samples = [s - elapsed for s in self.state.visits.get(service, ()) if s > elapsed]
        mean = self.mean(service)
        tail = max(mean - elapsed, mean * 0.35)
        if samples:
            k = len(samples)
            guess = (sum(samples) + 2 * tail) / (k + 2)
        else:
            guess = tail
        return max(MIN_REMAINING_S, guess)


def _priority_rates(state: QueueState, rank: int) -> dict[str, float]:
    """Arrivals per second, per service, of priority visitors who would be called before a
    ticket of `rank`, at the rate of the last hour."""
    rates: dict[str, float] = {}
    since = state.now - RECENT_WINDOW_S
    for service, r, at in state.recent_priority:
        if r < rank and at >= since:
            rates[service] = rates.get(service, 0.0) + 1 / RECENT_WINDOW_S
    return rates


def estimate(state: QueueState, service: str, rank: int, queued_at: float | None = None,
             ticket_id: int | None = None) -> WaitEstimate:
    """The wait of a ticket of `service` and priority `rank`: the waiting one with `ticket_id`,
    or a new one queued now when `ticket_id` is None."""
    seconds = wait_seconds(state, service, rank, queued_at, ticket_id)
    return as_printed(seconds)


def as_printed(seconds: float) -> WaitEstimate:
    """Whole minutes, and a range from RANGE_FROM_MIN on: 5 minutes wide up to 25 min, then 10,
    then 15. Positive seconds never print as 0."""
    if seconds <= 0:
        return WaitEstimate(0, 0, 0)
    point = max(1, round(seconds / 60))
    if point < RANGE_FROM_MIN:
        return WaitEstimate(point, point, point)
    width = 5 if point < 25 else 10 if point < 45 else 15
    low = max(RANGE_FROM_MIN - 5, 5 * round((point - width / 2) / 5))
    low = min(low, point)
    high = max(low + width, point)
    return WaitEstimate(point, low, high)


def wait_seconds(state: QueueState, service: str, rank: int, queued_at: float | None = None,
                 ticket_id: int | None = None) -> float:
    """Seconds until a counter calls the ticket, by replaying the call order (see the module)."""
    now = state.now
    times = VisitTimes(state)
    # Who is ahead, per service, in call order; the ticket itself is marked None.
    queues: dict[str, list[tuple[int, float, int | None]]] = {}
    mine_seen = False
    for t in state.waiting:
        if ticket_id is not None and t.id == ticket_id:
            mine_seen = True
            queues.setdefault(t.service, []).append((t.rank, t.queued_at, None))
            continue
        queues.setdefault(t.service, []).append((t.rank, t.queued_at, t.id))
    if not mine_seen:
        queues.setdefault(service, []).append((rank, queued_at if queued_at is not None else now, None))
    for q in queues.values():
        q.sort(key=lambda e: (e[0], e[1], math.inf if e[2] is None else e[2]))
    heads = dict.fromkeys(queues, 0)

    # Counters: when each is first free to call, and the pause each is still likely to take.
    free: list[tuple[float, int, tuple[str, ...]]] = []
    pauses: dict[int, tuple[float, float]] = {}
    serving_open = False
    for i, c in enumerate(state.counters):
        at = _first_free(state, c, times)
        if at is None:
            continue
        if service in c.services:
            serving_open = True
        if c.pause and c.mode == "open" and c.pause[1] > now and c.pause[0] > now - LATE_PAUSE_S:
            pauses[i] = c.pause
        free.append((at, i, c.services))
    if not serving_open:
        return _no_counter(state, service, rank, queued_at, ticket_id)
    heapq.heapify(free)

    rates = _priority_rates(state, rank)
    arrived: dict[str, float] = dict.fromkeys(rates, 0.0)   # virtual priority visitors taken

    while free:
        at, i, services = heapq.heappop(free)
        pause = pauses.get(i)
        if pause and pause[0] <= at < pause[1]:
            del pauses[i]           # goes to lunch after this visit, back when it usually is
            heapq.heappush(free, (pause[1], i, services))
            continue
        # A priority visitor expected to have arrived by now, for a service of this counter,
        # goes first (only those who would be called before the ticket: rate > 0).
        best_virtual = None
        for s in services:
            rate = rates.get(s)
            if rate and (at - now) * rate - arrived[s] >= 0.5:
                best_virtual = s
                break
        if best_virtual is not None:
            arrived[best_virtual] += 1.0
            heapq.heappush(free, (at + times.mean(best_virtual), i, services))
            continue
        best: tuple[int, float, float] | None = None
        best_service = None
        for s in services:
            q = queues.get(s)
            if q is None or heads[s] >= len(q):
                continue
            r, qa, tid = q[heads[s]]
            key = (r, qa, math.inf if tid is None else float(tid))
            if state.fairness_multiple > 0:
                key = _fair_key(state, s, key, at)
            if best is None or key < best:
                best, best_service = key, s
        if best_service is None:
            continue                # nothing left for this counter
        r, qa, tid = queues[best_service][heads[best_service]]
        heads[best_service] += 1
        if tid is None:
            return at - now
        heapq.heappush(free, (at + times.mean(best_service), i, services))
    return _no_counter(state, service, rank, queued_at, ticket_id)


def _first_free(state: QueueState, c: CounterNow, times: VisitTimes) -> float | None:
    """When counter `c` can first call someone, or None when it is not counted on: closed (and
    not about to open by habit), or paused for longer than a pause lasts."""
    now = state.now
    at = now
    if c.visit_service is not None and c.visit_since is not None:
        at = now + times.remaining(c.visit_service, max(0.0, now - c.visit_since))
    if c.mode == "closed":
        if c.opens_at is None or now > c.opens_at + LATE_OPEN_S:
            return None             # finishing its last visit at most, then gone
        return max(at, c.opens_at, now + 60)
    if c.mode == "paused":
        since = c.mode_since or now
        if c.pause and c.pause[0] - LATE_PAUSE_S <= since < c.pause[1] and c.pause[1] > now:
            back = c.pause[1]       # its usual lunch: back when it usually is
        else:
            back = since + state.pause_min * 60
        if back <= now:
            return None             # paused longer than a pause lasts: not counted on
        return max(at, back)
    return at


def _fair_key(state: QueueState, service: str, key: tuple[int, float, float],
              at: float) -> tuple[int, float, float]:
    """Under the fairness rule, a regular ticket waiting past its limit ranks with the priority
    classes (by queue time), so newer priority tickets do not pass it."""
    rank, queued_at, tid = key
    limit = state.fairness_multiple * state.target_min.get(service, 10.0) * 60
    if rank >= state.normal_rank and at - queued_at >= limit:
        return (-1, queued_at, tid)
    return key


def _no_counter(state: QueueState, service: str, rank: int, queued_at: float | None,
                ticket_id: int | None) -> float:
    """No counter that serves the service is open (before sign-in, all at lunch, closed): the
    counters configured for it are expected to open within OPENING_DELAY_S (the paused ones when
    their pause ends) and the call order is replayed over them. Never "no wait"."""
    if any(c.mode == "closed" and service in c.services for c in state.counters):
        opening = [c if c.mode != "closed" else
                   CounterNow(c.id, c.services, "paused", c.visit_service, c.visit_since,
                              state.now + OPENING_DELAY_S - state.pause_min * 60)
                   for c in state.counters]
        seconds = wait_seconds(replace(state, counters=opening), service, rank, queued_at,
                               ticket_id)
    else:
        seconds = OPENING_DELAY_S
    return max(60.0, seconds)


def visits_by_service(rows: Iterable[tuple[str, float]]) -> dict[str, list[float]]:
    """(service, seconds) rows grouped by service, only positive durations."""
    out: dict[str, list[float]] = {}
    for service, seconds in rows:
        if seconds and seconds > 0:
            out.setdefault(service, []).append(float(seconds))
    return out
