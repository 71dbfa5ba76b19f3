"""Help requests: a visitor presses "Help" at a kiosk (a `help_requested` device event); every
staff screen shows it until a signed-in staff member or volunteer acknowledges it, which appends
`help_acknowledged` for that device with their name (the device channel "help" of
DEVICE_CHANNELS: the open request is an alert like a printer's, shared/core/devices.py)."""

from __future__ import annotations

from shared.core.errors import IllegalTransition
from shared.core.queue_tx import Tx

REQUESTED, ACKNOWLEDGED = "help_requested", "help_acknowledged"


class NoHelpRequest(IllegalTransition):
    """The device has no help request waiting (someone acknowledged it already)."""


def acknowledge(tx: Tx, source: str, staff: str) -> int:
    """Append `help_acknowledged` for the device `source` in `staff`'s name, in the write
    transaction `tx`; NoHelpRequest when no request of that device is waiting."""
    last = tx.one("SELECT id FROM events WHERE kind = ? AND source = ? ORDER BY id DESC LIMIT 1",
                  (REQUESTED, source))
    if last is None or tx.one("SELECT 1 FROM events WHERE kind = ? AND source = ? AND id > ?",
                              (ACKNOWLEDGED, source, last[0])):
        raise NoHelpRequest(f"no help request is waiting at {source}")
    return tx.event(ACKNOWLEDGED, staff=staff, source=source, request_id=last[0])
