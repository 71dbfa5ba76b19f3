"""Personal data kept only as long as needed: a booking's name and phone number are erased
`erase_after_days` after its slot on the centre's file (with the phone numbers and texts of its
SMS reminders; the ledger's erase_personal_data, on the server's watch tick); the rest of the
booking stays for reports. A national booking erased on the central copy first is erased here
when the bookings link next pulls it (the ledger's merge_national). Central erases its copy the same way (central/bookings/erasure.py)."""

from __future__ import annotations

from shared.core.queue_tx import Tx


def erase_before(slot_before: float, tx: Tx) -> int:
    """Inside a write: erase the name and phone of every booking whose slot began before
    `slot_before`; returns how many bookings were erased."""
    cur = tx.conn.execute("UPDATE bookings SET name = NULL, phone = NULL WHERE slot_start < ? "
                          "AND (name IS NOT NULL OR phone IS NOT NULL)", (slot_before,))
    tx.conn.execute("UPDATE sms_outbox SET phone = '', body = '' WHERE phone != '' AND "
                    "booking_id IN (SELECT id FROM bookings WHERE slot_start < ?)", (slot_before,))
    return int(cur.rowcount or 0)


def erase_booking(tx: Tx, booking_id: str) -> None:
    """Inside a write: erase one booking's name and phone, and its SMS reminders' numbers and
    texts (the national copy erased them first)."""
    tx.conn.execute("UPDATE bookings SET name = NULL, phone = NULL WHERE id = ?", (booking_id,))
    tx.conn.execute("UPDATE sms_outbox SET phone = '', body = '' WHERE booking_id = ?",
                    (booking_id,))   # m013 made the outbox in every queue file
