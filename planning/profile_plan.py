"""The planner's profile recommendation: which work profile each staffed counter should run in
each hour, at the same counter-hours (the scenario's shifts are kept as they are), for the
most visitors called within their target wait.

A day is played in memory (planning/rest_of_day.py: the call order itself at every Next)
over the scenario's visitors — their arrivals, priority classes and visit times drawn from the
seed as the day simulator draws them; walk-up counted in the visit; no-shows and transfers
left out of the search — so that hundreds of candidate plans can be tried. The search starts
from every counter running its default profile and, hour by hour, tries each profile on each
counter open then (those sharing a service with it and calling differently), keeping a change
when the day's within-target share rises (ties: less idle-while-waiting)."""

from __future__ import annotations

import statistics
import time as wall
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from planning.rest_of_day import CounterStart, DayPlayed, DayStart, MemoryCalls, Visit, play
from planning.scenario import Scenario
from planning.visitors import draw_visitors
from shared.config.centre import CentreConfig
from shared.core.call_order import CallRules
from shared.core.counter_profiles import call_rules, fairness_of
from shared.core.fairness import NORMAL_RANK

ProfilePlan = dict[str, dict[int, str]]      # counter → local hour → profile (absent: default)


def _seconds(t: Any) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second


def day_of(scenario: Scenario, seed: int) -> DayStart:
    """The scenario's day as the in-memory play reads it (epoch seconds of its date)."""
    cfg = scenario.centre
    midnight = datetime.combine(scenario.day, datetime.min.time(), cfg.tz).timestamp()
    visits = []
    for i, v in enumerate(draw_visitors(scenario, seed)):
        klass = cfg.priority(v.priority) if v.priority else None
        visits.append(Visit(i + 1, v.service, klass.rank if klass else NORMAL_RANK,
                            midnight + v.arrival, v.walk_up_s + v.visit_s[0], v.priority))
    spans: dict[str, list[tuple[float, float]]] = {}
    for shift in scenario.shifts:
        begin, end = midnight + _seconds(shift.open), midnight + _seconds(shift.close)
        cuts = sorted((midnight + _seconds(a), midnight + _seconds(b)) for a, b in shift.pauses)
        for cid in shift.counters:
            at = begin
            for a, b in cuts:
                spans.setdefault(cid, []).append((at, a))
                at = b
            spans.setdefault(cid, []).append((at, end))
    counters = tuple(CounterStart(c.id, min((a for a, _ in spans[c.id]), default=None))
                     for c in cfg.counters if c.id in spans)
    targets = {s: v.target_wait_min for s, v in cfg.services.items()}
    ends = max(b for ss in spans.values() for _, b in ss) if spans else midnight + 86400
    first = min((v.at for v in visits), default=midnight)
    return DayStart(min(first, min(c.free_at or ends for c in counters)), (), tuple(visits),
                    counters, ends, fairness_of(cfg), targets,
                    {c: tuple(s) for c, s in spans.items()})


def rules_of(config: CentreConfig, plan: ProfilePlan) -> Callable[[str, float], CallRules]:
    """Each counter's rules at a time under `plan` (an hour it does not name: its default)."""
    cache: dict[tuple[str, str | None], CallRules] = {}

    def rules(counter: str, at: float) -> CallRules:
        hour = datetime.fromtimestamp(at, config.tz).hour
        pid = plan.get(counter, {}).get(hour)
        if (counter, pid) not in cache:
            cache[counter, pid] = call_rules(config, counter, pid)
        return cache[counter, pid]
    return rules


def could_serve(config: CentreConfig) -> dict[str, set[str]]:
    """Per counter, every service some profile it could run would call: whom it could have
    helped while it sat idle (the idle-while-waiting the search cuts)."""
    return {c.id: {s for pid in choices_for(config, c.id)
                   for s in call_rules(config, c.id, pid).levels} for c in config.counters}


def played(day: DayStart, config: CentreConfig, plan: ProfilePlan,
           served: dict[str, set[str]] | None = None) -> DayPlayed:
    services = served if served is not None else could_serve(config)
    return play(day, MemoryCalls(day, rules_of(config, plan)),
                lambda counter, at: services[counter])


@dataclass
class PlanFigures:
    """A profile plan and how the day goes under it, averaged over the seeds."""

    plan: ProfilePlan
    within_target: float              # share 0–1
    idle_waiting_min: float           # counters free while someone waited they could call
    wait_mean_min: float

    def better_than(self, other: PlanFigures) -> bool:
        if abs(self.within_target - other.within_target) > 1e-9:
            return self.within_target > other.within_target
        return self.idle_waiting_min < other.idle_waiting_min - 1e-9


def figures(days: Sequence[DayStart], config: CentreConfig, plan: ProfilePlan,
            served: dict[str, set[str]] | None = None) -> PlanFigures:
    served = served if served is not None else could_serve(config)
    runs = [played(d, config, plan, served) for d in days]
    waits = [w for r in runs for w in r.waits_min().values() if w is not None]
    return PlanFigures({c: dict(h) for c, h in plan.items()},
                       statistics.fmean(r.within_target() for r in runs),
                       statistics.fmean(r.idle_waiting_s / 60 for r in runs),
                       statistics.fmean(waits) if waits else 0.0)


