"""How booked visitors and walk-ins share a counter's line (README, the queue rules): within a
priority class, a checked-in booking whose slot has come (slot_at ≤ now, less the call-ahead) is
called before the walk-ins, earliest slot first; a booking not yet due waits for its slot unless the counter has
nobody else to call. One function, so the call order's later pure form can take it whole."""

from __future__ import annotations

from shared.core.queue_tx import TICKET_COLUMNS, TicketRow, Tx

# Due bookings (slot_at set and reached, less the call-ahead) first within a rank, by slot;
# then walk-ins by arrival.
_DUE_FIRST = ("(slot_at IS NULL OR slot_at <= :due) ORDER BY priority_rank, slot_at IS NULL, "
              "slot_at, queued_at, id LIMIT 1")
# The whole line in the order next_waiting calls it (consoles and `novbe waiting` show it);
# its parameter :due is due_by(tx).
CALL_ORDER = ("coalesce(slot_at > :due, 0), priority_rank, slot_at IS NULL, slot_at, queued_at, "
              "id")


def due_by(tx: Tx) -> float:
    """A checked-in booking is due once its slot starts within `[bookings] call_ahead_min`."""
    return tx.at + tx.config.bookings.call_ahead_min * 60


def next_waiting(tx: Tx, services: tuple[str, ...]) -> TicketRow | None:
    """The waiting ticket a counter serving `services` calls next (before the fairness rule):
    the first of its priority class with due bookings ahead of walk-ins; a booking not yet due
    only when nobody else is waiting, the earliest slot first."""
    names = {f"s{i}": s for i, s in enumerate(services)}
    within = f"status = 'waiting' AND service IN ({','.join(':' + k for k in names)})"
    params = {**names, "due": due_by(tx)}
    row: TicketRow | None = tx.one(f"SELECT {TICKET_COLUMNS} FROM tickets WHERE {within} AND "
                                   + _DUE_FIRST, params)
    if row is None:
        row = tx.one(f"SELECT {TICKET_COLUMNS} FROM tickets WHERE {within} AND slot_at > :due "
                     "ORDER BY slot_at, priority_rank, queued_at, id LIMIT 1", params)
    return row
