"""One page per screen model: layout only. Every tap goes straight to the controller.

Every visitor screen ends with the bottom bar (🔊 audio help, Aa large text, Help); the tile the
keypad is on has a ring. On a tall portrait screen the
choices sit below the reach line (kiosk/metrics.py), the titles above it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.code_page import code_page
from kiosk.controller import KioskController
from kiosk.metrics import Metrics, columns
from kiosk.screens import (
    ClosedScreen,
    Frame,
    LanguageScreen,
    MenuScreen,
    MessageScreen,
    OutOfServiceScreen,
    PinScreen,
    Screen,
    TicketScreen,
)
from kiosk.widgets import ACCENT, ALERT, BACKGROUND, INK, MUTED, FitText, Tile, qr_pixmap

__all__ = ["Metrics", "build_page", "columns"]


def build_page(screen: Screen, ctl: KioskController, m: Metrics) -> QWidget:
    """The widget tree for one screen."""
    builders: dict[str, Callable[..., None]] = {
        "language": _language, "categories": _menu, "services": _menu, "priorities": _menu,
        "ticket": _ticket, "message": _message, "closed": _closed, "out_of_service": _outage,
        "pin": _pin, "code": lambda s, c, m, b: code_page(s, c, m, b, _tile),
    }
    page, box = _page(m)
    builders[screen.name](screen, ctl, m, box)
    if screen.name != "pin":
        _frame(screen.frame, ctl, m, box)
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


def _text(text: str, m: Metrics, units: float, **kw) -> FitText:
    return FitText(text, m.text(units), min_px=m.min_text, **kw)


def _tile(text: str, on_tap, name: str, m: Metrics, units: float, badge: str = "",
          accent: bool = False, focus: str | None = None) -> Tile:
    tile = Tile(text, badge, m.text(units), m.target, accent, min_px=m.min_text,
                focused=focus == name)
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


def _heading(m: Metrics, box: QVBoxLayout) -> QVBoxLayout:
    """Where the titles go: above the reach line on a tall screen (nothing to touch there)."""
    top = QVBoxLayout()
    top.setSpacing(round(1 * m.u))
    if m.reach_top:
        holder = QWidget()
        holder.setLayout(top)
        top.setContentsMargins(0, 0, 0, 0)
        pad = round(2.5 * m.u)
        holder.setFixedHeight(max(0, m.reach_top - pad))
        box.addWidget(holder)
    else:
        box.addLayout(top, 3)
    return top


def _frame(f: Frame, ctl: KioskController, m: Metrics, box: QVBoxLayout) -> None:
    """The bottom bar (the time-out warning is a banner the window lays over the page)."""
    buttons: list[tuple[str, Callable[[], None], str, bool]] = [
        (f.audio_label, ctl.tap_audio, "audio", f.audio), (f.large_label, ctl.tap_large, "large", f.large)]
    if f.help_label:
        buttons.append((f.help_label, ctl.tap_help, "help", False))
    lines = max(t.count("\n") + 1 for t, *_ in buttons)  # every language before one is chosen
    stacked = lines > 1 and m.portrait    # too narrow side by side: one full-width row each
    row: QBoxLayout = QVBoxLayout() if stacked else QHBoxLayout()
    row.setSpacing(round(1.6 * m.u))
    if stacked:
        buttons = [(t.replace("\n", " · "), fn, name, on) for t, fn, name, on in buttons]
        lines = 2
    height = max(m.bar_height, round(lines * m.min_text * 1.3 + 40)) if lines > 1 else m.bar_height
    group = []
    for text, fn, name, on in buttons:
        b = _tile(text, lambda _=False, f=fn: f(), name, m, 3.4, accent=on)
        b.setFixedHeight(height)
        row.addWidget(b)
        group.append(b)
    for b in group:
        b.siblings = group   # one letter size for the whole bar
    box.addLayout(row)


def _language(s: LanguageScreen, ctl: KioskController, m: Metrics, box: QVBoxLayout) -> None:
    top = _heading(m, box)
    top.addWidget(_text(s.centre, m, 4.5, bold=True, color=MUTED), 2)
    for title in s.titles:
        top.addWidget(_text(title, m, 5, bold=True), 2)
    if s.printer_notices:
        notice = _text("\n".join(s.printer_notices), m, 3.4, bold=True, color=QColor("#000"),
                       background=ALERT)
        notice.setObjectName("printer-notice")
        (top if m.reach_top else box).addWidget(notice, 4 if m.portrait else 3)
    tiles = [_tile(t.label, lambda _=False, x=t.id: ctl.tap_language(x), t.name, m, 6.5,
                   accent=t.accent, focus=s.frame.focus) for t in s.tiles]
    box.addLayout(_grid(tiles, m), 8 if m.portrait else 6)


def _menu(s: MenuScreen, ctl: KioskController, m: Metrics, box: QVBoxLayout) -> None:
    top = _heading(m, box)
    page_of = f"  ({s.page + 1}/{s.pages})" if s.pages > 1 else ""
    top.addWidget(_text(s.title + page_of, m, 5.2, bold=True), 2)
    if s.subtitle:
        top.addWidget(_text(s.subtitle, m, 3.6, color=MUTED), 1)
    tap = {"categories": ctl.tap_category, "services": ctl.tap_service,
           "priorities": ctl.tap_priority}[s.name]
    many = len(s.tiles) > 6
    tiles = [_tile(t.label, lambda _=False, x=t.id: tap(x), t.name, m, 3.4 if many else 4.4,
                   t.badge, accent=t.accent, focus=s.frame.focus) for t in s.tiles]
    box.addLayout(_grid(tiles, m), 12)
    box.addLayout(_nav(ctl, m, s.back, s.home, s.frame.focus))


def _nav(ctl: KioskController, m: Metrics, back: str, home: str, focus: str | None) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(round(2 * m.u))
    group = []
    for text, fn, name, accent in ((back, ctl.tap_back, "back", True), (home, ctl.tap_home, "home", False)):
        b = _tile(("◀  " if name == "back" else "⌂  ") + text, lambda _=False, f=fn: f(), name, m, 4,
                  accent=accent, focus=focus)
        b.setFixedHeight(m.bar_height)
        row.addWidget(b)
        group.append(b)
    for b in group:
        b.siblings = group
    return row


def _ticket(s: TicketScreen, ctl: KioskController, m: Metrics, box: QVBoxLayout) -> None:
    failed = s.print_state == "failed"
    text_col = QVBoxLayout()
    text_col.setSpacing(round(1 * m.u))
    text_col.addWidget(_text(s.your_number, m, 5, color=MUTED), 2)
    code = FitText(s.code, (22 if m.portrait else 26) * m.u, bold=True, min_px=m.min_text)
    code.setObjectName("ticket-code")
    text_col.addWidget(code, 7)
    text_col.addWidget(_text(s.service, m, 4.6, bold=True), 3)
    if s.booking_note:
        note = _text(s.booking_note, m, 3.6, bold=True, color=QColor("#000"), background=ALERT)
        note.setObjectName("booking-note")
        text_col.addWidget(note, 3)
    if s.priority:
        text_col.addWidget(_text(s.priority, m, 3.6, bold=True, color=QColor("#000"),
                                 background=INK), 2)
    text_col.addWidget(_text(s.ahead, m, 4.4, bold=True), 2)
    if s.wait:
        text_col.addWidget(_text(s.wait, m, 3.8), 2)
    if s.called_by_voice:
        called = _text(s.called_by_voice, m, 3.2, color=MUTED)
        called.setObjectName("called-by-voice")
        if m.large:
            called.setMinimumHeight(round(m.min_text * 1.3 * 2 + 8))  # two lines
        text_col.addWidget(called, 2)

    qr_col = None
    if s.qr_payload is not None:  # without public_url: no QR code, no "scan" caption
        qr_col = QVBoxLayout()
        qr_px = round((30 if m.portrait else 34) * m.u * (1.25 if failed else 1) * (0.8 if m.large else 1))
        qr = QLabel()
        qr.setObjectName("ticket-qr")
        qr.setPixmap(qr_pixmap(s.qr_payload, qr_px))
        qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption = _text(s.qr_caption, m, 3, color=MUTED)
        caption.setObjectName("ticket-qr-caption")
        caption.setFixedHeight(round(max(8 * m.u, m.min_text * 2.6)))  # two lines of the largest caption
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
    banner = _text(s.print_message, m, 4.6 if failed else 4.2, bold=True,
                   color=QColor("#000") if failed else INK, background=ALERT if failed else None)
    banner.setObjectName(f"print-{s.print_state}")
    box.addWidget(banner, 3 if failed else 2)
    _done(s.done, ctl, m, box, accent=True, focus=s.frame.focus)


def _done(text: str, ctl: KioskController, m: Metrics, box: QBoxLayout, accent: bool,
          focus: str | None) -> None:
    done = _tile(text, lambda _=False: ctl.tap_done(), "done", m, 4.4, accent=accent, focus=focus)
    done.setFixedHeight(m.bar_height)
    box.addWidget(done)


def _message(s: MessageScreen, ctl: KioskController, m: Metrics, box: QVBoxLayout) -> None:
    if s.title:
        box.addWidget(_text(s.title, m, 4.6, color=MUTED), 2)
    body = _text(s.body, m, 6.5, bold=True, color=QColor("#000"), background=ACCENT)
    body.setObjectName(f"message-{s.kind}")
    box.addWidget(body, 8)
    for t in s.extra:
        extra = _tile(t.label, lambda _=False, x=t.id: ctl.appointments.tap_tile(x), t.name, m,
                      4.4, accent=t.accent, focus=s.frame.focus)
        extra.setFixedHeight(m.bar_height)
        box.addWidget(extra)
    _done(s.done, ctl, m, box, accent=False, focus=s.frame.focus)


def _closed(s: ClosedScreen, ctl: KioskController, m: Metrics, box: QVBoxLayout) -> None:
    box.addWidget(_text(s.centre, m, 4, bold=True, color=MUTED), 2)
    for title in s.titles:
        box.addWidget(_text(title, m, 6.5, bold=True, color=ACCENT), 3)
    box.addWidget(_text(s.hours_title, m, 4.4, bold=True), 2)
    table = QGridLayout()
    table.setHorizontalSpacing(round(4 * m.u))
    for i, (day, span) in enumerate(s.hours):
        table.addWidget(_text(day, m, 3.6, align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), i, 0)
        table.addWidget(_text(span, m, 3.6, bold=True, align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), i, 1)
        table.setRowStretch(i, 1)
    box.addLayout(table, 9)
    # a tap anywhere looks at the clock again (KioskWindow forwards it)


def _outage(s: OutOfServiceScreen, ctl: KioskController, m: Metrics, box: QVBoxLayout) -> None:
    for title, body in zip(s.titles, s.bodies, strict=True):
        box.addWidget(_text(title, m, 6, bold=True, color=ACCENT), 3)
        box.addWidget(_text(body, m, 3.8), 2)


def _pin(s: PinScreen, ctl: KioskController, m: Metrics, box: QVBoxLayout) -> None:
    box.addWidget(FitText(s.title, 5 * m.u, bold=True), 2)
    box.addWidget(FitText("●" * s.digits or " ", 6 * m.u, bold=True), 2)
    err = FitText(s.error or " ", 4 * m.u, bold=True, color=ACCENT)
    err.setObjectName("pin-error")
    box.addWidget(err, 1)
    grid = QGridLayout()
    grid.setSpacing(round(1.5 * m.u))
    for i, key in enumerate(s.keys):
        t = _tile(key, lambda _=False, k=key: ctl.tap_pin_key(k), f"pin:{key}", m, 6)
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
    cancel = _tile(s.cancel_label, lambda _=False: ctl.tap_pin_cancel(), "pin-cancel", m, 4, accent=True)
    cancel.setFixedHeight(m.target)
    box.addWidget(cancel)
