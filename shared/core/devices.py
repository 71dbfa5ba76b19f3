"""Kiosk and board devices as the event log tells them: the alerts staff must see now."""

from __future__ import annotations

import json

from shared.core.clock import from_epoch
from shared.core.errors import NovbeError, TicketNotFound
from shared.core.model import DEVICE_CHANNELS, DEVICE_KINDS, Alert, Event
from shared.core.queue_tx import EVENT_COLUMNS, Tx, event_from_row


def open_alerts(tx: Tx) -> list[Alert]:
    """Each device's latest alert on each channel (a printer out of paper…) that no later event
    of that channel has cleared, oldest first. Alerts are few, so this reads little; the
    clearing look-up is one index seek (events by kind, source, id)."""
    found: list[Alert] = []
    for alerts, oks in DEVICE_CHANNELS.values():
        a_marks, o_marks = ",".join("?" * len(alerts)), ",".join("?" * len(oks))
        rows = tx.rows(
            f"SELECT e.source, e.kind, e.details, e.at FROM events e "
            f"JOIN (SELECT source, max(id) AS id FROM events WHERE kind IN ({a_marks}) "
            "       AND source IS NOT NULL GROUP BY source) last ON last.id = e.id "
            f"WHERE NOT EXISTS (SELECT 1 FROM events o WHERE o.kind IN ({o_marks}) "
            "                   AND o.source = e.source AND o.id > e.id)",
            (*alerts, *oks))
        for r in rows:
            details = json.loads(r["details"]) if r["details"] else {}
            found.append(Alert(r["source"], r["kind"], details.get("message", ""),
                               from_epoch(r["at"])))  # type: ignore[arg-type]
    return sorted(found, key=lambda a: a.at)


def report(tx: Tx, source: str, kind: str, message: str = "", ticket_id: int | None = None
           ) -> Event:
    """Record what a device reports (a kiosk its printer, a board its sound) as an event."""
    if kind not in DEVICE_KINDS:
        raise NovbeError(f"unknown device event {kind!r} (known: {', '.join(DEVICE_KINDS)})")
    row = None
    if ticket_id is not None:
        row = tx.ticket_row("id = ?", (ticket_id,))
        if row is None:
            raise TicketNotFound(f"no ticket with id {ticket_id}")
    eid = tx.event(kind, row, source=source, message=message)
    found = tx.one(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (eid,))
    assert found is not None
    return event_from_row(found)
