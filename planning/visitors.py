"""The visitors of a simulated day, fully drawn before the day is played: arrival times hour by
hour (a Poisson process), then each one's service, priority class, walk-up, visit times,
no-show and transfer, each from a stream seeded by the seed alone."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from planning.scenario import Scenario


@dataclass
class Visitor:
    """One visitor of the simulated day, fully drawn before the day is played."""

    arrival: float               # seconds after local midnight
    service: str
    priority: str | None
    no_show: bool
    walk_up_s: float
    visit_s: tuple[float, float]  # service time of the first visit and (if transferred) the second
    transfer_to: str | None


def draw_visitors(scenario: Scenario, seed: int | str) -> list[Visitor]:
    """The day's visitors: arrival times hour by hour (Poisson), then each one's attributes, each
    from its own seeded stream — or exactly the scenario's listed visitors when it lists them."""
    if scenario.listed:
        return [Visitor(v.at, v.service, v.priority, False, scenario.walk_up_s[0],
                        ((v.minutes or scenario.service_min.get(v.service, 7.0)) * 60,) * 2, None)
                for v in scenario.listed]
    arrivals_rng = random.Random(f"{seed}:arrivals")
    rng = random.Random(f"{seed}:visitors")
    total_share = sum(scenario.arrivals.values()) or 1.0
    times: list[float] = []
    for hour in scenario.hours:
        rate = scenario.visitors * scenario.arrivals[hour] / total_share / 3600
        t = hour * 3600.0
        while rate > 0:
            t += arrivals_rng.expovariate(rate)
            if t >= (hour + 1) * 3600:
                break
            times.append(t)
    services = list(scenario.mix)
    weights = [scenario.mix[s] for s in services]
    prios = list(scenario.priority)
    prio_cum = [sum(scenario.priority[p] for p in prios[:i + 1]) for i in range(len(prios))]
    out = []
    for t in times:
        service = rng.choices(services, weights)[0]
        u = rng.random()
        priority = next((p for p, c in zip(prios, prio_cum, strict=True) if u < c), None)
        no_show = rng.random() < scenario.no_show
        walk = rng.uniform(*scenario.walk_up_s)
        transfer = rng.random() < scenario.transfer
        target = rng.choices(services, weights)[0] if transfer else None
        if target == service:
            target = None
        visits = (_visit_s(rng, scenario, service), _visit_s(rng, scenario, target or service))
        out.append(Visitor(t, service, priority, no_show, walk, visits, target))
    return out


def _visit_s(rng: random.Random, scenario: Scenario, service: str) -> float:
    """A lognormal visit time whose mean is the service's minutes."""
    mean = scenario.service_min.get(service, 7.0)
    sigma = scenario.spread
    if sigma <= 0:
        return mean * 60
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma) * 60
