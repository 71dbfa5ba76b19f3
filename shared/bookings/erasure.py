"""Personal data kept only as long as needed: a booking's name and phone number are erased
`erase_after_days` after its slot on the centre's file (with the phone numbers and texts of its
SMS reminders; the ledger's erase_personal_data, on the server's watch tick); the rest of the
booking stays for reports. Central erases its copy the same way (central/bookings/erasure.py)."""

from __future__ import annotations

from typing import Any


def erase_before(slot_before: float, tx: Any) -> int:
    """Inside a write: erase the name and phone of every booking whose slot began before
    `slot_before`; returns how many bookings were erased."""
    cur = tx.conn.execute("UPDATE bookings SET name = NULL, phone = NULL WHERE slot_start < ? "
                          "AND (name IS NOT NULL OR phone IS NOT NULL)", (slot_before,))
    has_sms = tx.value("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sms_outbox'")
    if has_sms:
        tx.conn.execute("UPDATE sms_outbox SET phone = '', body = '' WHERE phone != '' AND "
                        "booking_id IN (SELECT id FROM bookings WHERE slot_start < ?)",
                        (slot_before,))
    return int(cur.rowcount or 0)
