"""The service day: the centre's local date, starting at its configured reset hour."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def service_day(now: datetime, tz: ZoneInfo, reset_hour: int) -> date:
    """The service day that `now` belongs to (before the reset hour it is still yesterday's)."""
    local = now.astimezone(tz)
    day = local.date()
    if local.hour < reset_hour:
        day -= timedelta(days=1)
    return day


def day_start(day: date, tz: ZoneInfo, reset_hour: int) -> datetime:
    """The aware instant the service day begins."""
    return datetime.combine(day, time(reset_hour), tz)
