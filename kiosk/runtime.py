"""What the controller needs from its surroundings: a view, named timers and a way to run slow
queue calls off the UI thread. Plain protocols here; the Qt implementations are in qt_runtime."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kiosk.screens import Screen


class KioskView(Protocol):
    """The widgets: they draw screens and forward taps to the controller."""

    def show(self, screen: Screen) -> None: ...

    def set_busy(self, busy: bool) -> None: ...

    def exit_kiosk(self) -> None: ...


class Timers(Protocol):
    """Named one-shot timers; starting a running name restarts it."""

    def start(self, name: str, seconds: float, callback: Callable[[], None]) -> None: ...

    def stop(self, name: str) -> None: ...

    def active(self, name: str) -> bool: ...


class Runner(Protocol):
    """Runs `work` somewhere, then `done(result)` or `failed(exc)` on the UI thread."""

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None]) -> None: ...


class InlineRunner:
    """Runs the work at once in the caller's thread (scripts, the CLI)."""

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None]) -> None:
        try:
            result = work()
        except Exception as exc:
            failed(exc)
            return
        done(result)


class ManualTimers:
    """Timers that fire only when told to (scripts without an event loop)."""

    def __init__(self) -> None:
        self.pending: dict[str, tuple[float, Callable[[], None]]] = {}

    def start(self, name: str, seconds: float, callback: Callable[[], None]) -> None:
        self.pending[name] = (seconds, callback)

    def stop(self, name: str) -> None:
        self.pending.pop(name, None)

    def active(self, name: str) -> bool:
        return name in self.pending

    def fire(self, name: str) -> None:
        _, callback = self.pending.pop(name)
        callback()
