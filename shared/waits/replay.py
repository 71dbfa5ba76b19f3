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

import bisect
import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from shared.core.fairness import joins_priority_at

WALK_UP_S = 45.0              # prior for call → start when nothing is measured yet
PRIOR_WEIGHT = 4.0            # the configured minutes count as this many measured visits
RECENT_WINDOW_S = 3600.0      # priority arrivals are counted over the last hour
MIN_REMAINING_S = 30.0        # a visit in progress needs at least this much longer
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
MIN_DRAWN = 5                 # recent visits needed to draw from them
OPENING_DELAY_S = 300.0       # a closed counter, when none serving the service is open, opens within this
SHORTEST_S = 120.0            # a wait that is not 0 prints as at least this (see below)


Entry = tuple[int, float, int | None]   # a waiting ticket in the replay: rank, queue time, id


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
    visit_started: float | None = None  # when their visit started (epoch), None while called
    mode_since: float | None = None    # when the counter was paused (epoch)
    opens_at: float | None = None      # when it usually opens today (epoch), from its habits
    pause: tuple[float, float] | None = None  # its usual pause today (epoch start, end)


@dataclass(frozen=True)
class QueueState:
    """Everything the estimate reads, gathered by the queue in one read."""

    now: float
    waiting: Sequence[WaitingTicket]            # in call order
    counters: Sequence[CounterNow]
    visits: Mapping[str, Sequence[float]]       # service → recent visit seconds (call → end)
    service_min: dict[str, float]               # service → configured minutes (the prior)
    recent_priority: Sequence[tuple[str, int, float]] = ()  # (service, rank, issued_at)
    pause_min: float = 45.0                     # how long a pause usually lasts
    normal_rank: int = 1000
    fairness_multiple: float = 0.0              # > 0: the fairness rule with this multiple
    target_min: dict[str, float] = field(default_factory=dict)
    service_s: Mapping[str, Sequence[float]] = field(default_factory=dict)  # start → finish
    walk_ups_s: Sequence[float] = ()            # call → start of recent visits
    no_shows_s: Sequence[float] = ()            # call → no-show of recent no-shows
    # the pooled visit-time shapes (VisitTimes.shape), worked out once: the queue passes the
    # same dict to every state made from the same recent visits and configured minutes
    shapes: dict[str, list[float]] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class WaitEstimate:
    """The printed wait: a point and the range around it (equal when no range is needed).
    `no_counter_open`: no counter that serves the service is open now (none signed in yet, or
    all paused) — the minutes are a guess nobody should be promised: ticket, kiosk, board and
    phone say so in words instead (shared/waits/text.py), with `opens_at` ("09:00") when the
    centre opens later today."""

    minutes: int
    low: int
    high: int
    no_counter_open: bool = False
    opens_at: str | None = None

    @property
    def is_range(self) -> bool:
        return self.high > self.low


@dataclass(frozen=True)
class Longer:
    """Recent durations longer than a visit in progress has lasted, to draw its rest from: the
    `count` sorted `ratios` from `lo` on, times `scale` seconds."""

    ratios: Sequence[float]
    lo: int
    scale: float
    count: int

    def pick(self, u: float) -> float:
        """The duration at quantile `u` (0 ≤ u < 1) of the longer ones."""
        return self.ratios[self.lo + int(u * self.count)] * self.scale


NOTHING_LONGER = Longer((), 0, 1.0, 0)


@dataclass(frozen=True)
class RestParts:
    """The rest of a visit in progress, ready to draw: the recent durations longer than it has
    lasted and the expected rest (of the service once started; of the walk-up while called,
    with the chance and rest of a no-show)."""

    kind: str                       # plain | serving | called
    elapsed: float
    longer: Longer
    expected: float
    no_show_chance: float = 0.0
    longer_no_show: Longer = NOTHING_LONGER
    expected_no_show: float = 0.0


