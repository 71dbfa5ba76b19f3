"""What a visitor of no priority class arriving now would wait, for every service at once —
what a ticket prints and a board shows, at a cost that does not grow with the queue.

One replay (shared/waits/replay.py) gives every service's wait: a newcomer comes after every
real ticket, so the first counter serving a service to have nobody real left calls its newcomer;
the replay notes the newcomers of all the services of each counter that runs out, at that time.

The queue keeps one such replay for a few seconds (shared/waits/reading.py). Tickets that arrive
meanwhile (issued, or transferred into a service) are not replayed: each adds its service's
mean visit to the work of the counters that serve it, shared between them, and the newcomer of
a service waits for the part of that work falling on its own counters (`arrived`, `extra_s`) —
the replay's first-order change, worked out in constant time. A newcomer at most EXACT_STEPS
calls away is replayed again instead (`outdated`): a short wait is where a share of work says
least (a counter found free), and that replay is short. Replaying them instead cost a
stretch of the replay per ticket that grew with the queue (bench/queue_ops.py: 0.07–0.22 of a
raw-SQLite issue at 1,500 waiting).

With the fairness rule on, a newcomer past its limit would hold back priority visitors to come
for the other services' newcomers too, which their own replays do not: then each service is
replayed on its own (still once per state, not per read); so too while a counter runs a work
profile with backup services or a quota (its newcomer may go before real tickets)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from shared.waits.draws import Drawn, Expected
from shared.waits.replay import (
    DRAW_STEPS,
    DRAWS,
    LONG_DRAWS,
    SHORTEST_S,
    Cursor,
    Replay,
    as_printed,
    closed_for,
    counted_on,
    in_call_order,
    opening,
    priority_rates,
    raw_spread,
    spread,
    when_open,
)
from shared.waits.state import Entry, QueueState, WaitEstimate
from shared.waits.visit_times import VisitTimes

EXACT_STEPS = 24      # a newcomer this few calls away is replayed again after an arrival


@dataclass
class _Noted:
    """A counter that ran out of people to call: when (the wait of a newcomer of each of its
    services not noted before), the steps it took, the counter and the replay just before."""

    seconds: float
    steps: int
    counter: int
    before: Cursor


@dataclass
class _Run:
    """One replay of the newcomers (expected or drawn times), run only as far as asked."""

    replay: Replay
    sampler: Expected | Drawn
    cursor: Cursor
    notes: list[_Noted] = field(default_factory=list)       # in the replay's order
    noted: dict[str, _Noted] = field(default_factory=dict)  # service → its newcomer's note
    ended: bool = False

    @classmethod
    def of(cls, replay: Replay, sampler: Expected | Drawn) -> _Run:
        return cls(replay, sampler, replay.start(sampler))

    def wait(self, service: str) -> _Noted | None:
        """When the newcomer of `service` is called (None: no counter calls them)."""
        while service not in self.noted and not self.ended:
            found = self.replay.advance(self.cursor, self.sampler)
            if found is None:
                self.ended = True
                break
            at, i = found
            before = self.cursor.copy()
            heapq.heappush(before.free, (at, i))
            note = _Noted(at - self.replay.state.now, self.cursor.steps, i, before)
            self.notes.append(note)
            for s in self.replay.counters_by_index[i].services:
                self.noted.setdefault(s, note)
        return self.noted.get(service)


class Newcomers:
    """Every service's wait for a newcomer of no priority class, from one QueueState; `arrived`
    adds the first-order change of a ticket that arrived since, without replaying."""

    def __init__(self, state: QueueState):
        self.state = state
        self.times = VisitTimes(state)
        self._serving = _serving(state)          # service → the counted counters serving it
        self.served = set(self._serving)
        self._opening_serving: dict[str, frozenset[str]] | None = None
        self.arrivals: dict[str, int] = {}       # tickets arrived since, per service
        self._extra: dict[str, float] = {}       # extra_s per service, until the next arrival
        self._spreads: dict[tuple[str, bool], tuple[float, float | None, float | None]] = {}
        self.replay = self._replay(state)
        self._expected: _Run | None = None
        self._drawn: list[_Run] | None = None
        self._opening: _Run | None = None
        self._opening_replay: Replay | None = None
        # one replay serves every service — unless the fairness rule or a counter's work profile
        # (its backup services, its quota) may call a newcomer before real tickets
        self.shared = state.fairness_multiple <= 0 and all(c.rules is None for c in state.counters)

    def arrived(self, service: str) -> None:
        """A ticket of `service` arrived since the state was read (issued, or transferred into
        it; of any priority class: a newcomer comes after it either way)."""
        self.arrivals[service] = self.arrivals.get(service, 0) + 1
        self._extra.clear()

    def outdated(self, service: str, quick: bool = False) -> bool:
        """Whether tickets arrived since for the counters of `service` and its newcomer is at
        most EXACT_STEPS calls of the replay away: a share of work is no measure of a wait
        that short (one of them may take a counter found free), and replaying it again is
        short too, whatever the queue's length."""
        if self.extra_s(service) <= 0:
            return False
        seconds = self._spread(service, quick)[0]         # the runs advanced as far as needed
        if not self.shared:                               # no runs: only a counter found free
            return seconds <= 0
        run = self._expected if service in self.served else self._opening
        note = run.noted.get(service) if run is not None else None
        return note is not None and note.steps <= EXACT_STEPS

    def extra_s(self, service: str) -> float:
        """Seconds the tickets arrived since add to a newcomer of `service`: each brings its
        service's mean visit to the counters serving it, shared evenly between them; the part
        falling on the counters serving `service` is shared between those."""
        if not self.arrivals:
            return 0.0
        extra = self._extra.get(service)
        if extra is None:
            extra = self._extra[service] = self._extra_s(service)
        return extra

    def _extra_s(self, service: str) -> float:
        serving = self._serving
        if service not in serving:          # no counter open: those expected to open
            if self._opening_serving is None:
                self._opening_serving = _serving(opening(self.state))
            serving = self._opening_serving
        mine = serving.get(service)
        if not mine:
            return 0.0
        extra = 0.0
        for other, n in self.arrivals.items():
            theirs = serving.get(other)
            if theirs and mine & theirs:
                extra += n * self.times.mean(other) * len(mine & theirs) / (len(theirs) * len(mine))
        return extra

    def _replay(self, state: QueueState) -> Replay:
        entries: dict[str, list[Entry]] = {}
        for t in state.waiting:
            entries.setdefault(t.service, []).append((t.rank, t.queued_at, t.id))
        return Replay(state, in_call_order(state, entries), counted_on(state),
                      priority_rates(state, state.normal_rank), newcomers=True,
                      booked=list(state.booked))

    def _runs(self, quick: bool) -> list[_Run]:
        if self._expected is None:
            self._expected = _Run.of(self.replay, Expected(self.times, self.replay.rates))
        if quick:
            return [self._expected]
        if self._drawn is None:
            seed = int(self.state.now)
            self._drawn = [_Run.of(self.replay, Drawn(self.times, self.replay.rates, seed, j))
                           for j in range(max(DRAWS, LONG_DRAWS))]
        return [self._expected, *self._drawn]

    def spread(self, service: str, quick: bool = False, now: float | None = None
               ) -> tuple[float, float | None, float | None]:
        """As replay.wait_spread for a newcomer of `service` (rank normal, queued now); at `now`
        a little later than the state's, the same call time, `now - state.now` nearer."""
        seconds, low, high = self._spread(service, quick)
        extra = self.extra_s(service)
        if extra > 0:     # never "no wait" once someone may have taken the free counter
            seconds += extra
            low = None if low is None else low + extra
            high = None if high is None else high + extra
        if seconds <= 0:
            return seconds, low, high
        gone = max(0.0, (now if now is not None else self.state.now) - self.state.now)
        if gone:
            seconds = max(1.0, seconds - gone)
            low = None if low is None else max(1.0, low - gone)
            high = None if high is None else max(1.0, high - gone)
        return max(seconds, SHORTEST_S), low, high

    def _spread(self, service: str, quick: bool) -> tuple[float, float | None, float | None]:
        """The replay's spread for a newcomer of `service`, worked out once per Newcomers (its
        state and runs do not change; arrivals are added apart: extra_s)."""
        found = self._spreads.get((service, quick))
        if found is None:
            found = self._spreads[service, quick] = self._spread_of(service, quick)
        return found

    def _spread_of(self, service: str, quick: bool) -> tuple[float, float | None, float | None]:
        if not self.shared:
            return raw_spread(self.state, service, self.state.normal_rank, None, None, quick)
        if service not in self.served:
            return self._when_open(service), None, None
        runs = self._runs(quick=True)
        expected = runs[0].wait(service)
        if expected is None:
            return self._when_open(service), None, None
        seconds = expected.seconds
        if seconds <= 0 or quick:
            return spread(seconds, quick, [])
        draws = DRAWS if expected.steps <= DRAW_STEPS else LONG_DRAWS
        drawn = [r.wait(service) for r in self._runs(quick=False)[1:draws + 1]]
        return spread(seconds, quick, [d.seconds if d else None for d in drawn])

    def estimate(self, service: str, quick: bool = False, now: float | None = None
                 ) -> WaitEstimate:
        """The printed wait of a newcomer of `service` (at `now`: see spread)."""
        return as_printed(*self.spread(service, quick, now))

    def _when_open(self, service: str) -> float:
        """replay._no_counter for a newcomer: over the counters expected to open."""
        if not closed_for(self.state, service):
            return when_open(None)
        if self._opening is None:
            self._opening_replay = self._replay(opening(self.state))
            self._opening = _Run.of(self._opening_replay,
                                    Expected(self.times, self._opening_replay.rates))
        noted = self._opening.wait(service)
        return when_open(noted.seconds if noted else None)


def _serving(state: QueueState) -> dict[str, frozenset[str]]:
    """Per service, the ids of the counters the replay counts on that serve it."""
    serving: dict[str, frozenset[str]] = {}
    for _, c in counted_on(state):
        for service in c.services:
            serving[service] = serving.get(service, frozenset()) | {c.id}
    return serving
