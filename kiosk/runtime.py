"""What the controller needs from its surroundings: a view and named timers (plain protocols;
the Qt implementations are in qt_runtime). Slow queue calls go through shared.runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

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
