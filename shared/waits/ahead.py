"""Who is surely called before a waiting ticket ("people ahead", on the ticket, the phone page and
the board), by the work profiles the counters run now and the call order's rules
(shared/core/call_order.py): a waiting ticket T counts before ticket X when every counter that
may call X serves T's service and, whatever happens next, calls T first.

At one such counter T goes first when it is ordered before X (priority rank, queue time, id),
and
- T's service is primary there, or T is a backup ticket past its limit already (it stays
  primary), or X is a backup ticket there too and T reaches its limit no later than X;
- with a quota "N:M" there, T is of X's kind (both priority or both regular): a quota may call a
  regular visitor while a better priority one waits.
So, per service T may be of, a ticket counts when its queue time is at or before a threshold
(infinite: always), the least over the counters that may call X. With no profiles (every service
primary, priority first) this is the first round's rule: the services every counter serving X's
service also serves. A checked-in booking counts like a walk-in by queue time once it is due
(from then every counter calls it before the walk-ins, or by queue time); before that it is not
counted at all, since a counter calling bookings at their slot passes it by until then
(shared/waits/reading.people_ahead)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from shared.config.centre import CentreConfig
from shared.config.per_config import PerConfig
from shared.core.call_order import BACKUP, PRIMARY, CallRules
from shared.core.counter_profiles import call_rules
from shared.core.fairness import NORMAL_RANK

ALWAYS = math.inf


@dataclass(frozen=True)
class AheadRule:
    """Which waiting tickets count before a ticket of `service`: per service, the latest queue
    time that still counts (ALWAYS: any); `same_kind`: only tickets of the ticket's own kind
    (priority or regular) count, a quota deciding between kinds at some counter."""

    service: str
    before: Mapping[str, float]
    same_kind: bool

    def counts(self, service: str, rank: int, queued_at: float, is_priority: bool) -> bool:
        """Whether a waiting ticket already ordered before the ticket counts as ahead."""
        if self.same_kind and (rank < NORMAL_RANK) != is_priority:
            return False
        return queued_at <= self.before.get(service, -ALWAYS)


@dataclass(frozen=True)
class _Caller:
    """One counter that may call tickets of the service: its rules and the service's level."""

    rules: CallRules
    level: str


@dataclass(frozen=True)
class _Plan:
    """What the profiles decide for a service: the counters calling it, the services all of
    them serve, and — when no threshold depends on the time (every one primary) — the rule."""

    callers: tuple[_Caller, ...]
    common: frozenset[str]
    fixed: AheadRule | None


_PLANS: PerConfig[_Plan] = PerConfig()


def _plan(config: CentreConfig, profiles: Mapping[str, str | None], service: str) -> _Plan:
    """Worked out once per config, service and the counters' profiles (every issue asks)."""
    def made() -> _Plan:
        found = []
        for c in config.counters:
            rules = call_rules(config, c.id, profiles.get(c.id))
            if service in rules.levels:
                found.append(_Caller(rules, rules.levels[service]))
        if not found:                         # nobody calls it now: its own queue only
            return _Plan((), frozenset(), AheadRule(service, {service: ALWAYS}, False))
        common = frozenset.intersection(*(frozenset(c.rules.levels) for c in found))
        fixed = None
        if all(c.rules.levels[other] == PRIMARY for c in found for other in common):
            fixed = AheadRule(service, dict.fromkeys(common, ALWAYS),
                              any(c.rules.quota is not None for c in found))
        return _Plan(tuple(found), common, fixed)
    return _PLANS.get(config, (service, *(profiles.get(c.id) for c in config.counters)), made)


def ahead_rule(config: CentreConfig, profiles: Mapping[str, str | None], service: str,
               queued_at: float, now: float) -> AheadRule:
    """Which waiting tickets are surely called before a ticket of `service` queued at
    `queued_at` (module docstring), at `now`."""
    plan = _plan(config, profiles, service)
    if plan.fixed is not None:
        return plan.fixed
    before = {}
    for other in plan.common:
        limit = min(_threshold(c, other, service, queued_at, now) for c in plan.callers)
        if limit > -ALWAYS:
            before[other] = limit
    return AheadRule(service, before, any(c.rules.quota is not None for c in plan.callers))


def _threshold(caller: _Caller, other: str, service: str, queued_at: float,
               now: float) -> float:
    """The latest queue time at which a ticket of `other` surely goes before the ticket at this
    counter (-ALWAYS: none does)."""
    rules = caller.rules
    if rules.levels[other] == PRIMARY:
        return ALWAYS
    wait_s = rules.backup_after * rules.target_min.get(other, 10.0) * 60
    limits = [now - wait_s]                              # past its backup limit already
    if caller.level == BACKUP:                           # ...or reaching it before the ticket
        own_s = rules.backup_after * rules.target_min.get(service, 10.0) * 60
        limits.append(queued_at + own_s - wait_s)
    return max(limits)


_REACH: PerConfig[frozenset[str]] = PerConfig()


def may_count(config: CentreConfig, service: str) -> frozenset[str]:
    """Every service whose tickets may ever count ahead of a ticket of `service`, whichever
    profiles the counters run (those sharing a counter's profile with it): what a phone page
    follows. Worked out once per config."""
    def made() -> frozenset[str]:
        reach = {service}
        for c in config.counters:
            for pid in dict.fromkeys((None, "", *c.profile_choices,
                                      *(p.id for p in config.profiles))):
                levels = call_rules(config, c.id, pid).levels
                if service in levels:
                    reach.update(levels)
        return frozenset(reach)
    return _REACH.get(config, service, made)
