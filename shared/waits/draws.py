"""The replay's sources of visit times: expected times (means, priority visitors arriving
evenly), or times drawn from recent visits by a random source fixed per visitor, so one more
person ahead never makes anyone else's draw shorter."""

from __future__ import annotations

import math

from shared.waits.state import CounterNow
from shared.waits.visit_times import MIN_DRAWN, MIN_REMAINING_S, Longer, VisitTimes


class Expected:
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


def unit(*keys: int) -> float:
    """A uniform number in [0, 1) fixed by integer keys (splitmix64 over them): the same draw for
    the same visitor in every replay, whoever else is in the queue."""
    x = 0x9E3779B97F4A7C15
    for k in keys:
        x = (x ^ (k & _MASK)) * 0xBF58476D1CE4E5B9 & _MASK
        x = (x ^ (x >> 31)) * 0x94D049BB133111EB & _MASK
        x ^= x >> 29
    return (x >> 11) / float(1 << 53)


class Drawn:
    """Replays with drawn times: recent visits of the service drawn at random (the ones longer
    than a visit in progress has lasted, for its rest), priority arrivals as a Poisson stream.
    Draw `j` gives each ticket, counter and arrival its own fixed numbers, so one more person
    ahead never makes anyone else's draw shorter."""

    def __init__(self, times: VisitTimes, rates: dict[str, float], seed: int, j: int):
        self.times = times
        self.rates = rates
        self.seed, self.j = seed, j
        self._base = int(unit(seed, j) * (1 << 53))
        self._arrivals: dict[str, list[float]] = {}
        self._service_no = times.service_numbers
        self._visits: dict[tuple[str, int], float] = {}   # drawn once: a replay resumed
                                                          # draws the same visits again

    def _u(self, key: int, slot: int) -> float:
        return unit(self._base, key * 8 + slot)

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
        drawn = self._visits.get((service, key))
        if drawn is None:
            u = self._u(key, 3)
            shape = self.times.shape("visit")
            if len(shape) >= MIN_DRAWN:
                drawn = shape[int(u * len(shape))] * self.times.mean(service)
            else:
                drawn = self.times.mean(service) * (0.5 + u)
            self._visits[service, key] = drawn
        return drawn

    def arrival(self, service: str, k: int) -> float:
        seen = self._arrivals.setdefault(service, [])
        base = -2_000_000 - 10_000 * self._service_no.get(service, 0)
        while len(seen) <= k:
            u = self._u(base - len(seen), 4)
            seen.append((seen[-1] if seen else 0.0) - math.log(1.0 - u) / self.rates[service])
        return seen[k]

    def virtual_key(self, service: str, k: int) -> int:
        return -3_000_000 - 10_000 * self._service_no.get(service, 0) - k
