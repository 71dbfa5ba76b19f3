"""The staff PIN's lock: five wrong PINs in a row lock the pad for a minute, each further lock
in a row for twice as long (up to 15 minutes); the right PIN forgives everything."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from shared.core.clock import Clock

PIN_ATTEMPTS = 5                       # wrong PINs in a row that lock the PIN pad
PIN_LOCK = timedelta(seconds=60)       # the first lock; each further lock in a row doubles it
PIN_LOCK_MAX = timedelta(minutes=15)


class PinVerdict(Enum):
    """What a typed PIN did."""

    RIGHT = "right"
    WRONG = "wrong"
    NOW_LOCKED = "now_locked"   # wrong, and the pad is locked from now on
    LOCKED = "locked"           # not even looked at: the pad is locked


class PinLock:
    """Counts wrong PINs against the clock; Qt-free."""

    def __init__(self, pin: str, clock: Clock):
        self.pin = pin
        self.clock = clock
        self.failures = 0            # wrong PINs since the last lock (or the right PIN)
        self.locks = 0               # locks in a row, for the doubling
        self.locked_until: datetime | None = None

    def locked(self) -> bool:
        return self.locked_until is not None and self.clock.now() < self.locked_until

    def seconds_left(self) -> float:
        """Seconds until the lock runs out (0 when not locked)."""
        if not self.locked() or self.locked_until is None:
            return 0.0
        return (self.locked_until - self.clock.now()).total_seconds()

    def check(self, typed: str) -> PinVerdict:
        if self.locked():
            return PinVerdict.LOCKED
        if typed == self.pin:
            self.failures = self.locks = 0
            return PinVerdict.RIGHT
        self.failures += 1
        if self.failures < PIN_ATTEMPTS:
            return PinVerdict.WRONG
        lock = min(PIN_LOCK * 2 ** self.locks, PIN_LOCK_MAX)
        self.failures = 0
        self.locks += 1
        self.locked_until = self.clock.now() + lock
        return PinVerdict.NOW_LOCKED
