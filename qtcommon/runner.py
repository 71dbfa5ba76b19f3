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
