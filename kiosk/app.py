"""Starting the kiosk: in its own Qt event loop (`novbe kiosk`), or as one window among others
(the demo shows kiosk and board in one process)."""

from __future__ import annotations

import sys
from typing import cast

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.window import KioskWindow
from shared.config.centre import CentreConfig
from shared.core.clock import Clock
from shared.core.queue import Queue

WINDOWED_SIZE = (1280, 800)
_open_windows: list[KioskWindow] = []  # windows shown into someone else's event loop


def create_kiosk_window(queue: Queue, config: CentreConfig, printer_url: str | None = None,
                        windowed: bool = True, clock: Clock | None = None,
                        source: str = "kiosk") -> KioskWindow:
    """A kiosk window (not shown yet) for an application that already has a QApplication.
    `windowed=False` locks it down when shown with `lock_down()`."""
    if QApplication.instance() is None:
        raise RuntimeError("create_kiosk_window needs a QApplication; use run_kiosk otherwise")
    window = KioskWindow(queue, config, printer_url, locked=not windowed, clock=clock, source=source)
    if windowed or QGuiApplication.platformName() != "wayland":
        window.resize(*WINDOWED_SIZE)    # under Wayland the compositor gives the size
    return window


def run_kiosk(queue: Queue, config: CentreConfig, printer_url: str | None = None,
              windowed: bool = False, source: str = "kiosk") -> int:
    """Run the kiosk until staff exit with the PIN (or the window closes when windowed).

    Without a QApplication: creates one and blocks in its event loop; returns its exit code.
    With one already running (the demo): shows the window and returns 0 at once."""
    app = cast(QApplication | None, QApplication.instance())
    owns = app is None
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Növbə kiosk")
    window = create_kiosk_window(queue, config, printer_url, windowed, source=source)
    show(window, windowed)
    if not owns:
        _open_windows.append(window)
        window.exited.connect(lambda: _open_windows.remove(window) if window in _open_windows else None)
        return 0
    window.exited.connect(app.quit)
    app.setQuitOnLastWindowClosed(True)
    code = app.exec()
    window.shutdown()
    return code


def show(window: QWidget, windowed: bool) -> None:
    """Show a kiosk window: a normal window for development, else locked down full screen."""
    if windowed or not isinstance(window, KioskWindow):
        window.show()
    else:
        window.lock_down()
