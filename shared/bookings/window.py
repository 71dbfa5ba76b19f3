"""The kiosk's check-in window: a booked visitor checks in from `early_min` before the slot to
`late_min` after it; sooner is too early (come back then), later is too late (a walk-in)."""

from __future__ import annotations

from enum import StrEnum

from shared.config.bookings import BookingSettings


class Arrival(StrEnum):
    """When a booked visitor arrives, against their slot's window."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


def opens_at(slot_start: float, rules: BookingSettings) -> float:
    """The first moment check-in is accepted for a slot."""
    return slot_start - rules.early_min * 60


def closes_at(slot_start: float, rules: BookingSettings) -> float:
    """The last moment check-in is accepted for a slot (after it: too late, a no-show)."""
    return slot_start + rules.late_min * 60


def arrival(slot_start: float, now: float, rules: BookingSettings) -> Arrival:
    """Whether a visitor arriving at `now` is early, within the window, or late."""
    if now < opens_at(slot_start, rules):
        return Arrival.EARLY
    if now > closes_at(slot_start, rules):
        return Arrival.LATE
    return Arrival.ON_TIME
