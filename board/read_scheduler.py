"""When a board reads its queue: at most one read in flight, handed to the runner (a worker
thread in the Qt shell); while the queue is unavailable, the next read waits 1 s, 2 s, 4 s,
8 s, then every 10 s — at once when the feed wakes the board."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qtcommon.runner import Runner
from shared.backoff import Backoff

RETRY_FIRST_S, RETRY_MAX_S = 1.0, 10.0


class ReadScheduler:
    """The board's reads: whether one may start now, starting it, and the retry back-off."""

    def __init__(self, runner: Runner, monotonic: Callable[[], float]):
        self.runner = runner
        self.monotonic = monotonic
        self.reading = False     # a read is in flight
        self.reads = 0           # how many reads were handed to the runner
        self._retry_at: float | None = None   # no read before this (monotonic), while unavailable
        self._backoff = Backoff(RETRY_FIRST_S, RETRY_MAX_S)
        self._wakes = 0          # bumped by the feed's wakeup (any thread)
        self._wakes_at_read = 0

    def wake(self) -> None:
        """News from the feed (any thread): the retry wait ends."""
        self._wakes += 1

    def due(self) -> bool:
        """No read in flight, and the retry time has come (or the feed woke the board)."""
        if self.reading:
            return False
        return (self._retry_at is None or self.monotonic() >= self._retry_at
                or self._wakes != self._wakes_at_read)

    def submit(self, work: Callable[[], Any], done: Callable[[Any], None],
               failed: Callable[[BaseException], None]) -> None:
        """Hand one read to the runner; `done`/`failed` run once it is no longer in flight."""
        self.reading = True
        self._wakes_at_read = self._wakes
        self.reads += 1

        def finished(result: Any) -> None:
            self.reading = False
            done(result)

        def broke(exc: BaseException) -> None:
            self.reading = False
            failed(exc)

        self.runner.run(work, finished, broke)

    def back_off(self) -> None:
        """The queue is unavailable: wait before the next read, twice as long each time."""
        self._retry_at = self.monotonic() + self._backoff.failed()

    def recovered(self) -> None:
        """The queue answers: reads are due at once again."""
        self._retry_at = None
        self._backoff.succeeded()
