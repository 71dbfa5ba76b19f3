"""A booking and its life: booked → checked in | cancelled | no-show | late → walk-in."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

# Letters and digits nobody confuses when read aloud, typed on a keypad or scanned: no 0/O,
# 1/I/L, 2/Z, 5/S, 8/B, U/V. Six of them give 22⁶ ≈ 1.1e8 codes.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
CODE_LENGTH = 6
# The national desk's codes begin with a digit, the centre's own with a letter: a code made on
# the central database never meets one made on the centre's file (each side checks only its own).
NATIONAL_FIRST = "34679"
LOCAL_FIRST = "ACDEFGHJKMNPQRTWXY"


class BookingStatus(StrEnum):
    """Where a booking is in its life."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"
    LATE_WALK_IN = "late_walk_in"       # came after the late window: given a walk-in ticket


OPEN_BOOKING = (BookingStatus.BOOKED,)
FINAL_BOOKING = (BookingStatus.CANCELLED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW,
                 BookingStatus.LATE_WALK_IN)


class Channel(StrEnum):
    """Who made the booking."""

    CALL_CENTRE = "call_centre"   # the national 142 desk, booked on the central database
    RECEPTION = "reception"       # the centre's own desk, booked on the centre's file
    API = "api"                   # a portal with a token, booked on the central database


@dataclass(frozen=True)
class Booking:
    """One booked place: a centre's service at a slot's start (epoch seconds, the slot in the
    centre's own time zone), with the code the visitor brings."""

    id: str                 # a UUID, the same on the central database and the centre's file
    centre: str
    service: str            # "category.service", as in the centre's config
    slot_start: float
    code: str
    lang: str
    channel: Channel
    made_by: str
    status: BookingStatus = BookingStatus.BOOKED
    name: str | None = None     # personal data: erased N days after the slot
    phone: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    ticket: str | None = None   # the ticket code given at check-in (or as a late walk-in)

    @classmethod
    def of_row(cls, row: Sequence[Any]) -> Booking:
        """A booking from a row of its fields in this order (id, centre, service, slot start,
        code, lang, channel, made by, status, name, phone, created, updated, ticket): the
        centre file's `bookings` (rows.BOOKING_COLUMNS) and the central database's alike."""
        (bid, centre, service, slot_start, code, lang, channel, made_by, status, name, phone,
         created, updated, ticket) = tuple(row)
        return cls(str(bid), centre, service, float(slot_start), code, lang, Channel(channel),
                   made_by, BookingStatus(status), name, phone, float(created), float(updated),
                   ticket)

    def with_status(self, status: BookingStatus, at: float, ticket: str | None = None) -> Booking:
        """The booking after a change of status at `at`."""
        return replace(self, status=status, updated_at=at, ticket=ticket or self.ticket)

    def erased(self) -> Booking:
        """The booking with its personal data removed (the rest is kept for reports)."""
        return replace(self, name=None, phone=None)


def new_code(national: bool = False) -> str:
    """A fresh booking code: CODE_LENGTH characters of CODE_ALPHABET from a secure source, the
    first a digit for the national desk, a letter for the centre's own desk."""
    first = secrets.choice(NATIONAL_FIRST if national else LOCAL_FIRST)
    return first + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH - 1))


def normal_code(typed: str) -> str:
    """A code as typed or scanned, in canonical form: upper case, spaces and dashes dropped
    (nothing else is folded: an unknown code is refused, never guessed)."""
    return "".join(ch for ch in typed.upper() if ch not in " -_\t\r\n")


def is_code(text: str) -> bool:
    """Whether `text` (already normal) has the shape of a booking code."""
    return len(text) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in text)
