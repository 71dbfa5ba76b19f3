"""Kiosk test helpers: a fake-free network printer on 127.0.0.1, kiosk windows at the three
screen sizes, taps by widget name, and screenshots into the artifacts folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.printing.simulator import NetworkPrinterSimulator as NetworkPrinter
from kiosk.window import KioskWindow
from shared.core.clock import FakeClock

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920), "tablet": (1280, 800)}


@pytest.fixture
def net_printer() -> Iterator[NetworkPrinter]:
    printer = NetworkPrinter("ready")
    yield printer
    printer.close()


@pytest.fixture
def make_kiosk(qtbot, local_queue, config, clock, tmp_path) -> Iterator[Callable[..., KioskWindow]]:
    """Build a locked-down kiosk window of a given size on the test's queue and clock."""
    windows: list[KioskWindow] = []

    def make(size: tuple[int, int] = SIZES["landscape"], printer: str | None = None,
             queue=None, cfg=None, retry: float = 0.2, voice=None) -> KioskWindow:
        window = KioskWindow(queue or local_queue, cfg or config,
                             printer or f"preview://{tmp_path / 'tickets'}", locked=True,
                             clock=clock, source="kiosk-test", print_retry_seconds=retry,
                             voice=voice)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window._allow_close = True
        window.shutdown()


def find_button(window: KioskWindow, name: str):
    from PySide6.QtWidgets import QAbstractButton

    page = window.current_page()
    button = (page.findChild(QAbstractButton, name) if page is not None else None) or \
        window.findChild(QAbstractButton, name)
    assert button is not None, f"no button {name!r} on the {window.controller.screen.name} screen"
    assert button.isVisible(), f"button {name!r} is not visible"
    return button


def tap(qtbot, window: KioskWindow, name: str, clock: FakeClock, think: float = 1.5) -> None:
    """Tap a button by name, then let the visitor think (the clock passes the tap guard)."""
    from PySide6.QtCore import Qt

    qtbot.mouseClick(find_button(window, name), Qt.MouseButton.LeftButton)
    clock.advance(think)


def assert_big_targets(window: KioskWindow) -> None:
    """Every visible touch target is at least 15 mm each way (at the screen's DPI)."""
    from kiosk.widgets import Tile

    minimum = window.metrics().mm(15)
    tiles = [t for t in window.current_page().findChildren(Tile) if t.isVisible()]
    assert tiles, "no touch targets on this screen"
    for tile in tiles:
        assert min(tile.width(), tile.height()) >= minimum, (tile.objectName(), tile.size())


def screenshot(window: KioskWindow, folder: Path, name: str) -> Path:
    """Save what the kiosk shows now."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    path = folder / "kiosk" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(path)), path
    return path
