"""The Qt side of the runners and timers: a relay that calls functions on the UI thread, runners
that do slow queue calls on worker threads and answer through it, and QTimer-based named timers."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

log = logging.getLogger(__name__)


class UiRelay(QObject):
    """Calls functions on the UI thread, whichever thread asks."""

    _call = Signal(object, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def call(self, fn: Callable[[Any], None], arg: Any) -> None:
        self._call.emit(fn, arg)

    @Slot(object, object)
    def _run(self, fn: Callable[[Any], None], arg: Any) -> None:
        try:
            fn(arg)
        except Exception:  # noqa: BLE001 — the screen keeps running and shows its last state
            log.exception("handling an answer on the UI thread failed")


class QtTimers:
    """Named single-shot QTimers; `fire(name)` runs one now (tests, the headless demo)."""

    def __init__(self, parent: QObject | None = None):
        self.parent = parent
        self._timers: dict[str, tuple[QTimer, Callable[[], None]]] = {}

    def start(self, name: str, seconds: float, callback: Callable[[], None]) -> None:
        self.stop(name)
        timer = QTimer(self.parent)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._timeout(name, timer))
        self._timers[name] = (timer, callback)
        timer.start(max(0, int(seconds * 1000)))

    def _timeout(self, name: str, timer: QTimer) -> None:
        entry = self._timers.get(name)
        if entry is None or entry[0] is not timer:
            return
        del self._timers[name]
        timer.deleteLater()
        entry[1]()

    def stop(self, name: str) -> None:
        entry = self._timers.pop(name, None)
        if entry is not None:
            entry[0].stop()
            entry[0].deleteLater()

    def active(self, name: str) -> bool:
        return name in self._timers

    def interval(self, name: str) -> float | None:
        entry = self._timers.get(name)
        return entry[0].interval() / 1000 if entry else None

    def fire(self, name: str) -> None:
        """Run the timer's callback now, as if its time had come."""
        timer, callback = self._timers.pop(name)
        timer.stop()
        timer.deleteLater()
        callback()

    def stop_all(self) -> None:
        for name in list(self._timers):
            self.stop(name)


class ThreadRunner:
    """A Runner that does each job in a short-lived thread of its own (jobs may overlap);
    `done`/`failed` come back on the UI thread."""

    def __init__(self, relay: UiRelay, name: str = "queue-call"):
        self.name = name
        self.relay = relay
        self.busy = 0
        self._closed = False

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None]) -> None:
        self.busy += 1

        def finish(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def call(value: Any) -> None:
                self.busy -= 1
                if not self._closed:     # the screen has shut down: nothing left to act on
                    callback(value)
            return call

        def target() -> None:
            try:
                result = work()
            except Exception as exc:
                self.relay.call(finish(failed), exc)
                return
            self.relay.call(finish(done), result)

        threading.Thread(target=target, name=self.name, daemon=True).start()

    def close(self, last: Callable[[], Any] | None = None, wait: float = 0.0) -> None:
        """Each job has its own thread, left to end by itself, its answer dropped (a late one
        would restart a poll's timer on a screen that is gone); `last` runs now."""
        self._closed = True
        if last is not None:
            last()


class QtWorkerRunner:
    """A Runner on one daemon worker thread (jobs in order); create it on the UI thread."""

    def __init__(self, parent: QObject | None = None, name: str = "queue-reads"):
        self._relay = UiRelay(parent)
        self._last: Callable[[], Any] | None = None
        self._closing = threading.Event()
        self._jobs: queue.Queue[tuple[Callable[[], Any], Callable[[Any], None],
                                      Callable[[BaseException], None]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None]) -> None:
        self._jobs.put((work, done, failed))

    def _loop(self) -> None:
        try:
            self._serve()
        finally:
            if self._last is not None:
                try:
                    self._last()
                except Exception:  # noqa: BLE001
                    log.exception("closing after the last job failed")

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            work, done, failed = job
            callback: Callable[[Any], None]
            try:
                value: Any = work()
                callback = done
            except Exception as exc:  # noqa: BLE001 — reported to the controller on the UI thread
                value, callback = exc, failed
            try:
                self._relay.call(callback, value)
            except RuntimeError:  # the relay went with the board's widget: nobody to tell
                if self._closing.is_set():
                    return

    def close(self, last: Callable[[], Any] | None = None, wait: float = 0.0) -> None:
        """Stop after the read in flight, then run `last` on the worker thread (closing what
        the reads use without racing the read in flight); wait up to `wait` seconds for it
        (a read of an unanswering server may hang until its time-out: that is not waited for)."""
        self._last = last
        self._closing.set()
        self._jobs.put(None)
        if wait > 0 and threading.current_thread() is not self._thread:
            self._thread.join(wait)
