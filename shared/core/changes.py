"""What changed since an event a reader kept its view up to: the newest event id, the service
day and the counters open, in one statement; and the events after an id with the current row of each one's ticket —
one read that every view kept per event (the waiting tickets, the newcomers' replay, the board's
hall) catches up from, however many of them a read brings up to date.

Both are remembered in the transaction (Tx.memo): a read sees one snapshot of the file, and a
write's own events keep the memo right (Tx.event sets the newest id and forgets the rest)."""

from __future__ import annotations

from typing import NamedTuple

from shared.core.queue_tx import NEWEST, Tx

SEP = "\x1f"                       # between counter ids (the ASCII unit separator)
DAY_AND_NEWEST = ("SELECT (SELECT value FROM meta WHERE key = 'service_day'), "
                  "(SELECT coalesce(max(id), 0) FROM events), "
                  "(SELECT group_concat(id, char(31)) FROM counters WHERE state = 'open')")
OPEN = "open counters"             # Tx.memo's key of the ids of the counters open


class TicketNow(NamedTuple):
    """A ticket as it is now: what the views kept per event hold of it."""

    id: int
    status: str
    service: str
    rank: int
    queued_at: float
    slot_at: float | None


class Change(NamedTuple):
    """One event after the kept one: its kind, service, the service a transfer went to, and its
    ticket as it is now (None: the event names no ticket)."""

    event_id: int
    kind: str
    service: str | None
    to_service: str | None
    ticket: TicketNow | None


def stored_day_and_newest(tx: Tx) -> str | None:
    """The service day the file was last written in (ISO date, None: never), read with the
    newest event id and the counters open, which are remembered for newest_event and
    open_counter_ids (every transaction reads the day first: shared/core/day_change.py)."""
    day, newest, open_ids = tx.conn.execute(DAY_AND_NEWEST).fetchone()
    tx.memo[NEWEST] = int(newest)
    tx.memo[OPEN] = frozenset(open_ids.split(SEP)) if open_ids else frozenset()
    return day


def open_counter_ids(tx: Tx) -> frozenset[str]:
    """The ids of the counters open now, in this transaction's view."""
    ids: frozenset[str] | None = tx.memo.get(OPEN)
    if ids is None:
        ids = tx.memo[OPEN] = frozenset(
            r[0] for r in tx.rows("SELECT id FROM counters WHERE state = 'open'"))
    return ids


def newest_event(tx: Tx) -> int:
    """The id of the newest event in this transaction's view (0: none yet)."""
    newest = tx.memo.get(NEWEST)
    if newest is None:
        newest = tx.memo[NEWEST] = int(tx.value("SELECT coalesce(max(id), 0) FROM events"))
    return int(newest)


def changes_since(tx: Tx, seen: int, last: int) -> list[Change]:
    """The events after `seen` up to `last`, oldest first, each with its ticket's row now."""
    key = ("changes", seen, last)
    kept: list[Change] | None = tx.memo.get(key)
    if kept is None:
        rows = tx.conn.execute(
            "SELECT e.id, e.kind, e.service, json_extract(e.details, '$.to_service'), "
            "t.id, t.status, t.service, t.priority_rank, t.queued_at, t.slot_at "
            "FROM events e LEFT JOIN tickets t ON t.id = e.ticket_id "
            "WHERE e.id > ? AND e.id <= ? ORDER BY e.id", (seen, last)).fetchall()
        kept = [Change(r[0], r[1], r[2], r[3],
                       None if r[4] is None else TicketNow(r[4], r[5], r[6], r[7], r[8], r[9]))
                for r in rows]
        tx.memo[key] = kept
    return kept