class VisitTimes:
    """Mean visit time and the expected rest of a visit in progress, per service.

    Visit times of one service are few (a small service sees a dozen visits a day), so their
    shape is learned from all services at once: every recent duration divided by its service's
    mean, pooled. A service's draws are that pooled shape times its own mean (its recent visits,
    shrunk towards its configured minutes); the rest of a visit in progress is drawn from the
    pooled durations longer than it has lasted. Walk-ups and no-shows are pooled as they are."""

    def __init__(self, state: QueueState):
        self.state = state
        self._mean: dict[str, float] = {}
        self._service_mean: dict[str, float] = {}
        self._rests: dict[str, RestParts] = {}
        self.service_numbers = {s: k for k, s in enumerate(sorted(state.service_min))}

    def shape(self, kind: str) -> list[float]:
        """Sorted ratios of recent durations to their service's mean, all services pooled:
        `service` (start → finish), `visit` (call → end), or as they are: `walk_up`, `no_show`.
        Kept in the state's `shapes`, which the queue shares between estimates while the recent
        visits and the configured minutes stay the same."""
        shapes = self.state.shapes
        if kind not in shapes:
            state = self.state
            if kind == "service":
                ratios = [v / self.service_mean(s) for s, vs in state.service_s.items() for v in vs]
            elif kind == "visit":
                ratios = [v / self.mean(s) for s, vs in state.visits.items() for v in vs]
            else:
                ratios = list(state.walk_ups_s if kind == "walk_up" else state.no_shows_s)
            shapes[kind] = sorted(ratios)
        return shapes[kind]

    def longer(self, kind: str, scale: float, elapsed: float) -> Longer:
        ratios = self.shape(kind)
        lo = bisect.bisect_right(ratios, elapsed / scale)
        return Longer(ratios, lo, scale, len(ratios) - lo)

    def rest_parts(self, c: CounterNow, now: float) -> RestParts:
        """What drawing the rest of counter `c`'s visit needs, worked out once per estimate."""
        if c.id in self._rests:
            return self._rests[c.id]
        state, service = self.state, c.visit_service or ""
        since = c.visit_since if c.visit_since is not None else now
        called_for = max(0.0, now - since)
        if not state.service_s.get(service) and not state.walk_ups_s:
            parts = RestParts("plain", called_for,
                              self.longer("visit", self.mean(service), called_for),
                              self.remaining(service, called_for))
        elif c.visit_started is not None:
            elapsed = max(0.0, now - c.visit_started)
            samples = state.service_s.get(service, ())
            parts = RestParts("serving", elapsed,
                              self.longer("service", self.service_mean(service), elapsed),
                              _excess(samples, elapsed, self.service_mean(service)))
        else:
            parts = RestParts(
                "called", called_for, self.longer("walk_up", 1.0, called_for),
                _excess(state.walk_ups_s, called_for, WALK_UP_S),
                self.no_show_chance(called_for),
                self.longer("no_show", 1.0, called_for),
                _excess(state.no_shows_s, called_for, 120.0))
        self._rests[c.id] = parts
        return parts

    def mean(self, service: str) -> float:
        if service not in self._mean:
            prior = self.state.service_min.get(service, 7.0) * 60 + WALK_UP_S
            samples = self.state.visits.get(service, ())
            self._mean[service] = (sum(samples) + PRIOR_WEIGHT * prior) / (len(samples) + PRIOR_WEIGHT)
        return self._mean[service]

    def samples(self, service: str) -> Sequence[float]:
        return self.state.visits.get(service, ())

    def remaining(self, service: str, elapsed: float) -> float:
        """Expected seconds a visit that has lasted `elapsed` (since the call) still needs."""
        return _excess(self.state.visits.get(service, ()), elapsed, self.mean(service))

    def no_show_chance(self, called_for: float) -> float:
        """How likely a visitor called `called_for` seconds ago and not yet at the window is a
        no-show: the recent no-show share, weighed against the walk-ups that take that long."""
        walks, gone = self.state.walk_ups_s, self.state.no_shows_s
        if not walks and not gone:
            return 0.0
        share = len(gone) / (len(gone) + len(walks))
        still_walking = (sum(1 for w in walks if w > called_for) + 0.5) / (len(walks) + 1)
        return share / (share + (1 - share) * still_walking)

    def service_mean(self, service: str) -> float:
        if service not in self._service_mean:
            samples = self.state.service_s.get(service, ())
            prior = self.state.service_min.get(service, 7.0) * 60
            self._service_mean[service] = ((sum(samples) + PRIOR_WEIGHT * prior)
                                           / (len(samples) + PRIOR_WEIGHT))
        return self._service_mean[service]

    def rest_of(self, c: CounterNow, now: float) -> float:
        """Expected seconds the visit at counter `c` still needs: the rest of its service once
        started; while called, the rest of a no-show wait or of the walk-up and the service."""
        service = c.visit_service or ""
        since = c.visit_since if c.visit_since is not None else now
        if not self.state.service_s.get(service) and not self.state.walk_ups_s:
            return self.remaining(service, max(0.0, now - since))
        if c.visit_started is not None:
            return max(MIN_REMAINING_S, _excess(self.state.service_s.get(service, ()),
                                                 max(0.0, now - c.visit_started),
                                                 self.service_mean(service)))
        called_for = max(0.0, now - since)
        gone = self.no_show_chance(called_for)
        no_show_rest = _excess(self.state.no_shows_s, called_for, 120.0)
        walk_rest = _excess(self.state.walk_ups_s, called_for, WALK_UP_S)
        return max(MIN_REMAINING_S, gone * no_show_rest
                   + (1 - gone) * (walk_rest + self.service_mean(service)))


