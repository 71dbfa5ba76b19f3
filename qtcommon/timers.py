"""Named one-shot timers: the protocol a controller uses, a manual kind for scripts and tests,
and the QTimer kind for the real screens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


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
