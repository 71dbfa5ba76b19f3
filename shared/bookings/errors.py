"""The named errors of bookings; each carries a `reason` the desk and kiosk put in words through
the catalogs (no HTTP status here: server/api/error_status.py maps them)."""

from __future__ import annotations

from shared.core.errors import NovbeError


class BookingRefused(NovbeError):
    """A booking cannot be made: `reason` is closed_day, not_a_slot, past_slot, slot_full or
    no_capacity; the message names the service and slot."""

    def __init__(self, message: str, reason: str = "refused"):
        super().__init__(message)
        self.reason = reason


class SlotFull(BookingRefused):
    """Every seat of the slot the centre may book is taken; `nearest`: the start of the same
    day's slot nearest to it that still has a seat (None if none has)."""

    def __init__(self, message: str, nearest: float | None = None):
        super().__init__(message, "slot_full")
        self.nearest = nearest


class BookingNotFound(NovbeError):
    """No booking with that code (or id) at this centre."""


class BookingNotOpen(NovbeError):
    """The booking is no longer booked (cancelled, checked in, no-show): nothing to change."""


class BookingConflict(NovbeError):
    """A national booking cannot be placed: its code is held by another open booking here."""


class BadPhone(NovbeError):
    """What was typed as a phone number is not one (shared/bookings/phone.py); the message
    quotes it."""

    reason = "bad_phone"
