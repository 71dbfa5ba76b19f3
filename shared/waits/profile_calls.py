"""The replay at a counter running a work profile: the call order itself (shared/core/
call_order.py) picks among the heads of the counter's queues and its booked visitors, so the
estimate follows a profile switch at once and counts bookings as call_next takes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.core.call_order import CallRules, Candidate, Fairness, choose
from shared.waits.state import Booked, Entry

Live = list[tuple[str, list[Entry], list[Entry], int, int]]   # Replay.live of one counter


@dataclass(frozen=True)
class ProfileBooked:
    """The booked visitors a profiled counter may call: all of them by slot, its own (indices,
    in slot order), those already called, and the rank they are called at (regular)."""

    booked: Sequence[Booked]
    mine: list[int]
    taken: set[int]
    rank: int
    newcomers: bool = False       # the newcomers' replay: a booking not yet due never goes


def by_profile(live: Live, rules: CallRules, heads: dict[int, int], at: float,
               turns: list[str], fairness: Fairness,
               booked: ProfileBooked | None = None) -> tuple[str, int | None] | None:
    """The (service, ticket id) the counter calls at `at` by its profile — the call order's
    choice among its services' first priority and first regular ticket and, per service, its
    first booked visitor not called yet (due at its slot less the call-ahead) — taken: its
    queue's head moves on, or the booked visitor is marked called; the quota turn taken is
    appended to `turns`. None: the counter serves nobody waiting."""
    found: list[tuple[str, list[Entry] | None, int]] = []
    candidates: list[Candidate] = []
    for s, prio, regular, ip, ir in live:
        for q, h in ((prio, heads[ip]), (regular, heads[ir])):
            if h < len(q):
                rank, queued_at, tid = q[h]
                candidates.append(Candidate(tid, s, rank, queued_at))
                found.append((s, q, id(q)))
    if booked is not None:
        for k, (s, due) in _first_booked(booked, at).items():
            candidates.append(Candidate(booked.booked[k][2], s, booked.rank, due, slot_at=due))
            found.append((s, None, k))
    choice = choose(candidates, rules, turns, at, fairness)
    if choice is None:
        return None
    if choice.turn is not None:
        turns.append(choice.turn)
    service, queue, key = found[next(n for n, c in enumerate(candidates)
                                     if c is choice.ticket)]
    if queue is None and booked is not None:
        booked.taken.add(key)
    else:
        heads[key] += 1
    return service, choice.ticket.id


def _first_booked(booked: ProfileBooked, at: float) -> dict[int, tuple[str, float]]:
    """Per service, the counter's earliest booked visitor not called yet (index → service,
    due), leaving out those not yet due in the newcomers' replay."""
    first: dict[str, int] = {}
    for k in booked.mine:
        due, s, _ = booked.booked[k]
        if k in booked.taken or s in first or (booked.newcomers and due > at):
            continue
        first[s] = k
    return {k: (s, booked.booked[k][0]) for s, k in first.items()}
