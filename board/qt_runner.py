"""QtWorkerRunner: the board's queue reads on one worker thread, answers on the UI thread.

A read of a remote queue can take seconds (a server that accepts but does not answer holds it
until the HTTP time-out); on this thread it never holds the clock, the blinking or the audio.
The BoardController keeps at most one read in flight, so one thread is enough."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Calls `callback(value)` on the thread this object lives in (the UI thread)."""

    result = Signal(object, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.result.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except Exception:  # noqa: BLE001 — the board keeps running and shows its last state
            log.exception("board: handling a queue read failed")


class QtWorkerRunner:
    """board.runner.Runner on a daemon worker thread; create it on the UI thread."""

    def __init__(self, parent: QObject | None = None):
        self._relay = _Relay(parent)
        self._last: Callable[[], Any] | None = None
        self._closing = threading.Event()
        self._jobs: queue.Queue[tuple[Callable[[], Any], Callable[[Any], None],
                                      Callable[[BaseException], None]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="board-queue-reads", daemon=True)
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
                    log.exception("board: closing after the last read failed")

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
                self._relay.result.emit(callback, value)
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
