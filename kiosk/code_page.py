"""The appointment code screen's widgets: the title, what is typed in large letters, the error,
a large keypad of the code's letters and digits with erase and check, and Start over."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QVBoxLayout

from kiosk.metrics import Metrics
from kiosk.screens import CodeScreen
from kiosk.widgets import ALERT, MUTED, FitText, Tile

if TYPE_CHECKING:
    from collections.abc import Callable

    from kiosk.controller import KioskController

KEY_COLUMNS = {True: 5, False: 9}     # portrait, landscape


def code_page(s: CodeScreen, ctl: KioskController, m: Metrics, box: QVBoxLayout,
              tile: Callable[..., Tile]) -> None:
    """The code screen into `box`; `tile` makes a touch target as every page does."""
    box.addWidget(FitText(s.title, m.text(4.6), bold=True, min_px=m.min_text), 3)
    box.addWidget(FitText(s.hint, m.text(3.2), color=MUTED, min_px=m.min_text), 2)
    shown = " ".join(s.typed.ljust(s.length, "_")) if len(s.typed) <= s.length else s.typed
    typed = FitText(shown, (14 if m.portrait else 12) * m.u, bold=True, min_px=m.min_text)
    typed.setObjectName("code-typed")
    box.addWidget(typed, 3)
    error = FitText(s.error or " ", m.text(3.6), bold=True, color=QColor("#000"),
                    background=ALERT if s.error else None, min_px=m.min_text)
    error.setObjectName("code-error")
    box.addWidget(error, 2 if s.error else 1)
    grid = QGridLayout()
    grid.setSpacing(round(1.2 * m.u))
    cols = KEY_COLUMNS[m.portrait]
    letters = [t for t in s.keys if t.id.startswith("key:")]
    actions = [t for t in s.keys if not t.id.startswith("key:")]
    tiles = [tile(t.label, lambda _=False, x=t.id: ctl.appointments.tap_tile(x), t.name, m, 6,
                  focus=s.frame.focus) for t in letters]
    for tl in tiles:
        tl.siblings = tiles
    for i, tl in enumerate(tiles):
        grid.addWidget(tl, i // cols, i % cols)
    row = (len(tiles) + cols - 1) // cols
    half = cols // 2
    for j, t in enumerate(actions):
        b = tile(t.label, lambda _=False, x=t.id: ctl.appointments.tap_tile(x), t.name, m, 3.8,
                 accent=t.accent, focus=s.frame.focus)
        grid.addWidget(b, row, j * half, 1, half if j == 0 else cols - half)
    for r in range(row + 1):
        grid.setRowStretch(r, 1)
    box.addLayout(grid, 12 if m.portrait else 9)
    cancel = tile("⌂  " + s.cancel, lambda _=False: ctl.appointments.tap_tile("cancel"),
                  "cancel", m, 4, focus=s.frame.focus)
    cancel.setFixedHeight(m.bar_height)
    box.addWidget(cancel)


