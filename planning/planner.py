"""The staffing planner: how many counters must be open each hour for a target share of visitors
to be called within their service's target wait — found by simulating the day, not by formula.

A plan is a number of open counters per hour. Counters are staffed in a fixed order (the
counters that cover the most unmet demand first, so any number of them serves every service as
well as that many can), and a plan becomes shifts: each counter open from the first hour it is
needed to the end of the last, paused in the hours between."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import time

from planning.report import DayReport, day_report
from planning.scenario import Scenario, Shift
from planning.simulator import simulate
from shared.config.centre import CentreConfig


@dataclass(frozen=True)
class Plan:
    """Counters open per local hour (the first `n` of `order`)."""

    counters: dict[int, int]
    order: tuple[str, ...]

    @property
    def counter_hours(self) -> int:
        return sum(self.counters.values())

    def changed(self, hours: Sequence[int], delta: int) -> Plan:
        """This plan with `delta` counters more (or fewer) in `hours`."""
        counters = dict(self.counters)
        for h in hours:
            if h in counters:
                counters[h] = max(1, min(len(self.order), counters[h] + delta))
        return Plan(counters, self.order)


@dataclass
class PlanResult:
    """A plan and what the simulator says of it, averaged over the seeds."""

    label: str
    plan: Plan
    reports: list[DayReport]
    within_target: float                        # share of the day's visitors
    by_hour: dict[int, float] = field(default_factory=dict)        # share within target
    p90_by_hour: dict[int, float] = field(default_factory=dict)    # p90 wait, minutes
    mean_by_hour: dict[int, float] = field(default_factory=dict)
    unreachable: list[int] = field(default_factory=list)  # hours that miss even fully staffed

    def meets(self, target: float) -> bool:
        """Every hour that can meet the target does (the unreachable ones excused)."""
        return all(v >= target for h, v in self.by_hour.items() if h not in self.unreachable)

    def to_json(self) -> dict:
        return {"label": self.label, "counters": self.plan.counters,
                "counter_hours": self.plan.counter_hours, "within_target": round(self.within_target, 4),
                "by_hour": {h: round(v, 4) for h, v in self.by_hour.items()},
                "p90_wait_by_hour": {h: round(v, 2) for h, v in self.p90_by_hour.items()},
                "mean_wait_by_hour": {h: round(v, 2) for h, v in self.mean_by_hour.items()},
                "order": list(self.plan.order), "unreachable_hours": self.unreachable}


def staffing_order(scenario: Scenario) -> tuple[str, ...]:
    """Counters in the order they are staffed: each next one the counter that covers the most
    demand (visitors × minutes) not yet covered, a counter's time shared among its services."""
    centre = scenario.centre
    demand = {s: scenario.mix.get(s, 0.0) * scenario.service_min.get(s, 7.0) for s in centre.services}
    covered = dict.fromkeys(centre.services, 0.0)
    left = list(centre.counters)
    order: list[str] = []
    while left:
        def score(c, covered=covered):  # noqa: ANN001, ANN202
            return sum(demand[s] / (1.0 + covered[s]) for s in c.services) / len(c.services) ** 0.5
        best = max(left, key=score)
        left.remove(best)
        order.append(best.id)
        for s in best.services:
            covered[s] += 1.0 / len(best.services)
    return tuple(order)


def shifts_of(plan: Plan) -> list[Shift]:
    """The shifts that staff `plan`: counter k is open in the hours that need more than k."""
    shifts = []
    for k, cid in enumerate(plan.order):
        hours = sorted(h for h, n in plan.counters.items() if n > k)
        if not hours:
            continue
        pauses = [(time(h), time(h + 1)) for h in range(hours[0], hours[-1]) if h not in hours]
        end = time(hours[-1] + 1) if hours[-1] < 23 else time(23, 59)
        shifts.append(Shift((cid,), time(hours[0]), end, tuple(_merge(pauses))))
    return shifts


def _merge(spans: list[tuple[time, time]]) -> list[tuple[time, time]]:
    out: list[tuple[time, time]] = []
    for begin, end in spans:
        if out and out[-1][1] == begin:
            out[-1] = (out[-1][0], end)
        else:
            out.append((begin, end))
    return out


def _fast(centre: CentreConfig) -> CentreConfig:
    """Planning needs the waits, not the printed estimates: the cheap estimator will do."""
    return replace(centre, waits=replace(centre.waits, estimator="simple"))


