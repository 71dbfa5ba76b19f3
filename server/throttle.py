"""Sign-in throttling: after a few wrong passwords for a name (or from an address), further
attempts are refused for a while that doubles with each failure."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from shared.errors import NovbeError

FREE_FAILURES = 5
FIRST_LOCK_SECONDS = 30.0
MAX_LOCK_SECONDS = 15 * 60.0


class TooManyAttempts(NovbeError):
    """Too many wrong passwords: sign-in is refused for a while."""

    http_status = 429

    def __init__(self, retry_after: float):
        self.retry_after = max(1, int(retry_after + 0.999))
        super().__init__(f"too many wrong passwords; try again in {self.retry_after} s")


class SignInThrottle:
    """Counts failures per key (staff name, client address); thread-safe.

    check() also counts the attempt as pending until failed()/succeeded()/cancel() settles it,
    so parallel attempts cannot all pass the check before the first (slow) password check
    fails: failures + pending attempts never exceed the free ones."""

    def __init__(self, now: Callable[[], float] = time.monotonic):
        self._now = now
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}
        self._pending: dict[str, int] = {}

    def check(self, *keys: str) -> None:
        """Raise TooManyAttempts if any key is locked out right now (or has as many attempts in
        flight as it may still fail); else count this attempt as pending for every key."""
        now = self._now()
        with self._lock:
            for key in keys:
                count, until = self._failures.get(key, (0, 0.0))
                if count >= FREE_FAILURES and now < until:
                    raise TooManyAttempts(until - now)
                allowed = FREE_FAILURES - count if count < FREE_FAILURES else 1
                if self._pending.get(key, 0) >= allowed:
                    raise TooManyAttempts(1.0)
            for key in keys:
                self._pending[key] = self._pending.get(key, 0) + 1

    def _settle(self, keys: tuple[str, ...]) -> None:
        for key in keys:
            left = self._pending.get(key, 0) - 1
            if left > 0:
                self._pending[key] = left
            else:
                self._pending.pop(key, None)

    def failed(self, *keys: str) -> None:
        now = self._now()
        with self._lock:
            self._settle(keys)
            for key in keys:
                count = self._failures.get(key, (0, 0.0))[0] + 1
                lock = 0.0
                if count >= FREE_FAILURES:
                    lock = min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2 ** (count - FREE_FAILURES))
                self._failures[key] = (count, now + lock)
            if len(self._failures) > 10_000:  # forget the oldest keys, bounded memory
                for key in list(self._failures)[:5_000]:
                    del self._failures[key]

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            self._settle(keys)
            for key in keys:
                self._failures.pop(key, None)

    def cancel(self, *keys: str) -> None:
        """The attempt ended without a verdict (an error): no longer pending, not a failure."""
        with self._lock:
            self._settle(keys)
