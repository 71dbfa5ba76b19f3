"""The service day's change: what the old day left open ends with it, and the day never runs
backwards when the clock does."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shared.core.changes import stored_day_and_newest
from shared.core.clock import from_epoch, to_epoch
from shared.core.model import CounterMode, Outcome, Status
from shared.core.queue_tx import Tx
from shared.core.service_day import day_start


def stored_day(tx: Tx) -> str | None:
    """The service day the file was last written in (ISO date), if any (read with the newest
    event id: shared/core/changes.py)."""
    return stored_day_and_newest(tx)


def roll_day(tx: Tx) -> None:
    """Bring the file to the transaction's service day.

    On the first write of a new day, expire what the old days left waiting or called, end the
    visits left serving (outcome day_end) and close the counters left open, each with its event.
    A ticket left open ends (finished_at, and `ended_at` in its event) when its own day ended —
    the next day's start — not at this first access, which may be days later; the events keep
    the transaction's time as `at`, so the log stays in time order.

    If the clock has stepped back over the reset hour (the file was written on a later day than
    the clock now says), the file's day stands: tx.day is moved forward to it, so nothing is
    filed under a day that has already ended."""
    today = tx.day.isoformat()
    last = stored_day(tx)
    if last == today:
        return
    if last is not None and last > today:
        tx.day = date.fromisoformat(last)
        return
    stale = tx.rows("SELECT id, code, service, status, counter, staff, service_day FROM tickets "
                    "WHERE status IN ('waiting', 'called', 'serving') AND service_day < ?", (today,))
    for t in stale:
        ended_at = min(to_epoch(_day_end(tx, t["service_day"])), tx.at)
        ended_iso = from_epoch(ended_at).isoformat()  # type: ignore[union-attr]
        if t["status"] == Status.SERVING:
            tx.conn.execute("UPDATE tickets SET status = 'done', outcome = ?, finished_at = ? "
                            "WHERE id = ?", (Outcome.DAY_END, ended_at, t["id"]))
            tx.event("finished", t, t["counter"], t["staff"], outcome=Outcome.DAY_END,
                     ended_at=ended_iso)
        else:
            tx.conn.execute("UPDATE tickets SET status = 'expired', finished_at = ? WHERE id = ?",
                            (ended_at, t["id"]))
            tx.event("expired", t, t["counter"], t["staff"], ended_at=ended_iso)
    for c in tx.rows("SELECT id, staff FROM counters WHERE state != 'closed'"):
        tx.conn.execute("UPDATE counters SET state = ?, staff = NULL, updated_at = ? WHERE id = ?",
                        (CounterMode.CLOSED, tx.at, c["id"]))  # staff open again each morning
        tx.event("counter_closed", None, c["id"], c["staff"], reason="day_end")
    tx.conn.execute("INSERT INTO meta(key, value) VALUES ('service_day', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (today,))
    tx.event("day_started", service_day=today, expired=len(stale))


def _day_end(tx: Tx, day: str) -> datetime:
    """The instant service day `day` (ISO date) ended: the next day's start."""
    return day_start(date.fromisoformat(day) + timedelta(days=1), tx.config.tz,
                     tx.config.day_reset_hour)