def evaluate(scenario: Scenario, plan: Plan, seeds: Sequence[int] = (1,),
             label: str = "plan") -> PlanResult:
    """Simulate `plan` on `scenario` for each seed and sum up the waits."""
    staffed = scenario.with_shifts(shifts_of(plan))
    reports = [day_report(simulate(staffed, seed, _fast(scenario.centre), history_days=0))
               for seed in seeds]
    hours = sorted(plan.counters)
    def mean(values: list[float]) -> float:
        return statistics.fmean(values) if values else 1.0
    by_hour = {h: mean([r.by_hour[h].within_target for r in reports if h in r.by_hour]) for h in hours}
    return PlanResult(
        label, plan, reports, mean([r.waits.within_target for r in reports]),
        {h: v for h, v in by_hour.items() if any(h in r.by_hour for r in reports)},
        {h: mean([r.by_hour[h].p90 for r in reports if h in r.by_hour]) for h in hours},
        {h: mean([r.by_hour[h].mean for r in reports if h in r.by_hour]) for h in hours})


def find_plan(scenario: Scenario, target: float = 0.9, seeds: Sequence[int] = (1,),
              progress: Callable[[str], None] | None = None) -> PlanResult:
    """The fewest counters per hour, hour by hour in time order, for `target` (0–1) of the
    visitors arriving in each hour to be called within their target wait; then checked on the
    whole day and raised where a later hour's cut made an earlier one miss. Hours that miss the
    target even with every counter open stay fully staffed and are named `unreachable`."""
    order = staffing_order(scenario)
    hours = list(range(min(scenario.hours), max(scenario.hours) + 1))
    plan = Plan(dict.fromkeys(hours, len(order)), order)
    say = progress or (lambda _msg: None)
    full = evaluate(scenario, plan, seeds)
    unreachable = [h for h, v in full.by_hour.items() if v < target]
    if unreachable:
        say("even with all counters open, these hours miss the target: "
            + ", ".join(f"{h:02d}:00 ({full.by_hour[h]:.0%})" for h in unreachable))
    for h in hours:
        if h in unreachable:
            continue
        lo, hi = 1, len(order)
        while lo < hi:
            mid = (lo + hi) // 2
            trial = evaluate(scenario, Plan({**plan.counters, h: mid}, order), seeds)
            if trial.by_hour.get(h, 1.0) >= target:
                hi = mid
            else:
                lo = mid + 1
        plan = Plan({**plan.counters, h: lo}, order)
        say(f"{h:02d}:00  {lo} counters")
    result = evaluate(scenario, plan, seeds)
    result.unreachable = unreachable
    for _ in range(len(hours) * 3):
        if result.meets(target):
            break
        missing = [h for h, v in result.by_hour.items() if v < target and h not in unreachable]
        worst = min(missing, key=lambda h: result.by_hour[h])
        # the hour itself, else the one before (less backlog), else the one after (its late
        # arrivals are called then)
        fix = next((h for h in (worst, worst - 1, worst + 1)
                    if h in plan.counters and plan.counters[h] < len(order)), None)
        if fix is None:
            break
        plan = plan.changed([fix], +1)
        say(f"{fix:02d}:00  raised to {plan.counters[fix]} counters")
        result = evaluate(scenario, plan, seeds)
        result.unreachable = unreachable
    result.label = f"plan for {target:.0%}"
    return result


def parse_change(text: str, hours: Sequence[int]) -> tuple[list[int], int]:
    """`13:-3` or `12-14:-3` (hours 12 and 13) → (hours, delta); ValueError naming the problem."""
    try:
        span, delta_text = text.split(":")
        delta = int(delta_text)
        if "-" in span:
            first, last = (int(x) for x in span.split("-"))
            chosen = list(range(first, last))
        else:
            chosen = [int(span)]
    except ValueError:
        raise ValueError(f"a change looks like 13:-3 or 12-14:-3 (hours, counters more or "
                         f"fewer), got {text!r}") from None
    unknown = [h for h in chosen if h not in hours]
    if unknown or not chosen:
        raise ValueError(f"change {text!r}: hours {unknown or chosen} are not planned hours "
                         f"({hours[0]:02d}–{hours[-1]:02d})")
    return chosen, delta
