"""Kiosk and board devices as the event log tells them: the alerts staff must see now."""

from __future__ import annotations

import json

from shared.core.clock import from_epoch
from shared.core.model import DEVICE_CHANNELS, Alert
from shared.core.queue_tx import Tx


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
