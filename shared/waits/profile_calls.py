"""The replay at a counter running a work profile: the call order itself (shared/core/
call_order.py) picks among the heads of the counter's queues, so the estimate follows a
profile switch at once."""

from __future__ import annotations

from shared.core.call_order import CallRules, Candidate, Fairness, choose
from shared.waits.state import Entry

Live = list[tuple[str, list[Entry], list[Entry], int, int]]   # Replay.live of one counter


def by_profile(live: Live, rules: CallRules, heads: dict[int, int], at: float,
               turns: list[str], fairness: Fairness) -> tuple[str, list[Entry]] | None:
    """(service, queue) the counter calls from at `at` by its profile — the call order's
    choice among its services' first priority and first regular ticket — or None; the quota
    turn taken is appended to `turns`."""
    found: list[tuple[str, list[Entry]]] = []
    candidates: list[Candidate] = []
    for s, prio, regular, ip, ir in live:
        for q, h in ((prio, heads[ip]), (regular, heads[ir])):
            if h < len(q):
                rank, queued_at, tid = q[h]
                candidates.append(Candidate(tid, s, rank, queued_at))
                found.append((s, q))
    choice = choose(candidates, rules, turns, at, fairness)
    if choice is None:
        return None
    if choice.turn is not None:
        turns.append(choice.turn)
    return found[candidates.index(choice.ticket)]
