"""The best wait any estimator could print (issue 13): an ORACLE for the bench, never the product.

At the moment a ticket is issued in the day simulator it reads the exact state — who waits (with
their priority rank, queue time and whether they were transferred), what every counter is doing
(the visit in progress: called or started, since when; open, paused, closed, about to pause) —
and knows the simulator's own laws: the lognormal visit times around each service's minutes,
the walk-up, no-show and transfer chances, the arrival rates of the day by hour, the mix and the
priority shares, the shifts and their lunch pauses. What it does not know is what nobody can
know at print time: the times still to be drawn. It plays `futures` Monte-Carlo continuations
of the day from that state until the ticket is called and prints the whole minute that is most
often within ±2 minutes of the real wait (the accuracy report's "within 2" counts
|printed − real| ≤ 2), or ±5 for "within 5". No estimator reading the same moment can be right
more often, in expectation, than this point (up to the Monte-Carlo noise). It is bound by none
of the product's rules (it may print 0 while every counter is busy, and its point need not grow
with the people ahead): it measures what the information at print time allows, nothing more.

    from bench.wait_oracle import Oracle
    sim = DaySimulator(scenario, seed, centre)
    oracle = Oracle(sim, futures=200, windows=(2.0, 5.0))
    sim.on_issue = oracle.on_issue
    result = sim.run()
    # oracle.order[k] is the ticket of result.tickets[k]; oracle.points[ticket id][i] is
    # (the best minute for windows[i], how often the futures fall within ± windows[i] of it)
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import NormalDist

from planning.scenario import Scenario
from planning.simulator import DaySimulator, _secs
from planning.visitors import _visit_s
from shared.config.centre import PriorityClass
from shared.core.model import Ticket
from shared.waits.reading import NORMAL_RANK

HORIZON_S = 8 * 3600.0
_STD = NormalDist()


@dataclass
class _Ticket:
    key: tuple[int, float, int]      # (rank, queue time, id): the queue's call order
    service: str
    leg: int                         # 0: first visit (may be a no-show or transferred), 1: after


class Oracle:
    """Monte-Carlo futures of a simulated day from the exact state at each issue."""

    def __init__(self, sim: DaySimulator, futures: int = 200, windows: tuple[float, ...] = (2.0,),
                 seed: int = 7):
        self.sim = sim
        self.futures = futures
        self.windows = windows
        self.rng = random.Random(seed)
        self.order: list[int] = []                    # ticket ids of the reported day, issued
        # ticket id → per window: (the best minute, how often the futures fall within it)
        self.points: dict[int, list[tuple[int, float]]] = {}
        self.samples: dict[int, list[float]] = {}     # ticket id → the futures' waits (minutes)
        self.seconds = 0.0                            # spent playing futures
        sc: Scenario = sim.scenario
        self.sc = sc
        cfg = sim.centre
        if cfg.fairness.enabled:
            raise ValueError("the oracle replays the plain call order: turn fairness off")
        self.policy = cfg.transfer_policy
        self.services = list(sc.mix)
        self.weights = [sc.mix[s] for s in self.services]
        self.prio = [(_rank(cfg.priority(p)), sc.priority[p]) for p in sc.priority]
        total = sum(sc.arrivals.values()) or 1.0
        self.rate = {h: sc.visitors * sc.arrivals[h] / total / 3600 for h in sc.hours}
        self.shift = {cid: sh for sh in sc.shifts for cid in sh.counters}
        self.counter_services = {c.id: c.services for c in cfg.counters}
        self.sigma = sc.spread

    # ---- laws of the day ------------------------------------------------------------------
    def _rest_lognormal(self, service: str, elapsed: float) -> float:
        """The rest of a service time that has lasted `elapsed` seconds (conditional draw)."""
        mean = self.sc.service_min.get(service, 7.0)
        if self.sigma <= 0:
            return max(0.0, mean * 60 - elapsed)
        mu = math.log(mean * 60) - self.sigma ** 2 / 2
        f = _STD.cdf((math.log(elapsed) - mu) / self.sigma) if elapsed > 0 else 0.0
        u = f + (1 - f) * self.rng.random()
        u = min(max(u, 1e-12), 1 - 1e-12)
        return max(0.0, math.exp(mu + self.sigma * _STD.inv_cdf(u)) - elapsed)

    def _walk(self, at_least: float = 0.0) -> float:
        lo, hi = self.sc.walk_up_s
        return self.rng.uniform(max(lo, min(at_least, hi)), hi)

    def _transfer_target(self, service: str) -> str | None:
        if self.rng.random() >= self.sc.transfer:
            return None
        target = self.rng.choices(self.services, self.weights)[0]
        return None if target == service else target

    def _visit(self, t: _Ticket) -> tuple[float, str | None]:
        """(seconds from the call to the counter's next Next, the service transferred to)."""
        if t.leg == 0 and self.rng.random() < self.sc.no_show:
            return self.sc.no_show_wait_s, None
        target = self._transfer_target(t.service) if t.leg == 0 else None
        return self._walk() + _visit_s(self.rng, self.sc, t.service), target

    def _in_progress(self, service: str, leg: int, called_for: float,
                     served_for: float | None) -> tuple[float, str | None]:
        """The rest of the visit at a counter, given what is seen of it."""
        target = self._transfer_target(service) if leg == 0 else None
        if served_for is not None:
            return self._rest_lognormal(service, served_for), target
        lo, hi = self.sc.walk_up_s
        still = 1.0 if called_for < lo else max(0.0, (hi - called_for) / (hi - lo)) if hi > lo \
            else float(called_for < hi)
        p = self.sc.no_show if leg == 0 else 0.0
        gone = p / (p + (1 - p) * still) if p + (1 - p) * still > 0 else 1.0
        if self.rng.random() < gone:
            return max(0.0, self.sc.no_show_wait_s - called_for), None
        return max(0.0, self._walk(called_for) - called_for) + _visit_s(self.rng, self.sc, service), target

    def _arrivals(self, now: float, rank: int) -> Iterator[tuple[float, int, str]]:
        """Future arrivals (time, rank, service) in time order, only those called before a
        ticket of `rank` (a later arrival of the same or a lower class never is)."""
        t = now
        while t < now + HORIZON_S:
            hour = int(t // 3600)
            rate = self.rate.get(hour, 0.0)
            end = (hour + 1) * 3600.0
            if rate <= 0:
                if hour > max(self.rate, default=0):
                    return
                t = end
                continue
            t += self.rng.expovariate(rate)
            if t >= end:
                t = end
                continue
            u, r, acc = self.rng.random(), NORMAL_RANK, 0.0
            for pr, share in self.prio:
                acc += share
                if u < acc:
                    r = pr
                    break
            service = self.rng.choices(self.services, self.weights)[0]
            yield t, r, service

    # ---- the state at issue ---------------------------------------------------------------
    def on_issue(self, ticket: Ticket, now: float) -> None:
        sim = self.sim
        if sim.midnight.date() != self.sc.day:
            return                                    # a day of history before the one reported
        started = time.perf_counter()
        self.order.append(ticket.id)
        try:
            self._on_issue(ticket, now)
        finally:
            self.seconds += time.perf_counter() - started

    def _on_issue(self, ticket: Ticket, now: float) -> None:
        sim = self.sim
        midnight = sim.midnight.timestamp()
        conn = sim.queue.db.conn
        waiting = [
            _Ticket((r[2], r[3] - midnight, r[0]), r[1], sim.leg.get(r[0], 0))
            for r in conn.execute("SELECT id, service, priority_rank, queued_at FROM tickets "
                                  "WHERE status = 'waiting'")]
        mine = next(t for t in waiting if t.key[2] == ticket.id)
        visits = {r[0]: r for r in conn.execute(
            "SELECT counter, id, service, called_at, started_at, status, priority_rank, "
            "queued_at FROM tickets "
            "WHERE status IN ('called', 'serving') AND counter IS NOT NULL")}
        for c in sim.counters.values():
            if c.mode == "open" and c.visitor is None and ticket.service in c.services:
                self.points[ticket.id] = [(0, 1.0)] * len(self.windows)  # called right away
                self.samples[ticket.id] = [0.0]
                return
        waits = []
        for _ in range(self.futures):
            w = self._future(now, midnight, waiting, mine, visits)
            if w is not None:
                waits.append(w / 60)
        self.samples[ticket.id] = waits
        self.points[ticket.id] = [best_point(waits, w) for w in self.windows]

    def _future(self, now: float, midnight: float, waiting: list[_Ticket], mine: _Ticket,
                visits: dict) -> float | None:
        """One continuation of the day: seconds until `mine` is called (None: not in HORIZON_S)."""
        sim = self.sim
        queues: dict[str, list[tuple[tuple[int, float, int], _Ticket]]] = {}
        for t in waiting:
            queues.setdefault(t.service, []).append((t.key, t))
        for q in queues.values():
            heapq.heapify(q)
        busy: list[tuple[float, int, str]] = []       # (free at, tie, counter)
        idle: dict[str, float] = {}                   # counter → idle since
        pauses: dict[str, list[tuple[float, float]]] = {}
        closes: dict[str, float] = {}
        coming: list[tuple[float, int, _Ticket]] = []   # transferred tickets, waiting again at
        for cid, c in sim.counters.items():
            sh = self.shift.get(cid)
            closes[cid] = _secs(sh.close) if sh else math.inf
            pauses[cid] = [(_secs(b), _secs(e)) for b, e in (sh.pauses if sh else ())
                           if _secs(e) > now]
            if c.mode == "closed":
                if sh is None or now >= closes[cid] or c.closing:
                    continue
                opens = _secs(sh.open)
                latest = opens + sh.late_open_max_min * 60
                if now > latest + 60:
                    continue                          # not coming today
                at = self.rng.uniform(max(opens, now), max(latest, now))
                heapq.heappush(busy, (at, 0, cid))
                continue
            if c.mode == "paused":
                back = next((e for b, e in pauses[cid] if b <= now < e), None)
                pauses[cid] = [p for p in pauses[cid] if p[0] > now]
                if back is not None:
                    heapq.heappush(busy, (back, 0, cid))
                continue
            v = visits.get(cid)
            if c.visitor is None or v is None:
                idle[cid] = c.idle_since
                continue
            _, tid, service, called_at, started_at, status, rank, queued_at = v
            leg = sim.leg.get(tid, 0)
            served_for = now - (started_at - midnight) if status == "serving" else None
            rest, target = self._in_progress(service, leg, now - (called_at - midnight),
                                             served_for)
            end = now + rest
            if c.pending == "pause":
                back = next((e for b, e in pauses[cid] if b <= now < e), None)
                pauses[cid] = [p for p in pauses[cid] if p[0] > now]
                if back is not None and end < back:
                    end = back
            if target is not None:
                heapq.heappush(coming, (now + rest, tid, self._again(
                    _Ticket((rank, queued_at - midnight, tid), service, 0), target, now + rest)))
            heapq.heappush(busy, (end, 0, cid))
        arrivals = self._arrivals(now, mine.key[0])
        next_arrival = next(arrivals, None)
        new_id = 1 << 40
        while True:
            t_busy = busy[0][0] if busy else math.inf
            t_arr = next_arrival[0] if next_arrival else math.inf
            t_again = coming[0][0] if coming else math.inf
            first = min(t_busy, t_arr, t_again)
            if first > now + HORIZON_S:
                return None
            if first < t_busy:
                if t_again <= t_arr:
                    at, _, t = heapq.heappop(coming)
                else:
                    assert next_arrival is not None
                    at, rank, service = next_arrival
                    new_id += 1
                    t = _Ticket((rank, at, new_id), service, 0)
                    next_arrival = next(arrivals, None)
                heapq.heappush(queues.setdefault(t.service, []), (t.key, t))
                for cid in sorted(idle, key=idle.__getitem__):
                    if t.service in self.counter_services[cid]:
                        if at >= closes[cid]:
                            del idle[cid]              # shift over: it closed when idle
                            continue
                        if self._lunch(cid, at, pauses, busy, idle):
                            continue
                        del idle[cid]
                        got = self._take(cid, at, queues, busy, coming)
                        if got is mine:
                            return at - now
                        break
                continue
            at, _, cid = heapq.heappop(busy)
            if self._lunch(cid, at, pauses, busy, None):
                continue
            if at >= closes[cid] and not self._has_work(cid, queues):
                continue                               # shift over, nobody left: closed
            got = self._take(cid, at, queues, busy, coming)
            if got is mine:
                return at - now
            if got is None:
                idle[cid] = at

    def _again(self, t: _Ticket, target: str, at: float) -> _Ticket:
        """A ticket transferred at `at` to `target`, as the queue re-queues it."""
        if self.policy == "front":
            return _Ticket((0, at, t.key[2]), target, 1)
        if self.policy == "back":
            return _Ticket((t.key[0], at, t.key[2]), target, 1)
        return _Ticket(t.key, target, 1)

    def _lunch(self, cid: str, at: float, pauses: dict, busy: list, idle: dict | None) -> bool:
        """A counter free at `at` inside a lunch pause it has not taken goes to lunch (until its
        end); a pause it was busy through is skipped. True when it went to lunch."""
        while pauses[cid] and pauses[cid][0][0] <= at:
            _, e = pauses[cid].pop(0)
            if at < e:
                if idle is not None:
                    del idle[cid]
                heapq.heappush(busy, (e, 0, cid))
                return True
        return False

    def _has_work(self, cid: str, queues: dict) -> bool:
        return any(queues.get(s) for s in self.counter_services[cid])

    def _take(self, cid: str, at: float, queues: dict, busy: list,
              coming: list) -> _Ticket | None:
        """Counter `cid` presses Next at `at`: the first ticket of its services, or None."""
        best = None
        for s in self.counter_services[cid]:
            q = queues.get(s)
            if q and (best is None or q[0][0] < best[0][0]):
                best = q
        if best is None:
            return None
        _, t = heapq.heappop(best)
        rest, target = self._visit(t)
        if target is not None:
            heapq.heappush(coming, (at + rest, t.key[2], self._again(t, target, at + rest)))
        heapq.heappush(busy, (at + rest, 0, cid))
        return t


def _rank(priority: PriorityClass | None) -> int:
    if priority is None:
        raise ValueError("the scenario names a priority class the centre does not have")
    return priority.rank


def best_point(waits_min: list[float], window: float = 2.0) -> tuple[int, float]:
    """The whole minute most often within ±`window` of the waits, and how often it is."""
    if not waits_min:
        return 0, 0.0
    waits = sorted(waits_min)
    median = waits[len(waits) // 2]
    best, best_n = 0, -1
    for p in range(0, int(math.ceil(waits[-1])) + 1):
        n = _count(waits, p - window, p + window)
        if n > best_n or (n == best_n and abs(p - median) < abs(best - median)):
            best, best_n = p, n
    return best, best_n / len(waits)


def _count(ordered: list[float], lo: float, hi: float) -> int:
    import bisect
    return bisect.bisect_right(ordered, hi) - bisect.bisect_left(ordered, lo)
