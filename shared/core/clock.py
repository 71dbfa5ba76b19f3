"""Where time comes from: the system clock in production, a fake clock in tests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that moves only when told to; thread-safe."""

    def __init__(self, start: datetime | str = "2026-11-23T05:00:00+00:00"):
        if isinstance(start, str):
            start = datetime.fromisoformat(start)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime | str) -> None:
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        with self._lock:
            self._now = when.astimezone(UTC)

    def advance(self, seconds: float = 0, **kw: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds, **kw)
            return self._now


def to_epoch(dt: datetime) -> float:
    """Seconds since the epoch, as stored in the database."""
    return dt.timestamp()


def from_epoch(value: float | None) -> datetime | None:
    """An aware UTC datetime from a stored epoch value."""
    return None if value is None else datetime.fromtimestamp(value, UTC)


def to_datetime(value: float) -> datetime:
    """An aware UTC datetime from a stored epoch value that is always there."""
    return datetime.fromtimestamp(value, UTC)
