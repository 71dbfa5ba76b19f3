"""The controller's surroundings in Qt: QTimer-based named timers, a runner that does the slow
queue call in a thread and answers on the UI thread, and a relay for printer outcomes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot


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
        fn(arg)


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
    """Runs the work in a short-lived thread; `done`/`failed` come back on the UI thread."""

    def __init__(self, relay: UiRelay):
        self.relay = relay
        self.busy = 0

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None]) -> None:
        self.busy += 1

        def finish(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def call(value: Any) -> None:
                self.busy -= 1
                callback(value)
            return call

        def target() -> None:
            try:
                result = work()
            except Exception as exc:
                self.relay.call(finish(failed), exc)
                return
            self.relay.call(finish(done), result)

        threading.Thread(target=target, name="kiosk-queue-call", daemon=True).start()
