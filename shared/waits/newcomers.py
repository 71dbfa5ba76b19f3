"""What a visitor of no priority class arriving now would wait, for every service at once, kept
up to date as tickets are issued — what a ticket prints and a board shows, at a cost that does
not grow with the queue.

One replay (shared/waits/replay.py) gives every service's wait: a newcomer comes after every
real ticket, so the first counter serving a service to have nobody real left calls its newcomer;
the replay notes the newcomers of all the services of each counter that runs out, at that time.
It runs only as far as the services asked about, and keeps the replay as it was just before each
note: a ticket issued since stands in its newcomer's place, so the replay resumes from the first
note of a counter serving its service — the calls from there on, not the whole queue.

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

    def rewind(self, service: str) -> None:
        """Back to just before the first counter serving `service` ran out of people to call
        (a ticket issued for it since would have been called there): later notes forgotten."""
        for k, note in enumerate(self.notes):
            if service in self.replay.counters_by_index[note.counter].services:
                gone = {id(n) for n in self.notes[k:]}
                self.noted = {s: n for s, n in self.noted.items() if id(n) not in gone}
                del self.notes[k:]
                self.cursor, self.ended = note.before, False
                return

    def cursors(self) -> list[Cursor]:
        return [self.cursor, *(n.before for n in self.notes)]


class Newcomers:
    """Every service's wait for a newcomer of no priority class, from one QueueState; `issued`
    brings it up to date for a ticket issued meanwhile, without replaying from the start."""

    def __init__(self, state: QueueState):
        self.state = state
        self.waiting = list(state.waiting)        # and the tickets issued since
        self.times = VisitTimes(state)
        self.served = {s for _, c in counted_on(state) for s in c.services}
        self.replay = self._replay(state)
        self._expected: _Run | None = None
        self._drawn: list[_Run] | None = None
        self._opening: _Run | None = None
        self._opening_replay: Replay | None = None
        self.shared = state.fairness_multiple <= 0       # one replay serves every service
        self._alone: dict[tuple[str, bool], tuple[float, float | None, float | None]] = {}

    def _replay(self, state: QueueState) -> Replay:
        entries: dict[str, list[Entry]] = {}
        for t in self.waiting:
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
            self._opening_replay = self._replay(opening(self.state))
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
        entry = (ticket.rank, ticket.queued_at, ticket.id)
        for replay, runs in ((self.replay, [self._expected, *(self._drawn or [])]),
                             (self._opening_replay, [self._opening])):
            if replay is not None:
                _take_in(replay, [r for r in runs if r is not None], ticket.service, entry)
        return True


def _take_in(replay: Replay, runs: list[_Run], service: str, entry: Entry) -> None:
    """A ticket at the back of `service`'s regular queue, in the replay and its runs."""
    for run in runs:
        run.rewind(service)
    if service not in replay.queues:          # its first: the counters serving it look at it
        queues: tuple[list[Entry], list[Entry]] = ([], [])
        replay.queues[service] = queues
        for i, c in replay.counters:
            if service in c.services:
                replay.live[i].append((service, *queues, id(queues[0]), id(queues[1])))
        for run in runs:
            for cursor in run.cursors():
                cursor.heads[id(queues[0])] = cursor.heads[id(queues[1])] = 0
    replay.queues[service][1].append(entry)