def _excess(samples: Sequence[float], elapsed: float, mean: float) -> float:
    """Expected rest of a duration that has lasted `elapsed`: the mean excess of the samples
    longer than that, shrunk towards a tail guess when few are."""
    longer = [v - elapsed for v in samples if v > elapsed]
    tail = max(mean - elapsed, mean * 0.35, 1.0)
    if longer:
        return (sum(longer) + 2 * tail) / (len(longer) + 2)
    return tail


def _priority_rates(state: QueueState, rank: int) -> dict[str, float]:
    """Arrivals per second, per service, of priority visitors who would be called before a
    ticket of `rank`, at the rate of the last hour."""
    rates: dict[str, float] = {}
    since = state.now - RECENT_WINDOW_S
    for service, r, at in state.recent_priority:
        if r < rank and at >= since:
            rates[service] = rates.get(service, 0.0) + 1 / RECENT_WINDOW_S
    return rates


class _Expected:
    """Replays with expected times: the mean visit, the expected rest of a visit in progress,
    priority visitors arriving evenly at their rate."""

    def __init__(self, times: VisitTimes, rates: dict[str, float]):
        self.times = times
        self.rates = rates

    def rest_of(self, c: CounterNow, now: float, key: int) -> float:
        return self.times.rest_of(c, now)

    def visit(self, service: str, key: int) -> float:
        return self.times.mean(service)

    def virtual_key(self, service: str, k: int) -> int:
        return 0

    def arrival(self, service: str, k: int) -> float:
        """Seconds from now until the k-th (0-based) priority visitor of `service`."""
        return (k + 0.5) / self.rates[service]


_MASK = (1 << 64) - 1


def _unit(*keys: int) -> float:
    """A uniform number in [0, 1) fixed by integer keys (splitmix64 over them): the same draw for
    the same visitor in every replay, whoever else is in the queue."""
    x = 0x9E3779B97F4A7C15
    for k in keys:
        x = (x ^ (k & _MASK)) * 0xBF58476D1CE4E5B9 & _MASK
        x = (x ^ (x >> 31)) * 0x94D049BB133111EB & _MASK
        x ^= x >> 29
    return (x >> 11) / float(1 << 53)


class _Drawn:
    """Replays with drawn times: recent visits of the service drawn at random (the ones longer
    than a visit in progress has lasted, for its rest), priority arrivals as a Poisson stream.
    Draw `j` gives each ticket, counter and arrival its own fixed numbers, so one more person
    ahead never makes anyone else's draw shorter."""

    def __init__(self, times: VisitTimes, rates: dict[str, float], seed: int, j: int):
        self.times = times
        self.rates = rates
        self.seed, self.j = seed, j
        self._base = int(_unit(seed, j) * (1 << 53))
        self._arrivals: dict[str, list[float]] = {}
        self._service_no = times.service_numbers

    def _u(self, key: int, slot: int) -> float:
        return _unit(self._base, key * 8 + slot)

    def _draw_service(self, service: str, u: float) -> float:
        shape = self.times.shape("service")
        if len(shape) >= MIN_DRAWN:
            return shape[int(u * len(shape))] * self.times.service_mean(service)
        return self.times.service_mean(service) * (0.5 + u)

    def rest_of(self, c: CounterNow, now: float, key: int) -> float:
        p = self.times.rest_parts(c, now)
        key = -1_000_000 - key
        if p.kind != "called":
            return self._pick_rest(p.longer, p.elapsed, p.expected, self._u(key, 0))
        if self._u(key, 1) < p.no_show_chance:
            return self._pick_rest(p.longer_no_show, p.elapsed, p.expected_no_show,
                                   self._u(key, 0))
        walk = self._pick_rest(p.longer, p.elapsed, p.expected, self._u(key, 0))
        return walk + self._draw_service(c.visit_service or "", self._u(key, 2))

    def _pick_rest(self, longer: Longer, elapsed: float, expected: float, u: float) -> float:
        if longer.count >= MIN_DRAWN:
            return max(MIN_REMAINING_S / 2, longer.pick(u) - elapsed)
        return expected * (0.4 + 1.2 * u)

    def visit(self, service: str, key: int) -> float:
        u = self._u(key, 3)
        shape = self.times.shape("visit")
        if len(shape) >= MIN_DRAWN:
            return shape[int(u * len(shape))] * self.times.mean(service)
        return self.times.mean(service) * (0.5 + u)

    def arrival(self, service: str, k: int) -> float:
        seen = self._arrivals.setdefault(service, [])
        base = -2_000_000 - 10_000 * self._service_no.get(service, 0)
        while len(seen) <= k:
            u = self._u(base - len(seen), 4)
            seen.append((seen[-1] if seen else 0.0) - math.log(1.0 - u) / self.rates[service])
        return seen[k]

    def virtual_key(self, service: str, k: int) -> int:
        return -3_000_000 - 10_000 * self._service_no.get(service, 0) - k


