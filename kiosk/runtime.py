"""What the controller needs from its surroundings: a view (a plain protocol). Named timers and
the runner of slow queue calls come from qtcommon, which the board shares."""

from __future__ import annotations

from typing import Protocol

from kiosk.screens import Screen


class KioskView(Protocol):
    """The widgets: they draw screens and forward taps to the controller."""

    def show(self, screen: Screen) -> None: ...

    def set_busy(self, busy: bool) -> None: ...

    def exit_kiosk(self) -> None: ...
