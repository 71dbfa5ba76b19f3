"""Where slow queue calls of a screen run (Qt-free): the kiosk's and the board's controllers
never call the queue on the thread that draws the screen.

A controller hands each call to a Runner as `run(work, done, failed)` — `work()` runs wherever
the runner likes (the Qt shells use worker threads: qtcommon/qt.py),
then `done(result)` or `failed(exc)` is called on the UI thread. InlineRunner does it all at
once on the caller's thread (plain-Python tests, the CLI, the headless demo, benchmarks);
ManualRunner keeps each job until a test finishes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Runner(Protocol):
    """Runs `work()` somewhere, then calls `done(result)` or `failed(exc)` on the UI thread."""

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None]) -> None: ...

    def close(self, last: Callable[[], Any] | None = None, wait: float = 0.0) -> None:
        """No more jobs: run `last` (if given) where the jobs ran, once the job in flight is
        over, waiting up to `wait` seconds for it."""


def _close_at_once(last: Callable[[], Any] | None) -> None:
    if last is not None:
        last()


class InlineRunner:
    """Runs the work at once, on the calling thread."""

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None]) -> None:
        try:
            result = work()
        except Exception as exc:  # noqa: BLE001 — handed to the caller's `failed`
            failed(exc)
            return
        done(result)

    def close(self, last: Callable[[], Any] | None = None, wait: float = 0.0) -> None:
        """Nothing runs later: `last` runs now."""
        _close_at_once(last)


class ManualRunner:
    """Keeps each job until the test runs it with `finish()` (tests of "one read at a time")."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[[], Any], Callable[[Any], None],
                              Callable[[BaseException], None]]] = []

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None]) -> None:
        self.jobs.append((work, done, failed))

    def finish(self) -> None:
        """Run the oldest job to its end (work, then done or failed)."""
        work, done, failed = self.jobs.pop(0)
        InlineRunner().run(work, done, failed)

    def close(self, last: Callable[[], Any] | None = None, wait: float = 0.0) -> None:
        """`last` runs now; jobs still kept stay for the test to finish or drop."""
        _close_at_once(last)
