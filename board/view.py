"""BoardWidget: draws a BoardState (and nothing else) — the lobby board's only widget.

All sizes come from board/layout.py, so the board fills any screen; text is shrunk only when
it would not fit its box, and never below the layout's `min_text` (the board's sizing rule,
board/layout.py): a text that still does not fit is cut with "…" and counted in `elided`. The
newest call blinks (1 Hz, inverse colours) while highlighted. Staff alerts are on the staff line,
marked as being for staff, at the smallest allowed size, each whole: more than fit are shown
page by page (board/staff_line.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from board.layout import Layout, Rect, board_layout
from board.staff_line import PAGE_SECONDS, staff_pages
from board.state import BoardState, CallView

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
BG = QColor("#0b1f3a")
PANEL = QColor("#12305a")
ROW_ALT = QColor("#0f2748")
TEXT = QColor("#ffffff")
MUTED = QColor("#a9bdd6")
ACCENT = QColor("#ffc107")
ACCENT_DARK = QColor("#1a1a1a")
ALERT_BG = QColor("#3a1f0b")
ALERT_TEXT = QColor("#ffb074")
LINE_SPACING = 1.12  # a name on two lines: baseline to baseline, in font sizes
BLINK_MS = 500


@dataclass(frozen=True)
class DrawnText:
    """One text as the last paint drew it (for tests of the sizing rule)."""

    text: str
    px: float
    elided: bool
    part: str  # header, now, recent, waiting, staff, ticker

_family: str | None = None


def board_font_family() -> str:
    """DejaVu Sans (every Azerbaijani letter), from assets/fonts if bundled, else the system's."""
    global _family
    if _family is None:
        _family = "DejaVu Sans"
        for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
            path = FONT_DIR / name
            if path.exists():
                fid = QFontDatabase.addApplicationFont(str(path))
                families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
                if families:
                    _family = families[0]
    return _family


