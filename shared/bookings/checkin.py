"""Checking a booked visitor in, inside one write of the queue: the window rule decides, and a
ticket — with its slot's start for the call order, or a walk-in's — is issued in the same
transaction as the booking's change and its event."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.bookings import rows
from shared.bookings.model import Booking, BookingStatus, Channel, normal_code
from shared.bookings.window import Arrival, arrival, opens_at
from shared.core.issuing import IssueRequest, issue_in
from shared.core.model import Ticket
from shared.core.queue_tx import Tx, ticket_by_id, ticket_from_row

BOOKING_SOURCE = "booking"      # a ticket's source when given at check-in


class CheckInOutcome(StrEnum):
    """What checking a code in came to."""

    CHECKED_IN = "checked_in"       # within the window: a ticket called at the slot
    EARLY = "early"                 # too early: come back at `come_back_at`
    EARLY_WALK_IN = "early_walk_in" # too early, and the visitor took a walk-in ticket
    LATE_WALK_IN = "late_walk_in"   # too late: a walk-in ticket, said so
    ALREADY = "already"             # checked in before: the same ticket again
    UNKNOWN = "unknown"             # no such code
    CANCELLED = "cancelled"         # the booking was cancelled


@dataclass
class CheckIn:
    """The outcome of a check-in, with the booking (when the code is known), the ticket (when
    one was given) and, when too early, when to come back (epoch seconds)."""

    outcome: CheckInOutcome
    booking: Booking | None = None
    ticket: Ticket | None = None
    come_back_at: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The outcome as JSON, without the visitor's name and phone."""
        b = self.booking.erased() if self.booking else None
        return {"outcome": self.outcome.value,
                "booking": None if b is None else {
                    "id": b.id, "centre": b.centre, "service": b.service,
                    "slot_start": b.slot_start, "code": b.code, "lang": b.lang,
                    "channel": b.channel.value, "made_by": b.made_by, "status": b.status.value,
                    "created_at": b.created_at, "updated_at": b.updated_at, "ticket": b.ticket},
                "ticket": self.ticket.to_json(include_token=True) if self.ticket else None,
                "come_back_at": self.come_back_at}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckIn:
        """The outcome as RemoteQueue receives it."""
        b = data.get("booking")
        booking = None if not b else Booking(**{**b, "channel": Channel(b["channel"]),
                                                "status": BookingStatus(b["status"])})
        ticket = Ticket.from_json(data["ticket"]) if data.get("ticket") else None
        return cls(CheckInOutcome(data["outcome"]), booking, ticket, data.get("come_back_at"))


def extract_code(scanned: str) -> str:
    """The booking code in what a scanner or keypad typed: a bare code, a QR payload such as
    "NOVBE:ABC123", or a URL ending in the code."""
    text = scanned.strip()
    if ":" in text or "/" in text:
        text = text.replace(":", "/").rstrip("/").rsplit("/", 1)[-1]
        text = text.split("?", 1)[0].split("#", 1)[0]
    return normal_code(text)


def check_in_in(tx: Tx, typed: str, now: float, walk_in_if_early: bool,
                by: str | None) -> CheckIn:
    """Inside the write: the booking with this code checked in (or refused in plain terms)."""
    booking = rows.by_code(tx, extract_code(typed))
    if booking is None:
        return CheckIn(CheckInOutcome.UNKNOWN)
    if booking.status == BookingStatus.CANCELLED:
        return CheckIn(CheckInOutcome.CANCELLED, booking)
    if booking.status in (BookingStatus.CHECKED_IN, BookingStatus.LATE_WALK_IN):
        row = tx.ticket_row("id = (SELECT ticket_id FROM bookings WHERE id = ?)", (booking.id,))
        return CheckIn(CheckInOutcome.ALREADY, booking,
                       ticket_from_row(row) if row is not None else None)
    rules = tx.config.bookings
    when = arrival(booking.slot_start, now, rules)
    if booking.status == BookingStatus.NO_SHOW:     # marked after its window: late for sure
        when = Arrival.LATE
    if when == Arrival.EARLY and not walk_in_if_early:
        return CheckIn(CheckInOutcome.EARLY, booking, None, opens_at(booking.slot_start, rules))
    slot_at = booking.slot_start if when == Arrival.ON_TIME else None
    given = _issue(tx, booking, slot_at, by)
    status, outcome = {
        Arrival.ON_TIME: (BookingStatus.CHECKED_IN, CheckInOutcome.CHECKED_IN),
        Arrival.EARLY: (BookingStatus.CHECKED_IN, CheckInOutcome.EARLY_WALK_IN),
        Arrival.LATE: (BookingStatus.LATE_WALK_IN, CheckInOutcome.LATE_WALK_IN)}[when]
    changed = rows.change(tx, booking, status, by, (given.id, given.code), arrival=when.value,
                          minutes_from_slot=round((now - booking.slot_start) / 60, 1))
    return CheckIn(outcome, changed, given)


def _issue(tx: Tx, booking: Booking, slot_at: float | None, by: str | None) -> Ticket:
    """A ticket for the booked visitor, in their language; with the slot's start when checked in
    within the window (the call order reads it), a walk-in's otherwise."""
    config = tx.config
    request = IssueRequest.of(config, booking.service, None, booking.lang, by or BOOKING_SOURCE,
                              False, None)
    issued = issue_in(tx, request, None)
    if slot_at is not None:
        tx.conn.execute("UPDATE tickets SET slot_at = ? WHERE id = ?", (slot_at, issued.row["id"]))
    ticket = ticket_from_row(ticket_by_id(tx, issued.row["id"]))
    assert issued.wait is not None
    ticket.ahead, ticket.estimated_wait_min = issued.ahead, issued.wait.minutes
    return ticket

