"""When a booked visitor is due, and booked visitors in the waiting line as people see it: a
checked-in booking is due from `[bookings] call_ahead_min` before its slot (due_at, due_by: the
one place that offset is read — Next's candidates, the console's list, the consoles' SQL order
and the wait estimate all take it from here), then goes before the walk-ins of its class, one
not yet due only when nobody else can be called (the pure call order of
shared/core/call_order.py); CALL_ORDER is the same order in SQL for the consoles' waiting
list."""

from __future__ import annotations

from shared.config.centre import CentreConfig
from shared.core.call_order import Candidate
from shared.core.queue_tx import TicketRow, Tx

# The whole line in the order a counter with no profile calls it; its parameter :due is due_by(tx).
CALL_ORDER = ("coalesce(slot_at > :due, 0), priority_rank, slot_at IS NULL, slot_at, queued_at, "
              "id")


def _call_ahead_s(config: CentreConfig) -> float:
    """How long before its slot a checked-in booking is due: `[bookings] call_ahead_min`."""
    return config.bookings.call_ahead_min * 60.0


def due_at(config: CentreConfig, slot_at: float) -> float:
    """When a booking for the slot starting at `slot_at` is due (called before walk-ins)."""
    return slot_at - _call_ahead_s(config)


def due_by(tx: Tx) -> float:
    """Bookings whose slot starts by then are due now (the inverse of due_at, for SQL)."""
    return tx.at + _call_ahead_s(tx.config)


def candidate(config: CentreConfig, row: TicketRow) -> Candidate:
    """A waiting ticket's row as the call order sees it: a checked-in booking's `slot_at` as
    the moment it is due."""
    slot_at = row["slot_at"]
    return Candidate(row["id"], row["service"], row["priority_rank"], row["queued_at"],
                     None if slot_at is None else due_at(config, slot_at))
