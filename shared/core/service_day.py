"""The service day: the centre's local date, starting at its configured reset hour."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_KEPT = 10_000      # quarter hours kept (about 100 days)


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


class ServiceDays:
    """One centre's service days over epoch seconds: the day an instant belongs to (cached per
    quarter hour — every zone's offset is a multiple of 15 minutes and the reset is on the
    hour) and the instants a day begins and ends."""

    def __init__(self, tz: ZoneInfo, reset_hour: int):
        self.tz, self.reset_hour = tz, reset_hour
        self._dates: dict[int, date] = {}

    def date_of(self, at: float) -> date:
        """The service day instant `at` (epoch seconds) belongs to."""
        key = int(at // 900)
        day = self._dates.get(key)
        if day is None:
            if len(self._dates) > MAX_KEPT:          # a server up for a long time
                self._dates.clear()
            day = service_day(datetime.fromtimestamp(at, UTC), self.tz, self.reset_hour)
            self._dates[key] = day
        return day

    def day_of(self, at: float) -> str:
        """The same, as its ISO date."""
        return self.date_of(at).isoformat()

    def bounds(self, day: str) -> tuple[float, float]:
        d = date.fromisoformat(day)
        return (day_start(d, self.tz, self.reset_hour).timestamp(),
                day_start(d + timedelta(days=1), self.tz, self.reset_hour).timestamp())