class BoardWidget(QWidget):
    """The board's screen; `show_state(state)` is its whole interface."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.state: BoardState | None = None
        self.blink_on = True
        self.paints = 0
        self.drawn: list[DrawnText] = []  # every text of the last paint, with its size
        self._floor = 6.0  # the layout's min_text during a paint
        self._part = ""
        self.setAutoFillBackground(False)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self._blink = QTimer(self)
        self._blink.setInterval(BLINK_MS)
        self._blink.timeout.connect(self._toggle_blink)
        self._family = board_font_family()
        self.staff_pages: list[str] = []  # the staff line's pages at the last paint
        self.staff_page = 0               # the page shown: turned every PAGE_SECONDS
        self._turn = QTimer(self)
        self._turn.setInterval(int(PAGE_SECONDS * 1000))
        self._turn.timeout.connect(self._turn_page)

    def show_state(self, state: BoardState) -> None:
        self.state = state
        if state.highlighted and not self._blink.isActive():
            self.blink_on = True
            self._blink.start()
        elif not state.highlighted and self._blink.isActive():
            self._blink.stop()
            self.blink_on = True
        self.update()

    def _turn_page(self) -> None:
        """The staff line's next page (the timer stops once all alerts fit on one)."""
        if len(self.staff_pages) <= 1:
            self._turn.stop()
            return
        self.staff_page += 1
        self.update(*[int(v) for v in self._layout().alerts])

    def _toggle_blink(self) -> None:
        self.blink_on = not self.blink_on
        if self.state is not None and self.state.highlighted:
            lay = self._layout()
            self.update(*[int(v) for v in lay.now])
        else:
            self._blink.stop()

    def _layout(self) -> Layout:
        st = self.state
        return board_layout(self.width(), self.height(), history=max(len(st.recent), st.history_rows) if st else 8,
                            alerts=bool(st and st.alerts))

    # ---- drawing ---------------------------------------------------------------------------
    def _font(self, px: float, bold: bool = False) -> QFont:
        f = QFont(self._family)
        f.setPixelSize(max(6, int(px)))
        f.setBold(bold)
        return f

    def _text(self, p: QPainter, rect: Rect, text: str, px: float, color: QColor,
              bold: bool = False, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
        """Draw one line in `rect`, vertically centred, shrunk until it fits the width — but
        never below the sizing rule's floor (then cut with "…")."""
        x, y, w, h = rect
        px = max(self._floor, min(px, h * 0.9))
        font = self._font(px, bold)
        width = QFontMetricsF(font).horizontalAdvance(text)
        if width > w and width > 0:
            px = max(self._floor, px * w / width * 0.98)
            font = self._font(px, bold)
        metrics = QFontMetricsF(font)
        shown = text
        if metrics.horizontalAdvance(text) > w:
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, w)
        self.drawn.append(DrawnText(text, font.pixelSize(), shown != text, self._part))
        p.setFont(font)
        p.setPen(color)
        p.drawText(QRectF(x, y, w, h), int(align | Qt.AlignmentFlag.AlignVCenter), shown)

    @staticmethod
    def _halves(text: str) -> tuple[str, str]:
        mid = len(text) / 2
        cut = min((i for i, ch in enumerate(text) if ch == " "), key=lambda i: abs(i - mid))
        return text[:cut], text[cut + 1:]

    def _advance(self, text: str, px: float) -> float:
        return QFontMetricsF(self._font(px)).horizontalAdvance(text)

    def _fit2(self, text: str, w: float, h: float, px: float) -> float:
        """The largest size ≤ px at which `text` fits w×h on one line or on two lines (never
        below the floor)."""
        px = min(px, h * 0.9)
        one = px * min(1.0, w * 0.98 / max(1.0, self._advance(text, px)))
        if " " not in text:
            return max(self._floor, one)
        px2 = min(px, h / (2 * LINE_SPACING))
        widest = max(self._advance(line, px2) for line in self._halves(text))
        return max(self._floor, one, px2 * min(1.0, w * 0.98 / max(1.0, widest)))

    def _text2(self, p: QPainter, rect: Rect, text: str, px: float, color: QColor) -> None:
        """A name at size `px` (from _fit2): one line when it fits, else two lines split at the
        space nearest the middle — so long category names wrap instead of turning tiny."""
        x, y, w, h = rect
        if self._advance(text, px) <= w or " " not in text:
            self._text(p, rect, text, px, color)
            return
        line_h = px * LINE_SPACING
        top = y + (h - 2 * line_h) / 2
        for line in self._halves(text):
            self._text(p, (x, top, w, line_h), line, px, color)
            top += line_h

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 — Qt's name
        self.paints += 1
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.fillRect(self.rect(), BG)
        st = self.state
        self.drawn = []
        if st is not None:
            lay = self._layout()
            self._floor = lay.min_text
            for part, draw in (("header", self._header), ("now", self._now),
                               ("recent", self._recent), ("waiting", self._waiting),
                               ("staff", self._alerts), ("ticker", self._ticker)):
                self._part = part
                draw(p, lay, st)
        p.end()

    def _header(self, p: QPainter, lay: Layout, st: BoardState) -> None:
        x, y, w, h = lay.header
        p.fillRect(QRectF(x, y, w, h), PANEL)
        u, pad = lay.unit, lay.pad
        clock_w = w * (0.20 if not lay.portrait else 0.30)
        date_w = w * (0.30 if not lay.portrait else 0.0)
        name = st.centre_name + (f" · {st.zone_name}" if st.zone_name else "")
        if lay.portrait:
            top_h = h * 0.55
            self._text(p, (pad, y, w - clock_w - 2 * pad, top_h), name, 4.2 * u, TEXT, True)
            self._text(p, (pad, y + top_h, w - clock_w - 2 * pad, h - top_h), st.date_text, 3.2 * u, MUTED)
            self._text(p, (w - clock_w - pad, y, clock_w, h), st.time_text, 7.5 * u, TEXT, True,
                       Qt.AlignmentFlag.AlignRight)
        else:
            self._text(p, (pad, y, w - clock_w - date_w - 3 * pad, h), name, 4.2 * u, TEXT, True)
            self._text(p, (w - clock_w - date_w - pad, y, date_w, h), st.date_text, 3.0 * u, MUTED,
                       align=Qt.AlignmentFlag.AlignRight)
            self._text(p, (w - clock_w, y, clock_w - pad, h), st.time_text, 7.0 * u, TEXT, True,
                       Qt.AlignmentFlag.AlignRight)
        if st.reconnecting:
            mark = "⟳ " + st.labels.get("Reconnecting…", "Reconnecting…")
            rw = w * 0.3
            self._text(p, (w / 2 - rw / 2, y + h - lay.min_text * 1.2, rw, lay.min_text * 1.2),
                       mark, lay.min_text, ALERT_TEXT, True, Qt.AlignmentFlag.AlignCenter)

    def _now(self, p: QPainter, lay: Layout, st: BoardState) -> None:
        x, y, w, h = lay.now
        u = lay.unit
        title_h = h * 0.18
        self._text(p, (x, y, w, title_h), st.labels.get("Now calling", ""), 4.6 * u, MUTED, True)
        box = QRectF(x, y + title_h, w, h - title_h)
        call = st.newest
        if call is None:
            p.fillRect(box, PANEL)
            self._text(p, (box.x(), box.y(), box.width(), box.height()),
                       st.labels.get("No calls yet", ""), 5 * u, MUTED, align=Qt.AlignmentFlag.AlignCenter)
            return
        lit = st.highlighted and self.blink_on
        fg = ACCENT_DARK if lit or st.highlighted is False else ACCENT
        if not st.highlighted:
            bg, fg = ACCENT, ACCENT_DARK
        else:
            bg = ACCENT if lit else PANEL
            fg = ACCENT_DARK if lit else ACCENT
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(bg)
        p.drawRoundedRect(box, u, u)
        if st.highlighted and not lit:
            p.setPen(ACCENT)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(box.adjusted(u / 2, u / 2, -u / 2, -u / 2), u, u)
        bx, by, bw, bh = box.x(), box.y(), box.width(), box.height()
        label_h = bh * 0.2
        code_w = bw * 0.62
        self._text(p, (bx + lay.pad, by + bh * 0.04, code_w, label_h), st.labels.get("Ticket", ""),
                   3.2 * u, fg)
        self._text(p, (bx + code_w, by + bh * 0.04, bw - code_w - lay.pad, label_h),
                   st.labels.get("Counter", ""), 3.2 * u, fg, align=Qt.AlignmentFlag.AlignRight)
        big_y, big_h = by + label_h, bh - label_h - bh * 0.04
        self._text(p, (bx + lay.pad, big_y, code_w - lay.pad, big_h), call.code, 30 * u, fg, True)
        self._text(p, (bx + code_w, big_y, bw - code_w - lay.pad, big_h), f"→ {call.counter}", 30 * u,
                   fg, True, Qt.AlignmentFlag.AlignRight)

    def _recent(self, p: QPainter, lay: Layout, st: BoardState) -> None:
        x, y, w, h = lay.recent
        u = lay.unit
        title_h = min(h * 0.14, 6 * u)
        self._text(p, (x, y, w, title_h), st.labels.get("Recent calls", ""), 3.6 * u, MUTED, True)
        cols, rows = lay.recent_cols, lay.recent_rows
        gap = lay.pad * 0.6
        cw = (w - gap * (cols - 1)) / cols
        rh = (h - title_h - gap * (rows - 1)) / rows
        for i in range(cols * rows):
            col, row = divmod(i, rows)
            rx, ry = x + col * (cw + gap), y + title_h + row * (rh + gap)
            p.fillRect(QRectF(rx, ry, cw, rh), PANEL)
            if i < len(st.recent):
                self._call_row(p, (rx, ry, cw, rh), st.recent[i], u)

    def _call_row(self, p: QPainter, rect: Rect, call: CallView, u: float) -> None:
        rx, ry, cw, rh = rect
        if call.fresh:
            p.fillRect(QRectF(rx, ry, u * 0.8, rh), ACCENT)
        inner = u * 1.6
        self._text(p, (rx + inner, ry, cw * 0.58 - inner, rh), call.code, rh * 0.62, TEXT, True)
        self._text(p, (rx + cw * 0.55, ry, cw * 0.45 - inner, rh), f"→ {call.counter}", rh * 0.62,
                   ACCENT, True, Qt.AlignmentFlag.AlignRight)

    def _waiting(self, p: QPainter, lay: Layout, st: BoardState) -> None:
        x, y, w, h = lay.waiting
        u = lay.unit
        title_h = min(h * 0.09, 6 * u)
        self._text(p, (x, y, w, title_h), st.labels.get("Waiting", ""), 3.6 * u, MUTED, True)
        rows = st.waiting
        if not rows:
            return
        n = len(rows)
        per_col, cols = n, 1  # one column: a name has the panel's width, in one or two lines
        gap = 0.0  # rows are told apart by their alternating colours
        cw = (w - gap * (cols - 1)) / cols
        rh = min((h - title_h - gap * (per_col - 1)) / per_col, 9 * u)
        # a range ("45–60 dəq") needs about half as much room again as a point ("~8 dəq")
        ranged = any(r.waiting and r.wait_high_min > r.wait_low_min for r in rows)
        letter_w, num_w, est_w = rh * 1.1, cw * 0.09, cw * (0.25 if ranged else 0.17)
        name_w = cw - letter_w - num_w - est_w - 2.5 * u
        fits = [self._fit2(row.name, name_w, rh, rh * 0.46) for row in rows]
        common = sorted(fits)[len(fits) // 2]  # most names share one size; only longer ones shrink
        for i, row in enumerate(rows):
            col, r = divmod(i, per_col)
            rx, ry = x + col * (cw + gap), y + title_h + r * (rh + gap)
            p.fillRect(QRectF(rx, ry, cw, rh), PANEL if r % 2 == 0 else ROW_ALT)
            p.fillRect(QRectF(rx, ry, letter_w, rh), ACCENT)
            self._text(p, (rx, ry, letter_w, rh), row.prefix, rh * 0.62, ACCENT_DARK, True,
                       Qt.AlignmentFlag.AlignCenter)
            self._text2(p, (rx + letter_w + u, ry, name_w, rh), row.name, min(fits[i], common), TEXT)
            self._text(p, (rx + cw - num_w - est_w - u, ry, num_w, rh), str(row.waiting), rh * 0.55,
                       TEXT, True, Qt.AlignmentFlag.AlignRight)
            if row.no_counter_open:      # nobody can call yet: words, never minutes
                est_text = (st.labels.get("from {time}", "from {time}").format(time=row.opens_at)
                            if row.opens_at else st.labels.get("not open yet", "not open yet"))
            elif row.wait_high_min > row.wait_low_min:
                est = st.labels.get("{low}–{high} min", "{low}–{high} min")
                est_text = est.format(low=row.wait_low_min, high=row.wait_high_min)
            else:
                est_text = st.labels.get("~{n} min", "~{n} min").format(n=row.estimated_wait_min)
            est_text = est_text if row.waiting or row.no_counter_open else "—"
            self._text(p, (rx + cw - est_w - u * 0.6, ry, est_w, rh), est_text,
                       max(rh * 0.4, lay.min_text), MUTED, align=Qt.AlignmentFlag.AlignRight)

    def _alerts(self, p: QPainter, lay: Layout, st: BoardState) -> None:
        """The staff line: "For staff:" then the alerts, at the smallest allowed size (staff
        read it up close; the consoles show the same alerts in full)."""
        if not st.alerts:
            self.staff_pages = []
            return
        x, y, w, h = lay.alerts
        p.fillRect(QRectF(x, y, w, h), ALERT_BG)
        label = st.labels.get("For staff:", "For staff:")
        px, width = lay.min_text, w - 2 * lay.pad
        two_lines = h >= 3 * px

        def fits(text: str) -> bool:
            lines = self._wrap(text, px, width) if two_lines else [text]
            return all(self._advance(line, px) <= width for line in lines)

        pages = staff_pages(label, st.alerts_heading, st.alerts, fits)
        self.staff_pages = pages
        if len(pages) > 1 and not self._turn.isActive():
            self._turn.start()
        text = pages[self.staff_page % len(pages)]
        lines = [text]
        if self._advance(text, px) > width and two_lines:
            lines = self._wrap(text, px, width)
        line_h = h / len(lines)
        for i, line in enumerate(lines[:2]):
            self._text(p, (x + lay.pad, y + i * line_h, w - 2 * lay.pad, line_h), line, px,
                       ALERT_TEXT, align=Qt.AlignmentFlag.AlignRight)

    def _wrap(self, text: str, px: float, width: float) -> list[str]:
        """Two lines at most: as many words on the first as fit, the rest on the second."""
        words, first = text.split(" "), ""
        for i, word in enumerate(words):
            trial = f"{first} {word}".strip()
            if first and self._advance(trial, px) > width:
                return [first, " ".join(words[i:])]
            first = trial
        return [first]

    def _ticker(self, p: QPainter, lay: Layout, st: BoardState) -> None:
        x, y, w, h = lay.ticker
        p.fillRect(QRectF(x, y, w, h), PANEL)
        self._text(p, (x + lay.pad, y, w - 2 * lay.pad, h), st.ticker, h * 0.5, TEXT,
                   align=Qt.AlignmentFlag.AlignCenter)
