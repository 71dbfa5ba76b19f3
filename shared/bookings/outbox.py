"""The SMS outbox in the queue's file (`sms_outbox`, migration m013): which reminders are still
to be planned, those of bookings no longer open to skip, the messages due to send now and each
try's outcome. What a sender's round has to do is read first (`round_work`), so a round with
nothing to do takes no write."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.bookings.model import Booking
from shared.bookings.reminders import due_kinds, text_of
from shared.bookings.rows import select
from shared.config.centre import CentreConfig
from shared.core.queue_tx import Tx

# pending reminders of bookings no longer open (cancelled, checked in, past): never sent
_CLOSED = ("state = 'pending' AND booking_id IN (SELECT id FROM bookings WHERE "
           "status != 'booked' OR slot_start <= ?)")


@dataclass(frozen=True)
class Reminder:
    """One message to send: its outbox id, number, text, tries so far and the booking code."""

    id: int
    phone: str
    body: str
    attempts: int
    code: str


@dataclass
class RoundWork:
    """What a round of the sender has to do, as read: reminders to plan (booking, kind, due),
    whether some must be skipped, and the messages due now."""

    to_plan: list[tuple[Booking, str, float]] = field(default_factory=list)
    to_skip: bool = False
    due: list[Reminder] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        """Whether the outbox must change before sending (planning or skipping)."""
        return bool(self.to_plan) or self.to_skip


def missing(tx: Tx) -> list[tuple[Booking, str, float]]:
    """The reminders every open booking with a phone number gets and has no outbox row for
    yet (booking, kind, when due)."""
    open_ = ("status = 'booked' AND phone IS NOT NULL AND slot_start > ? AND id NOT IN "
             "(SELECT booking_id FROM sms_outbox GROUP BY booking_id HAVING count(*) >= 3)")
    have: dict[str, set[str]] = {}
    for booking_id, kind in tx.rows("SELECT booking_id, kind FROM sms_outbox WHERE booking_id "
                                    f"IN (SELECT id FROM bookings WHERE {open_})", (tx.at,)):
        have.setdefault(booking_id, set()).add(kind)
    return [(booking, kind, due) for booking in select(tx, open_, (tx.at,))
            for kind, due in due_kinds(booking, tx.at) if kind not in have.get(booking.id, ())]


def due_now(tx: Tx, batch: int) -> list[Reminder]:
    """The first `batch` pending messages whose next try has come (earliest first)."""
    return [Reminder(r[0], r[1], r[2], r[3], r[4]) for r in tx.rows(
        "SELECT o.id, o.phone, o.body, o.attempts, b.code FROM sms_outbox o "
        "JOIN bookings b ON b.id = o.booking_id WHERE o.state = 'pending' "
        "AND o.next_try_at <= ? AND o.phone != '' ORDER BY o.next_try_at LIMIT ?",
        (tx.at, batch))]


def round_work(tx: Tx, batch: int) -> RoundWork:
    """In a read: what a round has to do now."""
    to_skip = tx.value(f"SELECT 1 FROM sms_outbox WHERE {_CLOSED} LIMIT 1", (tx.at,)) is not None
    return RoundWork(missing(tx), to_skip, due_now(tx, batch))


def plan_and_skip(tx: Tx, config: CentreConfig, batch: int) -> list[Reminder]:
    """Inside a write: add the missing reminders (texts in each booking's language), skip those
    of bookings no longer open; the messages due now."""
    for booking, kind, due in missing(tx):
        tx.conn.execute(
            "INSERT OR IGNORE INTO sms_outbox (booking_id, kind, phone, body, due_at, "
            "next_try_at) VALUES (?, ?, ?, ?, ?, ?)",
            (booking.id, kind, booking.phone, text_of(kind, booking, config), due, due))
    tx.conn.execute(f"UPDATE sms_outbox SET state = 'skipped' WHERE {_CLOSED}", (tx.at,))
    return due_now(tx, batch)


def record_try(tx: Tx, message: int, attempts: int, error: str | None,
               retry_in_s: float | None) -> None:
    """Inside a write: one try's outcome — sent (`error` None), tried again `retry_in_s` from
    now, or given up (`retry_in_s` None)."""
    if error is None:
        tx.conn.execute("UPDATE sms_outbox SET state = 'sent', sent_at = ?, attempts = ?, "
                        "last_error = NULL WHERE id = ?", (tx.at, attempts, message))
        return
    state, retry_at = ("failed", tx.at) if retry_in_s is None else ("pending", tx.at + retry_in_s)
    tx.conn.execute("UPDATE sms_outbox SET state = ?, attempts = ?, last_error = ?, "
                    "next_try_at = ? WHERE id = ?", (state, attempts, error, retry_at, message))


def delivery_counts(tx: Tx) -> dict[str, int]:
    """How many reminders are in each delivery state."""
    return {r[0]: int(r[1]) for r in tx.rows(
        "SELECT state, count(*) FROM sms_outbox GROUP BY state")}
