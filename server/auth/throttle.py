"""Sign-in throttling that slows an attacker without locking colleagues out.

Three keys per attempt, each with its own rule:
- one name from one address ("name@addr"): after FREE_FAILURES wrong passwords it is refused
  for a while that doubles with each further failure — the guesser at that address is stopped,
  while colleagues at the same address (other names) and the owner elsewhere are not;
- one address, all names ("addr"), and one name, all addresses ("name"): never refused, only
  slowed — after SLOW_AFTER failures each attempt waits a little longer (up to MAX_DELAY s)
  before its password is checked, so spraying many names from one address, or one name from
  many addresses, costs the attacker time while a colleague's sign-in takes seconds at most;
- at most MAX_IN_FLIGHT attempts per address are checked at once (parallel guesses do not
  multiply the rate; the slow password check is paid for one at a time);
- an attempt's `standing` is how many wrong passwords its address sent lately: the password
  gate (server/auth/sign_in.py) checks the attempts of addresses with fewer first.
Failures are forgotten FORGET_SECONDS after the last one; a success clears its name@addr key."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.core.errors import NovbeError

FREE_FAILURES = 5
FIRST_LOCK_SECONDS = 30.0
MAX_LOCK_SECONDS = 15 * 60.0
SLOW_AFTER = 10            # failures of an address (or a name) before its attempts slow down
FIRST_DELAY = 0.25
MAX_DELAY = 4.0
MAX_IN_FLIGHT = 3          # attempts of one address checked at the same time
FORGET_SECONDS = 30 * 60.0
MAX_KEYS = 10_000          # bounded memory: the oldest keys are forgotten first


class TooManyAttempts(NovbeError):
    """Too many wrong passwords: sign-in is refused for a while."""

    def __init__(self, retry_after: float):
        self.retry_after = max(1, int(retry_after + 0.999))
        super().__init__(f"too many wrong passwords; try again in {self.retry_after} s")


@dataclass
class _Record:
    failures: int = 0
    last: float = 0.0
    until: float = 0.0


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt under way: its keys, and how long it must wait before its check."""

    pair: str
    address: str
    name: str
    delay: float
    standing: int = 0          # recent failures of the address


class SignInThrottle:
    """Counts failures per key; thread-safe. begin() → (wait attempt.delay) → check the
    password → failed() / succeeded() / cancel()."""

    def __init__(self, now: Callable[[], float] = time.monotonic):
        self._now = now
        self._lock = threading.Lock()
        self._records: dict[str, _Record] = {}
        self._in_flight: dict[str, int] = {}

    def begin(self, name: str, address: str) -> Attempt:
        """Start an attempt, or TooManyAttempts if this name is locked at this address or the
        address has too many attempts under way."""
        now = self._now()
        attempt = Attempt(f"pair:{name.lower()}@{address}", f"addr:{address}",
                          f"name:{name.lower()}", 0.0)
        with self._lock:
            pair = self._record(attempt.pair, now)
            if pair.failures >= FREE_FAILURES and now < pair.until:
                raise TooManyAttempts(pair.until - now)
            # failures + attempts under way never exceed the free ones: parallel guesses
            # cannot all pass before the first (slow) check fails
            allowed = FREE_FAILURES - pair.failures if pair.failures < FREE_FAILURES else 1
            if (self._in_flight.get(attempt.address, 0) >= MAX_IN_FLIGHT
                    or self._in_flight.get(attempt.pair, 0) >= allowed):
                raise TooManyAttempts(1.0)
            for key in (attempt.address, attempt.pair):
                self._in_flight[key] = self._in_flight.get(key, 0) + 1
            by_address = self._record(attempt.address, now).failures
            over = max(by_address, self._record(attempt.name, now).failures) - SLOW_AFTER
        delay = 0.0 if over < 0 else min(MAX_DELAY, FIRST_DELAY * 2 ** over)
        return Attempt(attempt.pair, attempt.address, attempt.name, delay, by_address)

    def _record(self, key: str, now: float) -> _Record:
        record = self._records.get(key)
        if record is None or now - record.last > FORGET_SECONDS:
            return _Record()
        return record

    def _end(self, attempt: Attempt) -> None:
        for key in (attempt.address, attempt.pair):
            left = self._in_flight.get(key, 0) - 1
            if left > 0:
                self._in_flight[key] = left
            else:
                self._in_flight.pop(key, None)

    def failed(self, attempt: Attempt) -> None:
        now = self._now()
        with self._lock:
            self._end(attempt)
            for key in (attempt.pair, attempt.address, attempt.name):
                record = self._record(key, now)
                record.failures += 1
                record.last = now
                if key == attempt.pair and record.failures >= FREE_FAILURES:
                    record.until = now + min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS
                                             * 2 ** (record.failures - FREE_FAILURES))
                self._records.pop(key, None)
                self._records[key] = record          # most recent last
            while len(self._records) > MAX_KEYS:
                del self._records[next(iter(self._records))]

    def succeeded(self, attempt: Attempt) -> None:
        with self._lock:
            self._end(attempt)
            self._records.pop(attempt.pair, None)

    def cancel(self, attempt: Attempt) -> None:
        """The attempt ended without a verdict (an error): not a failure."""
        with self._lock:
            self._end(attempt)
