"""What a visitor of no priority class arriving now would wait, for every service at once, kept
up to date as tickets are issued — what a ticket prints and a board shows, at a cost that does
not grow with the queue.

One replay (shared/waits/replay.py) with a newcomer at the back of every service's regular
queue gives every service's wait: a newcomer sorts after every real ticket, so until a counter
takes one nothing differs from the replay for that service alone; when it takes one, the wait is
noted and the counter goes on as if that newcomer were not there (a newcomer takes no time).
The replay runs only as far as the services asked about, and the state just before each
newcomer was taken is kept: a ticket issued for a service is a real ticket in that newcomer's
place, so the replay resumes from there — the few calls between two newcomers, not the queue.

With the fairness rule on, a newcomer past its limit would hold back priority visitors to come
for the other services' newcomers too, which their own replays do not: then each service is
replayed on its own (still once per state, not per read)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace

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
from shared.waits.state import Entry, QueueState, WaitEstimate, WaitingTicket
from shared.waits.visit_times import VisitTimes


@dataclass
class _Noted:
    """A newcomer taken: their wait, the steps it took, the counter that took them and the
    replay just before."""

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
    order: list[str] = field(default_factory=list)      # services, in the order taken
    noted: dict[str, _Noted] = field(default_factory=dict)
    ended: bool = False

    @classmethod
    def of(cls, replay: Replay, sampler: Expected | Drawn) -> _Run:
        return cls(replay, sampler, replay.start(sampler))

    def wait(self, service: str) -> _Noted | None:
        """The newcomer of `service` taken (None: no counter takes them)."""
        while service not in self.noted and not self.ended:
            found = self.replay.advance(self.cursor, self.sampler)
            if found is None:
                self.ended = True
                break
            at, i, taken, queue = found
            before = self.cursor.copy()
            heapq.heappush(before.free, (at, i))
            self.order.append(taken)
            self.noted[taken] = _Noted(at - self.replay.state.now, self.cursor.steps, i, before)
            self.cursor.heads[id(queue)] += 1           # the newcomer takes no time: the
            self.cursor.steps -= 1                      # counter looks again, at once
            heapq.heappush(self.cursor.free, (at, i))
        return self.noted.get(service)

    def rewind(self, service: str, regular: list[Entry]) -> None:
        """Back to just before a real ticket at the back of `service`'s `regular` queue would
        first have been called: the first newcomer taken by a counter serving `service` while
        that queue had nobody real left — its own newcomer at the latest. What was noted from
        there on is forgotten."""
        back = len(regular) - 1                 # where its newcomer stands
        for k, taken in enumerate(self.order):
            noted = self.noted[taken]
            if (noted.before.heads[id(regular)] == back
                    and service in self.replay.counters_by_index[noted.counter].services):
                for later in self.order[k:]:
                    del self.noted[later]
                del self.order[k:]
                self.cursor, self.ended = noted.before, False
                return


class Newcomers:
    """Every service's wait for a newcomer of no priority class, from one QueueState; `issued`
    brings it up to date for a ticket issued meanwhile, without replaying from the start."""

    def __init__(self, state: QueueState):
        self.state = state
        self.waiting = list(state.waiting)        # and the tickets issued since
        self.times = VisitTimes(state)
        self.served = {s for _, c in counted_on(state) for s in c.services}
        self.replay = self._replay(state, self.served)
        self._expected: _Run | None = None
        self._drawn: list[_Run] | None = None
        self._opening: _Run | None = None
        self._opening_replay: Replay | None = None
        self.shared = state.fairness_multiple <= 0       # one replay serves every service
        self._alone: dict[tuple[str, bool], tuple[float, float | None, float | None]] = {}

    def _replay(self, state: QueueState, services: set[str]) -> Replay:
        entries: dict[str, list[Entry]] = {}
        for t in self.waiting:
            entries.setdefault(t.service, []).append((t.rank, t.queued_at, t.id))
        for s in services:
            entries.setdefault(s, []).append((state.normal_rank, state.now, None))
        return Replay(state, in_call_order(state, entries), counted_on(state),
                      priority_rates(state, state.normal_rank), newcomers=True)

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
        if seconds <= 0:
            return seconds, low, high
        gone = max(0.0, (now if now is not None else self.state.now) - self.state.now)
        if gone:
            seconds = max(1.0, seconds - gone)
            low = None if low is None else max(1.0, low - gone)
            high = None if high is None else max(1.0, high - gone)
        return max(seconds, SHORTEST_S), low, high

    def _spread(self, service: str, quick: bool) -> tuple[float, float | None, float | None]:
        if not self.shared:
            if (service, quick) not in self._alone:
                state = replace(self.state, waiting=sorted(
                    self.waiting, key=lambda t: (t.rank, t.queued_at, t.id)))
                self._alone[service, quick] = raw_spread(state, service, state.normal_rank,
                                                      None, None, quick)
            return self._alone[service, quick]
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
            state = opening(self.state)
            served = {s for _, c in counted_on(state) for s in c.services}
            self._opening_replay = self._replay(state, served)
            self._opening = _Run.of(self._opening_replay,
                                    Expected(self.times, self._opening_replay.rates))
        noted = self._opening.wait(service)
        return when_open(noted.seconds if noted else None)

    def issued(self, ticket: WaitingTicket) -> bool:
        """Take in a ticket of no priority class issued since (it stands where its service's
        newcomer stood; the next newcomer comes after it). False when it cannot be taken in
        so (a priority ticket): then make a new Newcomers from a fresh state."""
        if ticket.rank != self.state.normal_rank:
            return False
        self.waiting.append(ticket)
        self._alone.clear()
        for replay, runs in ((self.replay, [self._expected, *(self._drawn or [])]),
                             (self._opening_replay, [self._opening])):
            if replay is None:
                continue
            queues = replay.queues.get(ticket.service)
            entry = (ticket.rank, ticket.queued_at, ticket.id)
            if queues is None:          # no counter serves it: nobody would take it
                continue
            regular = queues[1]
            if not regular or regular[-1][2] is not None:
                regular.append(entry)   # no newcomer here: no counter counted on serves it
                continue
            for run in runs:
                if run is not None:
                    run.rewind(ticket.service, regular)
            regular.insert(len(regular) - 1, entry)
        return True
