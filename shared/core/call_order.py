"""The call order, one pure function: which waiting ticket a counter calls at Next, from the
candidates, the profile it runs, its recent calls, the time and the fairness rule. `call_next`
(shared/core/local_queue.py), the estimator's replay (shared/waits/) and the day simulator
(planning/, through the real queue) all decide with it.

The rule, in order (README, the queue rules):
1. Services the profile does not serve are never called.
2. Booked visitors (`slot_at` set), when the profile takes them at their slot: one whose slot has
   come goes, within its priority class, before walk-ins, earliest slot first; one whose slot
   has not come waits for it unless nobody else is callable. Taken by arrival, they are
   walk-ins.
3. Backup services are called only when no primary ticket is callable, or once a backup ticket
   has waited `backup_after` × its service's target wait (then it counts as primary).
4. Priority first: the best priority class, then the earliest; the fairness rule lets a regular
   visitor past their limit go before priority visitors who came after that moment. A quota
   "N:M" instead takes, while both regular and priority visitors are callable, turns so that
   any N+M such calls in a row hold M priority ones: a priority visitor when fewer than M of the
   last N+M-1 such calls were priority, else a regular one.
5. Ties go to the lower ticket id (the earlier issue)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from shared.core.fairness import NORMAL_RANK, joins_priority_at

PRIMARY, BACKUP = "primary", "backup"
PRIORITY_TURN, REGULAR_TURN = "priority", "regular"


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the call order sees it (slot_at: a checked-in booking's slot start,
    None for a walk-in); id None is a ticket the estimator waits for (after every equal)."""

    id: int | None
    service: str
    rank: int                 # priority rank: lower first; NORMAL_RANK and above are regular
    queued_at: float          # epoch seconds
    slot_at: float | None = None

    @property
    def is_priority(self) -> bool:
        return self.rank < NORMAL_RANK


@dataclass(frozen=True)
class CallRules:
    """A counter's profile as the call order reads it: each service it serves with its level
    (a service it leaves out is not served), when a backup ticket counts as primary (a multiple
    of its service's target wait), the quota (regular, priority) or None for priority first,
    and whether bookings go at their slot."""

    levels: Mapping[str, str]
    backup_after: float = 2.0
    quota: tuple[int, int] | None = None
    at_slot: bool = True
    target_min: Mapping[str, float] = field(default_factory=dict)   # service → target wait
    name: str = ""                                                  # the profile's id


@dataclass(frozen=True)
class Fairness:
    """The fairness rule's settings: its multiple (0: off) and each service's target minutes."""

    multiple: float = 0.0
    target_min: Mapping[str, float] = field(default_factory=dict)

    def target(self, service: str) -> float:
        return self.target_min.get(service, 10.0)


@dataclass(frozen=True)
class Choice:
    """The ticket to call, at which level of the profile, and the quota turn it takes (None
    when it was not a contested call: only one kind was callable, or no quota)."""

    ticket: Candidate
    level: str
    turn: str | None = None


def every_service_primary(services: Iterable[str]) -> CallRules:
    """The rules of a counter with no profile: every service primary, priority first."""
    return CallRules(levels=dict.fromkeys(services, PRIMARY))


def choose(candidates: Iterable[Candidate], rules: CallRules, recent_turns: Sequence[str],
           now: float, fairness: Fairness = Fairness()) -> Choice | None:
    """The ticket the counter calls (module docstring), or None when it serves none of the
    candidates. `recent_turns`: the counter's recent quota turns, oldest first."""
    served = [c for c in candidates if c.service in rules.levels]
    if not served:
        return None
    due = [c for c in served if not _not_yet_due(c, rules, now)] or served
    primary = [c for c in due if _level(c, rules, now) == PRIMARY]
    pool = primary or due
    level = PRIMARY if primary else BACKUP
    priority = [c for c in pool if c.is_priority]
    regular = [c for c in pool if not c.is_priority]
    if rules.quota is not None and priority and regular:
        turn = quota_turn(rules.quota, recent_turns)
        if turn == REGULAR_TURN:
            return Choice(min(regular, key=lambda c: _key(c, rules, now)), level, turn)
        best = _priority_first(priority, regular, rules, now, fairness)
        return Choice(best, level, PRIORITY_TURN if best.is_priority else REGULAR_TURN)
    return Choice(_priority_first(priority, regular, rules, now, fairness), level)


def call_sequence(candidates: Iterable[Candidate], rules: CallRules, recent_turns: Sequence[str],
                  now: float, fairness: Fairness = Fairness(), limit: int = 12) -> list[Choice]:
    """The first `limit` tickets successive Nexts at this counter would call, in order, were
    nobody else to call and nobody to arrive meanwhile: `choose` again and again, each call's
    quota turn remembered (what a counter's console lists)."""
    left = [c for c in candidates if c.service in rules.levels]
    turns = list(recent_turns)
    keep = turns_kept(rules.quota)
    out: list[Choice] = []
    while left and len(out) < limit:
        choice = choose(left, rules, turns, now, fairness)
        if choice is None:
            break
        out.append(choice)
        left.remove(choice.ticket)
        if choice.turn is not None and keep:
            turns = [*turns, choice.turn][-keep:]
    return out


def quota_turn(quota: tuple[int, int], recent_turns: Sequence[str]) -> str:
    """Whose turn it is under a quota (regular N, priority M) after `recent_turns`: priority
    when fewer than M of the last N+M-1 contested calls were priority."""
    n, m = quota
    window = list(recent_turns)[-(n + m - 1):] if n + m > 1 else []
    return PRIORITY_TURN if window.count(PRIORITY_TURN) < m else REGULAR_TURN


def turns_kept(quota: tuple[int, int] | None) -> int:
    """How many recent turns the quota reads (what a counter must remember)."""
    return 0 if quota is None else sum(quota) - 1


def _not_yet_due(c: Candidate, rules: CallRules, now: float) -> bool:
    return rules.at_slot and c.slot_at is not None and c.slot_at > now


def _level(c: Candidate, rules: CallRules, now: float) -> str:
    level = rules.levels[c.service]
    if level == BACKUP and now - c.queued_at >= rules.backup_after * _target_s(rules, c):
        return PRIMARY
    return level


def _target_s(rules: CallRules, c: Candidate) -> float:
    return rules.target_min.get(c.service, 10.0) * 60


def _key(c: Candidate, rules: CallRules, now: float) -> tuple[int, int, float, float]:
    """The order within one kind: priority class, then due bookings by slot before walk-ins by
    queue time, then (nobody else callable) bookings not yet due by slot; then the id."""
    tid = float("inf") if c.id is None else float(c.id)
    if rules.at_slot and c.slot_at is not None:
        return (c.rank, 0 if c.slot_at <= now else 2, c.slot_at, tid)
    return (c.rank, 1, c.queued_at, tid)


def _priority_first(priority: list[Candidate], regular: list[Candidate], rules: CallRules,
                    now: float, fairness: Fairness) -> Candidate:
    """The best ticket by class, then time; with the fairness rule, a regular ticket that
    reached its limit before the best priority ticket came goes first."""
    best = min(priority or regular, key=lambda c: _key(c, rules, now))
    if not best.is_priority or fairness.multiple <= 0 or not regular:
        return best
    joined = [(joins_priority_at(c.queued_at, fairness.target(c.service), fairness.multiple),
               _key(c, rules, now), c) for c in regular]
    overdue = [j for j in joined if j[0] <= now and j[0] < best.queued_at]
    return min(overdue, key=lambda j: (j[0], j[1]))[2] if overdue else best
