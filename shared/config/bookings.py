"""[bookings] Appointments at the centre (issue 20): the slot length, how many visitors each
slot takes per service or category and time of day, the national desk's share and its
cut-off, the kiosk's check-in window and how long names and phones are kept."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo
from pydantic.dataclasses import dataclass

from shared.config.seen import seen
from shared.config.values import TABLE, Span


def _known(value: Any, info: ValidationInfo) -> Any:
    """Read from a file, a capacity's `service` is a service id, a category id or "*"."""
    read = seen(info)
    if read is not None and value != "*" and value not in read.services and value not in read.ids:
        raise ValueError(f"unknown service or category {value!r}")
    return value


def _open(span: Any) -> Any:
    if span is None:
        raise ValueError('must be the hours slots start in, like "09:00-13:00"')
    return span


@dataclass(frozen=True, kw_only=True, config=TABLE)
class SlotCapacity:
    """[[bookings.capacity]] How many visitors each slot starting within `hours` takes for a
    service, every service of a category, or "*" (every service); the most specific entry
    whose hours hold the slot's start counts (a service's own, then its category's, then "*")."""

    service: Annotated[str, AfterValidator(_known)]
    hours: Annotated[Span, AfterValidator(_open)]
    seats: Annotated[int, Field(ge=0, le=100, strict=True)]

    def holds(self, start: time) -> bool:
        """Whether a slot starting at local time `start` is within these hours."""
        return self.hours is not None and self.hours[0] <= start < self.hours[1]


@dataclass(frozen=True, kw_only=True, config=TABLE)
class BookingSettings:
    """[bookings] Slots of `slot_min` minutes; `national_share` (0–1) of each slot's seats for the
    national desk, which stops booking `national_cutoff_hours` before the slot; a visitor checks
    in from `early_min` before the slot to `late_min` after it, and once checked in is called
    ahead of walk-ins from `call_ahead_min` before the slot's start (a counter that frees a
    little early takes them rather than start a walk-in's visit that would make them wait);
    names and phones are erased `erase_after_days` after the slot. No capacity: the centre
    takes no bookings."""

    slot_min: Annotated[int, Field(ge=5, le=240, strict=True)] = 30
    national_share: Annotated[float, Field(ge=0, le=1)] = 0.5
    national_cutoff_hours: Annotated[float, Field(ge=0, le=336)] = 24.0
    early_min: Annotated[int, Field(ge=0, le=240, strict=True)] = 30
    late_min: Annotated[int, Field(ge=0, le=240, strict=True)] = 15
    call_ahead_min: Annotated[int, Field(ge=0, le=30, strict=True)] = 5
    erase_after_days: Annotated[int, Field(ge=1, le=3650, strict=True)] = 30
    capacity: tuple[SlotCapacity, ...] = ()

    @property
    def enabled(self) -> bool:
        return any(c.seats > 0 for c in self.capacity)
