"""One unit of queue work on the SQLite file: its instant, its service day, rows read by name,
and the event every change appends (with the facts as they were at that instant)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.config.centre import CentreConfig
from shared.core.clock import from_epoch, to_datetime
from shared.core.errors import TicketNotFound
from shared.core.model import Event, Status, Ticket

TICKET_COLUMNS = ("id, code, prefix, number, service, issued_service, priority, priority_rank, "
                  "language, source, token, status, service_day, issued_at, queued_at, called_at, "
                  "started_at, finished_at, counter, staff, outcome, recalls, transfers, rating, "
                  "request_id, recalled_at, slot_at")
EVENT_COLUMNS = "id, at, kind, ticket_id, code, service, counter, staff, source, details"
OPEN_SQL = "('waiting', 'called', 'serving')"
NEWEST = "newest event id"         # Tx.memo's key of the newest event id (shared/core/changes.py)


@dataclass
class Tx:
    """A read or write transaction of the queue: connection, config, instant and service day."""

    conn: sqlite3.Connection
    config: CentreConfig
    now: datetime
    at: float
    day: date
    # what this transaction has read once and others in it ask again (shared/core/changes.py):
    # the newest event id, the events since one id; kept up to date by event()
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def rows(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def value(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def event(self, kind: str, ticket: TicketRow | None = None, counter: str | None = None,
              staff: str | None = None, source: str | None = None, service: str | None = None,
              **details: Any) -> int:
        """Append one event; a ticket's code and (unless given) its current service are copied
        in, so the event keeps telling what was true when it happened."""
        code = ticket["code"] if ticket is not None else None
        if service is None and ticket is not None:
            service = ticket["service"]
        cur = self.conn.execute(
            "INSERT INTO events(at, kind, ticket_id, code, service, counter, staff, source, details) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.at, kind, ticket["id"] if ticket is not None else None, code, service, counter,
             staff, source, json.dumps(details, ensure_ascii=False) if details else None))
        self.memo.clear()                 # what was read of the events is older now
        self.memo[NEWEST] = int(cur.lastrowid or 0)
        return int(cur.lastrowid or 0)

    def ticket_row(self, where: str, params: Any = ()) -> TicketRow | None:
        return self.one(f"SELECT {TICKET_COLUMNS} FROM tickets WHERE {where}", params)


TicketRow = sqlite3.Row


def find_ticket(tx: Tx, ref: str) -> TicketRow:
    """A ticket by its token, or today's ticket with this code (the open one first)."""
    ref = str(ref).strip()
    row = tx.ticket_row("token = ?", (ref,))
    if row is None:
        row = tx.ticket_row(f"service_day = ? AND code = ? ORDER BY status IN {OPEN_SQL} DESC, "
                            "id DESC LIMIT 1", (tx.day.isoformat(), ref.upper()))
    if row is None:
        raise TicketNotFound(f"no ticket {ref!r} today")
    return row


def ticket_by_id(tx: Tx, tid: int) -> TicketRow:
    """A ticket's row by its id."""
    row = tx.ticket_row("id = ?", (tid,))
    if row is None:
        raise TicketNotFound(f"no ticket with id {tid}")
    return row


def ticket_from_row(row: TicketRow) -> Ticket:
    """A ticket as the apps see it, from its row (read by column name)."""
    return Ticket(
        id=row["id"], code=row["code"], prefix=row["prefix"], number=row["number"],
        service=row["service"], priority=row["priority"], language=row["language"],
        source=row["source"], token=row["token"], status=Status(row["status"]),
        service_day=row["service_day"], issued_at=to_datetime(row["issued_at"]),
        called_at=from_epoch(row["called_at"]), started_at=from_epoch(row["started_at"]),
        finished_at=from_epoch(row["finished_at"]), counter=row["counter"],
        outcome=row["outcome"], recalls=row["recalls"] or 0, transfers=row["transfers"] or 0,
        rating=row["rating"], recalled_at=from_epoch(row["recalled_at"]),
        slot_at=from_epoch(row["slot_at"]))


def event_from_row(row: sqlite3.Row) -> Event:
    """An event as boards and reports read it: every fact from its own row."""
    return Event(row["id"], to_datetime(row["at"]), row["kind"], row["ticket_id"], row["code"],
                 row["service"], row["counter"], row["staff"], row["source"],
                 json.loads(row["details"]) if row["details"] else {})