def choices_for(config: CentreConfig, counter: str) -> list[str]:
    """The profiles worth trying at a counter: each sharing a service with it whose rules
    there differ from every one listed before (its default first)."""
    out: list[str] = []
    seen: list[CallRules] = []
    default = config.counter(counter).profile
    for pid in [default, *(p.id for p in config.profiles), ""]:
        try:
            rules = call_rules(config, counter, pid)
        except Exception:                       # noqa: BLE001 — a profile it cannot run
            continue
        if not rules.levels or any(_same(rules, r) for r in seen):
            continue
        seen.append(rules)
        out.append(pid)
    return out


def _same(a: CallRules, b: CallRules) -> bool:
    return (dict(a.levels), a.backup_after, a.quota, a.at_slot) == \
        (dict(b.levels), b.backup_after, b.quota, b.at_slot)


@dataclass
class Recommendation:
    """The recommended profiles and the day with them against every counter on its default."""

    plan: ProfilePlan
    recommended: PlanFigures
    alike: PlanFigures
    tried: int
    seconds: float
    hours: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan, "tried": self.tried, "seconds": round(self.seconds, 2),
                "within_target": round(self.recommended.within_target, 4),
                "within_target_alike": round(self.alike.within_target, 4),
                "idle_waiting_min": round(self.recommended.idle_waiting_min, 1),
                "idle_waiting_min_alike": round(self.alike.idle_waiting_min, 1),
                "wait_mean_min": round(self.recommended.wait_mean_min, 2),
                "wait_mean_min_alike": round(self.alike.wait_mean_min, 2)}


def recommend(scenario: Scenario, seeds: Sequence[int] = (1,), budget: int = 400,
              progress: Callable[[str], None] | None = None) -> Recommendation:
    """Search profiles per counter and hour (module docstring): first one profile for all the
    counters open in an hour, then counter by counter, at most `budget` plans tried (each over
    every seed); the scenario's shifts — its counter-hours — are kept."""
    began = wall.perf_counter()
    config = scenario.centre
    days = [day_of(scenario, seed) for seed in seeds]
    say = progress or (lambda _msg: None)
    served = could_serve(config)
    alike = figures(days, config, {}, served)
    best, tried = alike, 0
    spans = days[0].spans or {}
    hours = sorted({h for ss in spans.values() for a, b in ss for h in _hours(a, b, config)})
    open_at = {h: [c.id for c in config.counters
                   if any(h in _hours(a, b, config) for a, b in spans.get(c.id, ()))]
               for h in hours}
    choices = {c.id: choices_for(config, c.id) for c in config.counters}

    def attempt(changes: dict[str, str], hour: int) -> None:
        nonlocal best, tried
        plan = {k: dict(v) for k, v in best.plan.items()}
        for cid, pid in changes.items():
            plan.setdefault(cid, {})[hour] = pid
        trial = figures(days, config, plan, served)
        tried += 1
        if trial.better_than(best):
            best = trial
            say(f"{hour:02d}:00  {len(changes)} counter(s) to {set(changes.values())} "
                f"({best.within_target:.1%} within target)")
    for hour in hours:                      # 1: one profile for every counter open that hour
        for pid in sorted({p for cid in open_at[hour] for p in choices[cid]}):
            if tried < budget:
                attempt({cid: pid for cid in open_at[hour] if pid in choices[cid]}, hour)
    for hour in hours:                      # 2: counter by counter, while the budget lasts
        for cid in open_at[hour]:
            current = best.plan.get(cid, {}).get(hour, config.counter(cid).profile)
            for pid in choices[cid]:
                if pid != current and tried < budget:
                    attempt({cid: pid}, hour)
    return Recommendation(best.plan, best, alike, tried, wall.perf_counter() - began, hours)


def _hours(a: float, b: float, config: CentreConfig) -> list[int]:
    """The local hours a span [a, b) touches."""
    first = datetime.fromtimestamp(a, config.tz)
    out, at = [], first.replace(minute=0, second=0, microsecond=0)
    while at.timestamp() < b:
        out.append(at.hour)
        at += timedelta(hours=1)
    return out


def render_recommendation(rec: Recommendation, config: CentreConfig, lang: str = "en") -> str:
    """The recommended profiles, counters with the same day grouped, and what they change."""
    from shared.core.profile_text import profile_name

    groups: dict[tuple[tuple[int, str], ...], list[str]] = {}
    for c in config.counters:
        hours = rec.plan.get(c.id, {})
        key = tuple(sorted((h, p) for h, p in hours.items() if p != c.profile))
        if key:
            groups.setdefault(key, []).append(c.id)
    lines = ["Recommended work profiles (the same counter-hours):"]
    for key, counters in groups.items():
        day = " · ".join(f"{h:02d}:00 {profile_name(config, p, lang)}" for h, p in key)
        lines.append(f"  counters {', '.join(counters)}: {day}")
    if not groups:
        lines.append("  every counter on its default profile: no change helps")
    r, a = rec.recommended, rec.alike
    lines.append(f"Within target {a.within_target:.1%} → {r.within_target:.1%}; idle while "
                 f"someone waited {a.idle_waiting_min:.0f} → {r.idle_waiting_min:.0f} minutes; "
                 f"mean wait {a.wait_mean_min:.1f} → {r.wait_mean_min:.1f} min "
                 f"({rec.tried} plans tried in {rec.seconds:.0f} s).")
    return "\n".join(lines)
