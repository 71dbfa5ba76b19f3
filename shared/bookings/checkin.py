"""Checking a booked visitor in: the window rule decides, and a ticket — with its slot's start
for the call order, or a walk-in's — is issued in one write with the booking's change and its
event; the wait it prints is worked out in a read before that write, as LocalQueue.issue's is
(a booked visitor's: called at the slot)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.bookings import rows
from shared.bookings.model import Booking, BookingStatus, Channel, normal_code
from shared.bookings.window import Arrival, arrival, opens_at
from shared.core.issuing import Before, IssueRequest, issue_in, wait_before
from shared.core.model import Ticket
from shared.core.queue_tx import Tx, ticket_from_row
from shared.waits.reading import WaitInputs

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


@dataclass(frozen=True)
class Planned:
    """What the read before a check-in found: the booking as it stood, how its visitor came,
    and the ticket to issue with the wait it prints (worked out in that read, never in the
    write: shared/core/issuing.py)."""

    booking: Booking
    arrival: Arrival
    request: IssueRequest
    before: Before


def plan_check_in(tx: Tx, inputs: WaitInputs, typed: str, now: float, walk_in_if_early: bool,
                  by: str | None) -> CheckIn | Planned:
    """In a read before the write: the outcome when no ticket is due (an unknown or cancelled
    code, too early, checked in before), else the ticket to issue — with the slot's start when
    within the window, called at it, and a booked visitor's wait; a walk-in's otherwise."""
    decided = _decide(tx, typed, now, walk_in_if_early)
    if isinstance(decided, CheckIn):
        return decided
    booking, when = decided
    request = IssueRequest.of(tx.config, booking.service, None, booking.lang,
                              by or BOOKING_SOURCE, False, None,
                              slot_at=booking.slot_start if when == Arrival.ON_TIME else None)
    return Planned(booking, when, request, wait_before(tx, inputs, request))


def check_in_in(tx: Tx, typed: str, now: float, walk_in_if_early: bool, by: str | None,
                planned: Planned) -> CheckIn | None:
    """Inside the write: the booking with this code checked in as `planned` — its ticket and
    the booking's change with its event —, or what came of it if it changed since; None when
    the read before planned another ticket than is due now (read again)."""
    decided = _decide(tx, typed, now, walk_in_if_early)
    if isinstance(decided, CheckIn):
        return decided
    booking, when = decided
    if (booking.id, booking.status, when) != (planned.booking.id, planned.booking.status,
                                              planned.arrival):
        return None
    given = issue_in(tx, planned.request, planned.before).ticket()
    status, outcome = {
        Arrival.ON_TIME: (BookingStatus.CHECKED_IN, CheckInOutcome.CHECKED_IN),
        Arrival.EARLY: (BookingStatus.CHECKED_IN, CheckInOutcome.EARLY_WALK_IN),
        Arrival.LATE: (BookingStatus.LATE_WALK_IN, CheckInOutcome.LATE_WALK_IN)}[when]
    changed = rows.change(tx, booking, status, by, (given.id, given.code), arrival=when.value,
                          minutes_from_slot=round((now - booking.slot_start) / 60, 1))
    return CheckIn(outcome, changed, given)


def _decide(tx: Tx, typed: str, now: float,
            walk_in_if_early: bool) -> CheckIn | tuple[Booking, Arrival]:
    """By the window rule: the outcome when no ticket is due, else the booking and how its
    visitor came."""
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
    return booking, when
