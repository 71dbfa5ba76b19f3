"""The rest of a service day played in memory, fast enough to answer a manager at once: from a
start (the tickets waiting, each counter busy until when, the visitors still to come with their
visit times) every idle counter presses Next and the call order itself (shared/core/
call_order.py) picks the ticket — or, to check it, a copy of the real queue does
(`QueueCalls`). Both are driven by the same events, so the same start and seed give the same
day (tests/planning/test_rest_of_day.py)."""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from shared.core.call_order import BACKUP, CallRules, Candidate, Fairness, choose
from shared.core.fairness import NORMAL_RANK


@dataclass(frozen=True)
class Visit:
    """A ticket of the day: waiting at the start (or arriving at `at`), with the visit time it
    will take at a counter (walk-up and service, seconds)."""

    id: int
    service: str
    rank: int
    at: float                       # queued (epoch seconds)
    visit_s: float
    priority: str | None = None


@dataclass(frozen=True)
class CounterStart:
    """A counter at the start: free from `free_at` (None: closed all the rest of the day)."""

    id: str
    free_at: float | None


RulesAt = Callable[[str, float], CallRules]     # counter, time → its rules then


@dataclass(frozen=True)
class DayStart:
    """Where the rest of the day starts: now, the tickets waiting (in no order), those still to
    come, the counters, when calling ends, and the fairness rule."""

    now: float
    waiting: tuple[Visit, ...]
    arrivals: tuple[Visit, ...]
    counters: tuple[CounterStart, ...]
    ends_at: float
    fairness: Fairness = Fairness()
    targets_min: Mapping[str, float] = field(default_factory=dict)
    # when given, each counter takes visitors only within its spans (shifts less pauses); a
    # visit running at a span's end is finished first
    spans: Mapping[str, tuple[tuple[float, float], ...]] | None = None


class Calls(Protocol):
    """Who decides a Next: the call order in memory, or a real queue."""

    def arrive(self, visit: Visit, at: float) -> None: ...

    def next(self, counter: str, at: float) -> int | None: ...


class MemoryCalls:
    """The call order in memory, the counters' rules at each time and their quota turns. Like
    call_next it gives the call order only the tickets its choice can be among: per service
    the first priority and the first regular ticket, and, for a backup service, the best
    priority ticket past its limit (tests/shared/test_call_order.py checks the same reading)."""

    def __init__(self, start: DayStart, rules_at: RulesAt):
        self.queues: dict[str, tuple[list[tuple[int, float, int]], list[tuple[int, float, int]]]] = {}
        for v in start.waiting:
            self.arrive(v, v.at)
        self.rules_at, self.fairness = rules_at, start.fairness
        self.turns: dict[str, list[str]] = {}

    def arrive(self, visit: Visit, at: float) -> None:
        prio, regular = self.queues.setdefault(visit.service, ([], []))
        bisect.insort(prio if visit.rank < NORMAL_RANK else regular, (visit.rank, at, visit.id))

    def next(self, counter: str, at: float) -> int | None:
        rules = self.rules_at(counter, at)
        candidates = []
        for service, level in rules.levels.items():
            prio, regular = self.queues.get(service, ((), ()))
            heads = [*prio[:1], *regular[:1]]
            if level == BACKUP and len(prio) > 1:
                limit = at - rules.backup_after * rules.target_min.get(service, 10.0) * 60
                heads += [next((e for e in prio if e[1] <= limit), prio[0])]
            candidates += [Candidate(tid, service, rank, queued) for rank, queued, tid in heads]
        turns = self.turns.setdefault(counter, [])
        choice = choose(candidates, rules, turns, at, self.fairness)
        if choice is None:
            return None
        if choice.turn is not None:
            turns.append(choice.turn)
        t = choice.ticket
        prio, regular = self.queues[t.service]
        (prio if t.is_priority else regular).remove((t.rank, t.queued_at, int(t.id or 0)))
        return t.id


@dataclass
class DayPlayed:
    """When each ticket was called (None: not called before the day ended)."""

    start: DayStart
    called: dict[int, float | None]
    idle_waiting_s: float = 0.0       # counters free while someone waited they could call

    def waits_min(self) -> dict[int, float | None]:
        at = {v.id: v.at for v in (*self.start.waiting, *self.start.arrivals)}
        return {t: None if c is None else (c - at[t]) / 60 for t, c in self.called.items()}

    def within_target(self) -> float:
        """Share of the tickets called within their service's target wait (an uncalled one is
        not), over the waiting ones and those to come."""
        visits = (*self.start.waiting, *self.start.arrivals)
        if not visits:
            return 1.0
        ok = 0
        for v in visits:
            called = self.called[v.id]
            if called is not None and called - v.at <= self.start.targets_min.get(v.service,
                                                                                  10.0) * 60:
                ok += 1
        return ok / len(visits)


def play(start: DayStart, calls: Calls, served: Callable[[str, float], set[str]]) -> DayPlayed:
    """Play the rest of the day: arrivals, and every idle counter pressing Next (the one idle
    longest first) until the day ends. `served(counter, at)`: the services it may call then
    (for the idle-while-waiting time)."""
    heap: list[tuple[float, int, str, object]] = []
    seq = 0

    def push(at: float, kind: str, data: object) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(heap, (at, seq, kind, data))

    visits = {v.id: v for v in (*start.waiting, *start.arrivals)}
    called: dict[int, float | None] = dict.fromkeys(visits)
    waiting = {v.id: v.service for v in start.waiting}
    idle: dict[str, float] = {}
    idle_waiting = 0.0
    spans = start.spans or {}

    def open_from(counter: str, at: float) -> float | None:
        """When the counter next takes visitors from `at` (None: not again today)."""
        if counter not in spans:
            return at
        return next((max(a, at) for a, b in spans[counter] if at < b), None)

    for c in start.counters:
        if c.free_at is not None:
            push(max(c.free_at, start.now), "free", c.id)
        for _, end in spans.get(c.id, ()):
            push(end, "close", c.id)
    for v in start.arrivals:
        push(v.at, "arrive", v)
    last = start.now
    while heap:
        at, _, kind, data = heapq.heappop(heap)
        if at >= start.ends_at:
            break
        for cid in idle:                       # idle time while someone waited it could call
            if any(s in served(cid, last) for s in waiting.values()):
                idle_waiting += at - last
        last = at
        if kind == "arrive":
            assert isinstance(data, Visit)
            calls.arrive(data, at)
            waiting[data.id] = data.service
        elif kind == "close":               # an idle counter leaves; a busy one on its free
            if idle.pop(str(data), None) is not None:
                back = open_from(str(data), at)
                if back is not None and back > at:
                    push(back, "free", data)
            continue
        else:
            back = open_from(str(data), at)
            if back is None:
                continue
            if back > at:
                push(back, "free", data)
                continue
            idle[str(data)] = at
        for cid in sorted(idle, key=lambda k: (idle[k], k)):
            tid = calls.next(cid, at)
            if tid is None:
                continue
            del idle[cid]
            del waiting[tid]
            called[tid] = at
            push(at + visits[tid].visit_s, "free", cid)
    return DayPlayed(start, called, idle_waiting)
