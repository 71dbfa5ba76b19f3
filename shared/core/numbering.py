"""Ticket numbers: a per-prefix daily sequence bumped inside the issuing transaction, wrapping
past 999 and never handing out a code whose ticket is still open that day."""

from __future__ import annotations

from shared.core.errors import DailyCapReached
from shared.core.queue_tx import OPEN_SQL, Tx

MAX_NUMBER = 999


def next_number(tx: Tx, prefix: str) -> tuple[int, str]:
    """The prefix's next number today, bumped in this transaction; past 999 it wraps, and
    skips every number whose ticket is still open (two open tickets never share a code)."""
    today = tx.day.isoformat()
    for _ in range(MAX_NUMBER):
        last = tx.value(
            "INSERT INTO sequences(service_day, prefix, last) VALUES (?, ?, 1) "
            "ON CONFLICT(service_day, prefix) DO UPDATE SET last = last + 1 RETURNING last",
            (today, prefix))
        number = (last - 1) % MAX_NUMBER + 1
        code = f"{prefix}-{number:03d}"
        if tx.one(f"SELECT 1 FROM tickets WHERE service_day = ? AND code = ? AND status IN {OPEN_SQL}",
                  (today, code)) is None:
            return number, code
    raise DailyCapReached(f"all {MAX_NUMBER} numbers of prefix {prefix} are held by open tickets")
