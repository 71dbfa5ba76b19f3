"""A centre's slots from its config: when each service day's slots start (within opening hours,
ending by closing time), how many visitors a slot takes, its seats' national/local split and
the national desk's cut-off. Times are epoch seconds; days are the centre's service days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from shared.bookings.seats import SlotSeats, split
from shared.config.centre import CentreConfig
from shared.core.service_day import service_day


def slot_starts(config: CentreConfig, day: date) -> list[float]:
    """Every slot start of the service day `day` (none on a closed day): from opening time,
    `slot_min` apart, each slot ending by closing time — of its own date from the reset hour
    on, and of the next date before it (a centre open past midnight)."""
    tz, step = config.tz, timedelta(minutes=config.bookings.slot_min)
    out = []
    for date_ in (day, day + timedelta(days=1)):
        span = config.hours.span(date_)
        if span is None:
            continue
        start = datetime.combine(date_, span[0], tz)
        closing = datetime.combine(date_, span[1], tz)
        while start + step <= closing + timedelta(seconds=1):   # 24:00 is written 23:59:59
            if service_day(start, tz, config.day_reset_hour) == day:
                out.append(start.timestamp())
            start += step
    return out


def nearest(starts: Iterable[float], wanted: float) -> float | None:
    """The start nearest to `wanted` (the earlier of two as near): the slot a desk offers when
    `wanted` is full (None: no start given)."""
    return min(starts, key=lambda s: (abs(s - wanted), s), default=None)


def slot_day(config: CentreConfig, slot_start: float) -> date:
    """The service day a slot belongs to."""
    return service_day(datetime.fromtimestamp(slot_start, config.tz), config.tz,
                       config.day_reset_hour)


def capacity(config: CentreConfig, service: str, slot_start: float) -> int:
    """How many visitors the slot takes for `service`: the service's own entry, else its
    category's, else "*"'s, whose hours hold the slot's local start; none: 0."""
    category = config.service(service).category
    start = datetime.fromtimestamp(slot_start, config.tz).time()
    for wanted in (service, category, "*"):
        for entry in config.bookings.capacity:
            if entry.service == wanted and entry.holds(start):
                return entry.seats
    return 0


def seats(config: CentreConfig, service: str, slot_start: float) -> SlotSeats:
    """The slot's seats, split between the national desk and the centre."""
    return split(capacity(config, service, slot_start), config.bookings.national_share)


def national_cutoff(config: CentreConfig, slot_start: float) -> float:
    """When the national desk stops booking the slot (epoch seconds)."""
    return slot_start - config.bookings.national_cutoff_hours * 3600
