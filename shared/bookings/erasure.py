"""Personal data kept only as long as needed: a booking's name and phone number are erased
`erase_after_days` after its slot on the centre's file (with the phone numbers and texts of its
SMS reminders; the ledger's erase_personal_data, on the server's watch tick); the rest of the
booking stays for reports. A national booking erased on the central copy first is erased here
when the bookings link next pulls it (the ledger's merge_national). Central erases its copy the same way (central/bookings/erasure.py)."""

from __future__ import annotations

from typing import Any


def erase_before(slot_before: float, tx: Any) -> int:
    """Inside a write: erase the name and phone of every booking whose slot began before
    `slot_before`; returns how many bookings were erased."""
    cur = tx.conn.execute("UPDATE bookings SET name = NULL, phone = NULL WHERE slot_start < ? "
                          "AND (name IS NOT NULL OR phone IS NOT NULL)", (slot_before,))
    if _has_sms(tx):
        tx.conn.execute("UPDATE sms_outbox SET phone = '', body = '' WHERE phone != '' AND "
                        "booking_id IN (SELECT id FROM bookings WHERE slot_start < ?)",
                        (slot_before,))
    return int(cur.rowcount or 0)


def erase_booking(tx: Any, booking_id: str) -> None:
    """Inside a write: erase one booking's name and phone, and its SMS reminders' numbers and
    texts (the national copy erased them first)."""
    tx.conn.execute("UPDATE bookings SET name = NULL, phone = NULL WHERE id = ?", (booking_id,))
    if _has_sms(tx):
        tx.conn.execute("UPDATE sms_outbox SET phone = '', body = '' WHERE booking_id = ?",
                        (booking_id,))


def _has_sms(tx: Any) -> bool:
    return bool(tx.value("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                         "name = 'sms_outbox'"))
