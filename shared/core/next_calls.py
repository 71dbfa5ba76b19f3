"""A counter's waiting list as its console shows it: every waiting ticket the profile it runs now
may call, and the first few in the order its successive Nexts would call them (the call order
itself, shared/core/call_order.py `call_sequence`, from the counter's recent quota turns), each
with the level it would be called at (primary, or backup)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.core import counter_profiles
from shared.core.booked_order import candidate
from shared.core.call_order import call_sequence
from shared.core.model import Ticket
from shared.core.queue_tx import TICKET_COLUMNS, Tx, ticket_from_row


@dataclass(frozen=True)
class NextCall:
    """A ticket the counter's Next would call, at which level ("primary" or "backup")."""

    ticket: Ticket
    level: str


@dataclass(frozen=True)
class CounterWaiting:
    """What waits for one counter: the next calls in order, and over every waiting ticket its
    profile may call, how many, how many of a priority class and the earliest issue time."""

    profile: str
    calls: list[NextCall]
    count: int
    priority_count: int
    oldest_issued_at: float | None


def counter_waiting(tx: Tx, counter: str, limit: int) -> CounterWaiting:
    """The counter's waiting list at the transaction's instant (no change is made: the profile
    a switch or a schedule has set is read as the next Next would apply it)."""
    now, _, turns = counter_profiles.turns_now(tx, counter)
    rules = counter_profiles.call_rules(tx.config, counter, now.profile)
    services = tuple(rules.levels)
    marks = ",".join("?" * len(services))
    rows = tx.rows(f"SELECT {TICKET_COLUMNS} FROM tickets WHERE status = 'waiting' AND "
                   f"service IN ({marks}) ORDER BY priority_rank, queued_at, id", services)
    candidates = [candidate(tx.config, r) for r in rows]
    by_id = {r["id"]: r for r in rows}
    order = call_sequence(candidates, rules, turns, tx.at,
                          counter_profiles.fairness_of(tx.config), limit)
    calls = [NextCall(ticket_from_row(by_id[c.ticket.id]), c.level) for c in order]
    return CounterWaiting(now.profile, calls, len(rows),
                          sum(1 for r in rows if r["priority"]),
                          min((r["issued_at"] for r in rows), default=None))
