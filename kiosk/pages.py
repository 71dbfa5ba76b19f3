"""One page per screen model: layout only. Every tap goes straight to the controller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.controller import KioskController
from kiosk.screens import (
    ClosedScreen,
    LanguageScreen,
    MenuScreen,
    MessageScreen,
    OutOfServiceScreen,
    PinScreen,
    Screen,
    TicketScreen,
)
from kiosk.widgets import ACCENT, ALERT, BACKGROUND, INK, MUTED, FitText, Tile, qr_pixmap

MIN_TARGET_MM = 15


@dataclass(frozen=True)
class Metrics:
    """Sizes for one window: `u` is 1 % of the short side; `mm` converts millimetres to px."""

    width: int
    height: int
    dpi: float = 96.0

    @property
    def u(self) -> float:
        return min(self.width, self.height) / 100

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    def mm(self, millimetres: float) -> int:
        return round(millimetres * self.dpi / 25.4)

    @property
    def target(self) -> int:
        """The smallest touch target: 15 mm, or 9 % of the short side if that is bigger."""
        return max(self.mm(MIN_TARGET_MM), round(9 * self.u))


def columns(count: int, m: Metrics) -> int:
    """How many tile columns suit this many tiles on this screen shape."""
    if m.portrait:
        return 2 if count > 6 else 1
    if count > 6:
        return 4 if count > 9 and m.width >= 1.7 * m.height else 3
    if count == 3:
        return 3
    return 2 if count > 1 else 1


def build_page(screen: Screen, ctl: KioskController, m: Metrics) -> QWidget:
    """The widget tree for one screen."""
    builders: dict[str, Callable[[Any, KioskController, Metrics], QWidget]] = {
        "language": _language, "categories": _menu, "services": _menu, "priorities": _menu,
        "ticket": _ticket, "message": _message, "closed": _closed, "out_of_service": _outage,
        "pin": _pin,
    }
    page = builders[screen.name](screen, ctl, m)
    page.setObjectName(f"page:{screen.name}")
    return page


def _page(m: Metrics) -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    page.setAutoFillBackground(True)
    pal = page.palette()
    pal.setColor(page.backgroundRole(), BACKGROUND)
    page.setPalette(pal)
    box = QVBoxLayout(page)
    pad = round(2.5 * m.u)
    box.setContentsMargins(pad, pad, pad, pad)
    box.setSpacing(round(1.6 * m.u))
    return page, box


def _tile(text: str, on_tap, name: str, m: Metrics, badge: str = "", max_px: float = 0,
          accent: bool = False) -> Tile:
    tile = Tile(text, badge, max_px or 4.2 * m.u, m.target, accent)
    tile.setObjectName(name)
    tile.clicked.connect(on_tap)
    return tile


def _grid(tiles: list[Tile], m: Metrics) -> QGridLayout:
    grid = QGridLayout()
    gap = round(1.6 * m.u)
    grid.setSpacing(gap)
    cols = columns(len(tiles), m)
    for tile in tiles:
        tile.siblings = tiles
    for i, tile in enumerate(tiles):
        grid.addWidget(tile, i // cols, i % cols)
    rows = (len(tiles) + cols - 1) // cols
    for r in range(rows):
        grid.setRowStretch(r, 1)
    for c in range(cols):
        grid.setColumnStretch(c, 1)
    return grid


def _language(s: LanguageScreen, ctl: KioskController, m: Metrics) -> QWidget:
    page, box = _page(m)
    box.addWidget(FitText(s.centre, 4.5 * m.u, bold=True, color=MUTED), 2)
    for title in s.titles:
        box.addWidget(FitText(title, 5 * m.u, bold=True), 2)
    if s.printer_notices:
        notice = FitText("\n".join(s.printer_notices), 3.4 * m.u, bold=True, color=QColor("#000"),
                         background=ALERT)
        notice.setObjectName("printer-notice")
        box.addWidget(notice, 4 if m.portrait else 3)
    tiles = [_tile(t.label, lambda _=False, x=t.id: ctl.tap_language(x), f"tile:{t.id}", m,
                   max_px=6.5 * m.u) for t in s.tiles]
    grid = _grid(tiles, m)
    box.addLayout(grid, 8 if m.portrait else 6)
    return page


def _menu(s: MenuScreen, ctl: KioskController, m: Metrics) -> QWidget:
    page, box = _page(m)
    box.addWidget(FitText(s.title, 5.2 * m.u, bold=True), 2)
    if s.subtitle:
        box.addWidget(FitText(s.subtitle, 3.6 * m.u, color=MUTED), 1)
    tap = {"categories": ctl.tap_category, "services": ctl.tap_service,
           "priorities": ctl.tap_priority}[s.name]
    many = len(s.tiles) > 6
    tiles = [_tile(t.label, lambda _=False, x=t.id: tap(x), f"tile:{t.id}", m, t.badge,
                   max_px=(3.4 if many else 4.4) * m.u, accent=t.accent) for t in s.tiles]
    box.addLayout(_grid(tiles, m), 12)
    box.addLayout(_nav(ctl, m, s.back, s.home))
    return page


def _nav(ctl: KioskController, m: Metrics, back: str, home: str) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(round(2 * m.u))
    for text, fn, name, accent in ((back, ctl.tap_back, "back", True), (home, ctl.tap_home, "home", False)):
        b = _tile(("◀  " if name == "back" else "⌂  ") + text, lambda _=False, f=fn: f(), name, m,
                  max_px=4 * m.u, accent=accent)
        b.setFixedHeight(max(m.target, round(10 * m.u)))
        row.addWidget(b)
    return row


def _ticket(s: TicketScreen, ctl: KioskController, m: Metrics) -> QWidget:
    page, box = _page(m)
    failed = s.print_state == "failed"
    text_col = QVBoxLayout()
    text_col.setSpacing(round(1 * m.u))
    text_col.addWidget(FitText(s.your_number, 5 * m.u, color=MUTED), 2)
    code = FitText(s.code, (22 if m.portrait else 26) * m.u, bold=True)
    code.setObjectName("ticket-code")
    text_col.addWidget(code, 7)
    text_col.addWidget(FitText(s.service, 4.6 * m.u, bold=True), 3)
    if s.priority:
        text_col.addWidget(FitText(s.priority, 3.6 * m.u, bold=True, color=QColor("#000"),
                                   background=INK), 2)
    text_col.addWidget(FitText(s.ahead, 4.4 * m.u, bold=True), 2)
    if s.wait:
        text_col.addWidget(FitText(s.wait, 3.8 * m.u), 2)

    qr_col = None
    if s.qr_payload is not None:  # without public_url: no QR code, no "scan" caption
        qr_col = QVBoxLayout()
        qr_px = round((30 if m.portrait else 34) * m.u * (1.25 if failed else 1))
        qr = QLabel()
        qr.setObjectName("ticket-qr")
        qr.setPixmap(qr_pixmap(s.qr_payload, qr_px))
        qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption = FitText(s.qr_caption, 3 * m.u, color=MUTED)
        caption.setObjectName("ticket-qr-caption")
        caption.setFixedHeight(round(8 * m.u))  # room for two lines of the largest caption
        qr_col.addStretch(1)
        qr_col.addWidget(qr)
        qr_col.addWidget(caption)
        qr_col.addStretch(1)

    if qr_col is None:
        box.addLayout(text_col, 10)
    elif m.portrait:
        box.addLayout(text_col, 10)
        box.addLayout(qr_col, 7)
    else:
        row = QHBoxLayout()
        row.setSpacing(round(3 * m.u))
        row.addLayout(text_col, 3)
        row.addLayout(qr_col, 2)
        box.addLayout(row, 10)
    banner = FitText(s.print_message, (4.6 if failed else 4.2) * m.u, bold=True,
                     color=QColor("#000") if failed else INK, background=ALERT if failed else None)
    banner.setObjectName(f"print-{s.print_state}")
    box.addWidget(banner, 3 if failed else 2)
    done = _tile(s.done, lambda _=False: ctl.tap_home(), "done", m, max_px=4.4 * m.u, accent=True)
    done.setFixedHeight(max(m.target, round(10 * m.u)))
    box.addWidget(done)
    return page


def _message(s: MessageScreen, ctl: KioskController, m: Metrics) -> QWidget:
    page, box = _page(m)
    if s.title:
        box.addWidget(FitText(s.title, 4.6 * m.u, color=MUTED), 2)
    body = FitText(s.body, 6.5 * m.u, bold=True, color=QColor("#000"), background=ACCENT)
    body.setObjectName(f"message-{s.kind}")
    box.addWidget(body, 8)
    done = _tile(s.done, lambda _=False: ctl.tap_home(), "done", m, max_px=4.4 * m.u, accent=False)
    done.setFixedHeight(max(m.target, round(10 * m.u)))
    box.addWidget(done)
    return page


def _closed(s: ClosedScreen, ctl: KioskController, m: Metrics) -> QWidget:
    page, box = _page(m)
    box.addWidget(FitText(s.centre, 4 * m.u, bold=True, color=MUTED), 2)
    for title in s.titles:
        box.addWidget(FitText(title, 6.5 * m.u, bold=True, color=ACCENT), 3)
    box.addWidget(FitText(s.hours_title, 4.4 * m.u, bold=True), 2)
    table = QGridLayout()
    table.setHorizontalSpacing(round(4 * m.u))
    for i, (day, span) in enumerate(s.hours):
        table.addWidget(FitText(day, 3.6 * m.u, align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), i, 0)
        table.addWidget(FitText(span, 3.6 * m.u, bold=True, align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), i, 1)
        table.setRowStretch(i, 1)
    box.addLayout(table, 9)
    return page  # a tap anywhere looks at the clock again (KioskWindow forwards it)


def _outage(s: OutOfServiceScreen, ctl: KioskController, m: Metrics) -> QWidget:
    page, box = _page(m)
    for title, body in zip(s.titles, s.bodies, strict=True):
        box.addWidget(FitText(title, 6 * m.u, bold=True, color=ACCENT), 3)
        box.addWidget(FitText(body, 3.8 * m.u), 2)
    return page


def _pin(s: PinScreen, ctl: KioskController, m: Metrics) -> QWidget:
    page, box = _page(m)
    box.addWidget(FitText(s.title, 5 * m.u, bold=True), 2)
    box.addWidget(FitText("●" * s.digits or " ", 6 * m.u, bold=True), 2)
    err = FitText(s.error or " ", 4 * m.u, bold=True, color=ACCENT)
    err.setObjectName("pin-error")
    box.addWidget(err, 1)
    grid = QGridLayout()
    grid.setSpacing(round(1.5 * m.u))
    for i, key in enumerate(s.keys):
        t = _tile(key, lambda _=False, k=key: ctl.tap_pin_key(k), f"pin:{key}", m, max_px=6 * m.u)
        t.setEnabled(not s.locked)
        grid.addWidget(t, i // 3, i % 3)
    holder = QWidget()
    holder.setLayout(grid)
    holder.setMaximumSize(QSize(round(60 * m.u * (1.4 if not m.portrait else 1)), 10_000))
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(holder, 4)
    row.addStretch(1)
    box.addLayout(row, 10)
    cancel = _tile(s.cancel_label, lambda _=False: ctl.tap_pin_cancel(), "pin-cancel", m,
                   max_px=4 * m.u, accent=True)
    cancel.setFixedHeight(m.target)
    box.addWidget(cancel)
    return page