@dataclass
class _Replay:
    """The call order to replay: queues per service, counters and when each is first free."""

    state: QueueState
    # per service: its priority tickets, then its regular ones, each in call order; the
    # ticket asked about has id None
    queues: dict[str, tuple[list[Entry], list[Entry]]]
    counters: list[tuple[int, CounterNow]]                   # (index, counter) counted on
    rates: dict[str, float]
    live: dict[int, list[tuple[str, list[Entry], list[Entry]]]] = field(default_factory=dict)
    rated: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, c in self.counters:
            self.live[i] = [(s, self.queues[s][0], self.queues[s][1]) for s in c.services
                            if s in self.queues]
            self.rated[i] = [s for s in c.services if s in self.rates]

    def _overdue(self, live: list[tuple[str, list, list]], heads: dict[int, int],
                 at: float) -> tuple[str, list[tuple[int, float, int | None]], float] | None:
        """The regular ticket that reached its fairness limit first among a counter's queues
        (and has by `at`): (its service, its list, when it joined the priority line), or None."""
        found = None
        for s, _, regular in live:
            if heads[id(regular)] < len(regular):
                _, qa, _ = regular[heads[id(regular)]]
                joined = joins_priority_at(qa, self.state.target_min.get(s, 10.0),
                                           self.state.fairness_multiple)
                if joined <= at and (found is None or joined < found[2]):
                    found = (s, regular, joined)
        return found

    def run(self, sampler: _Expected | _Drawn) -> tuple[float | None, int]:
        """(seconds until the ticket is called or None if no counter calls it, steps taken)."""
        state, now = self.state, self.state.now
        lists = [q for qs in self.queues.values() for q in qs]
        heads = dict.fromkeys(map(id, lists), 0)
        free: list[tuple[float, int]] = []
        pauses: dict[int, tuple[float, float]] = {}
        live, rated = self.live, self.rated
        for i, c in self.counters:
            at = now
            if c.visit_service is not None:
                at = now + sampler.rest_of(c, now, i)
            available = _available(state, c)
            free.append((at if available is None else max(at, available), i))
            if c.pause and c.mode == "open" and c.pause[1] > now and c.pause[0] > now - LATE_PAUSE_S:
                pauses[i] = c.pause
        heapq.heapify(free)
        taken = dict.fromkeys(self.rates, 0)     # priority visitors to come, taken so far
        next_at = {s: sampler.arrival(s, 0) for s in self.rates}
        fair = state.fairness_multiple > 0
        steps = 0
        while free and steps < MAX_STEPS:
            steps += 1
            at, i = heapq.heappop(free)
            pause = pauses.get(i)
            if pause and pause[0] <= at < pause[1]:
                del pauses[i]           # goes to lunch after this visit, back when it usually is
                heapq.heappush(free, (pause[1], i))
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
            for s, prio, regular in live[i]:
                q = prio if heads[id(prio)] < len(prio) else regular
                h = heads[id(q)]
                if h < len(q):
                    r, qa, tid = q[h]
                    key = (r, qa, math.inf if tid is None else float(tid))
                    if best is None or key < best:
                        best, best_queue, best_service = key, q, s
            if best is None or best_queue is None:
                continue                # nothing left for this counter
            if overdue is not None and best[0] < state.normal_rank and overdue[2] < best[1]:
                # it reached its limit before this priority ticket came
                best_service, best_queue, _ = overdue  # fairness: past its limit, first
            tid = best_queue[heads[id(best_queue)]][2]
            heads[id(best_queue)] += 1
            if tid is None:
                return at - now, steps
            heapq.heappush(free, (at + sampler.visit(best_service, tid), i))
        return None, steps


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
    seconds, low, high = _spread(state, service, rank, queued_at, ticket_id, quick)
    if seconds <= 0:
        return seconds, low, high
    return max(seconds, SHORTEST_S), low, high


