"""Booked visitors in the waiting line as people see it: the call order itself is the pure
function of shared/core/call_order.py (a checked-in booking is due from `[bookings]
call_ahead_min` before its slot — shared/core/calling.py — then goes before the walk-ins of its
class; one not yet due only when nobody else can be called); this is the same order in SQL for
the consoles' waiting list."""

from __future__ import annotations

from shared.core.queue_tx import Tx

# The whole line in the order a counter with no profile calls it; its parameter :due is due_by(tx).
CALL_ORDER = ("coalesce(slot_at > :due, 0), priority_rank, slot_at IS NULL, slot_at, queued_at, "
              "id")


def due_by(tx: Tx) -> float:
    """A checked-in booking is due once its slot starts within `[bookings] call_ahead_min`."""
    return tx.at + tx.config.bookings.call_ahead_min * 60
