"""Visit times as the replay reads them: a service's mean visit (its recent visits shrunk towards
its configured minutes), the pooled shape of visit times, and the expected rest of a visit in
progress."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from shared.waits.state import CounterNow, QueueState

WALK_UP_S = 45.0              # prior for call → start when nothing is measured yet
PRIOR_WEIGHT = 4.0            # the configured minutes count as this many measured visits
MIN_REMAINING_S = 30.0        # a visit in progress needs at least this much longer
MIN_DRAWN = 5                 # recent visits needed to draw from them


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
                              excess(samples, elapsed, self.service_mean(service)))
        else:
            parts = RestParts(
                "called", called_for, self.longer("walk_up", 1.0, called_for),
                excess(state.walk_ups_s, called_for, WALK_UP_S),
                self.no_show_chance(called_for),
                self.longer("no_show", 1.0, called_for),
                excess(state.no_shows_s, called_for, 120.0))
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
        return excess(self.state.visits.get(service, ()), elapsed, self.mean(service))

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
            return max(MIN_REMAINING_S, excess(self.state.service_s.get(service, ()),
                                                 max(0.0, now - c.visit_started),
                                                 self.service_mean(service)))
        called_for = max(0.0, now - since)
        gone = self.no_show_chance(called_for)
        no_show_rest = excess(self.state.no_shows_s, called_for, 120.0)
        walk_rest = excess(self.state.walk_ups_s, called_for, WALK_UP_S)
        return max(MIN_REMAINING_S, gone * no_show_rest
                   + (1 - gone) * (walk_rest + self.service_mean(service)))


def excess(samples: Sequence[float], elapsed: float, mean: float) -> float:
    """Expected rest of a duration that has lasted `elapsed`: the mean excess of the samples
    longer than that, shrunk towards a tail guess when few are."""
    longer = [v - elapsed for v in samples if v > elapsed]
    tail = max(mean - elapsed, mean * 0.35, 1.0)
    if longer:
        return (sum(longer) + 2 * tail) / (len(longer) + 2)
    return tail