def _spread(state: QueueState, service: str, rank: int, queued_at: float | None,
            ticket_id: int | None, quick: bool) -> tuple[float, float | None, float | None]:
    replay = _prepare(state, service, rank, queued_at, ticket_id)
    if replay is None:
        return _no_counter(state, service, rank, queued_at, ticket_id), None, None
    times = VisitTimes(state)
    seconds, steps = replay.run(_Expected(times, replay.rates))
    if seconds is None:
        return _no_counter(state, service, rank, queued_at, ticket_id), None, None
    if seconds <= 0:
        return seconds, None, None
    if quick:
        return seconds, seconds * QUICK_RANGE[0], seconds * QUICK_RANGE[1]
    seed = int(state.now)
    draws = DRAWS if steps <= DRAW_STEPS else LONG_DRAWS
    drawn = sorted(r for r in (replay.run(_Drawn(times, replay.rates, seed, j))[0]
                               for j in range(draws)) if r is not None)
    if not drawn:
        return seconds, None, None
    pick = lambda q: drawn[min(len(drawn) - 1, int(q * len(drawn)))]  # noqa: E731
    return max(pick(0.5), 1.0), pick(0.2), pick(0.8)


def _prepare(state: QueueState, service: str, rank: int, queued_at: float | None,
             ticket_id: int | None) -> _Replay | None:
    """The replay's starting point, or None when no counter that serves `service` is counted on."""
    now = state.now
    entries: dict[str, list[Entry]] = {}
    mine_seen = False
    for t in state.waiting:
        mine = ticket_id is not None and t.id == ticket_id
        mine_seen = mine_seen or mine
        entries.setdefault(t.service, []).append((t.rank, t.queued_at, None if mine else t.id))
    if not mine_seen:
        entries.setdefault(service, []).append((rank, queued_at if queued_at is not None else now, None))
    queues: dict[str, tuple[list[Entry], list[Entry]]] = {}
    for s, q in entries.items():
        q.sort(key=lambda e: (e[0], e[1], math.inf if e[2] is None else e[2]))
        queues[s] = ([e for e in q if e[0] < state.normal_rank], [e for e in q if e[0] >= state.normal_rank])
    counters = [(i, c) for i, c in enumerate(state.counters) if _available(state, c) is not None]
    if not any(service in c.services for _, c in counters):
        return None
    return _Replay(state, queues, counters, _priority_rates(state, rank))


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
    if any(c.mode == "closed" and service in c.services for c in state.counters):
        opening = [c if c.mode != "closed" else
                   replace(c, mode="paused", pause=None,
                           mode_since=state.now + OPENING_DELAY_S - state.pause_min * 60)
                   for c in state.counters]
        replay = _prepare(replace(state, counters=opening), service, rank, queued_at, ticket_id)
        found = replay.run(_Expected(VisitTimes(state), replay.rates))[0] if replay else None
        seconds = found if found is not None else OPENING_DELAY_S
    else:
        seconds = OPENING_DELAY_S
    return max(60.0, seconds)


@dataclass(frozen=True)
class RecentVisits:
    """Recent visit times, as the estimate reads them."""

    visits: dict[str, list[float]]      # service → call → end (walk-up, service or no-show)
    service: dict[str, list[float]]     # service → start (else call, no Start) → finish
    walk_ups: list[float]               # call → start, all services
    no_shows: list[float]               # call → no-show, all services


def recent_visits(rows: Iterable[tuple[str, str, float, float | None, float]],
                  per_service: int = 30, pooled: int = 200) -> RecentVisits:
    """RecentVisits from (service, status, called_at, started_at, finished_at) rows, newest
    first: `per_service` visits of each service, `pooled` walk-ups and no-shows."""
    visits: dict[str, list[float]] = {}
    service: dict[str, list[float]] = {}
    walks: list[float] = []
    gone: list[float] = []
    for sid, status, called, started, finished in rows:
        if finished is None or called is None or finished <= called:
            continue
        v = visits.setdefault(sid, [])
        if len(v) < per_service:
            v.append(finished - called)
        if status == "no_show":
            if len(gone) < pooled:
                gone.append(finished - called)
            continue
        sv = service.setdefault(sid, [])
        if started is None:             # nobody pressed Start: the visit runs from its call
            if len(sv) < per_service:
                sv.append(finished - called)
        elif started >= called:
            if len(sv) < per_service and finished > started:
                sv.append(finished - started)
            if len(walks) < pooled:
                walks.append(started - called)
    return RecentVisits(visits, service, walks, gone)
