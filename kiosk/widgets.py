"""The kiosk's building blocks: big high-contrast tiles whose text always fits, text that
shrinks to its box, the QR code as a pixmap, the palette, and the bundled font for Qt."""

from __future__ import annotations

import re
from functools import cache

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QImage,
    QPainter,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget

from kiosk.fonts import BOLD, REGULAR
from kiosk.qr import qr_image

BACKGROUND = QColor("#0b1f3a")   # deep navy; white text on it has a contrast ratio above 15:1
INK = QColor("#ffffff")
TILE = QColor("#ffffff")
TILE_INK = QColor("#000000")
ACCENT = QColor("#ffd200")       # yellow tiles and buttons, black text
ALERT = QColor("#ffd200")
MUTED = QColor("#c9d6e8")
FOCUS = QColor("#ff7a00")       # the focus ring: orange on navy, seen beside white and yellow tiles
WRAP = Qt.TextFlag.TextWordWrap
SPEAKER = "🔊"


@cache
def family() -> str:
    """The bundled DejaVu Sans family, registered with Qt once."""
    name = "DejaVu Sans"
    for path in (REGULAR, BOLD):
        fid = QFontDatabase.addApplicationFont(str(path))
        if fid >= 0:
            name = QFontDatabase.applicationFontFamilies(fid)[0]
    return name


@cache
def cap_ratio() -> float:
    """The bundled bold font's capital height as a share of its pixel size (DejaVu: 0.729)."""
    f = font(200, bold=True)
    return QFontMetrics(f).capHeight() / 200


def font(px: float, bold: bool = False) -> QFont:
    f = QFont(family())
    f.setPixelSize(max(8, int(px)))
    f.setBold(bold)
    return f


def fits(text: str, rect: QRect, f: QFont, flags: int) -> bool:
    """Whether the word-wrapped text fits the rectangle in this font, no word broken."""
    fm = QFontMetrics(f)
    box = fm.boundingRect(rect, flags, text)
    words_fit = all(fm.horizontalAdvance(w) <= rect.width() for w in breakable_words(text))
    return box.width() <= rect.width() and box.height() <= rect.height() and words_fit


def fitted_font(text: str, rect: QRect, max_px: float, bold: bool = False, min_px: float = 12,
                flags: int = int(Qt.AlignmentFlag.AlignCenter) | int(WRAP)) -> QFont:
    """The largest font (≤ max_px, ≥ min_px) whose word-wrapped text fits the rectangle, no
    word broken (min_px when none does: the layout must make room, and tests check it)."""
    lo, hi = int(min_px), int(max(min_px, max_px))
    best = font(lo, bold)
    while lo <= hi:
        mid = (lo + hi) // 2
        f = font(mid, bold)
        if fits(text, rect, f, flags):
            best, lo = f, mid + 1
        else:
            hi = mid - 1
    return best


def breakable_words(text: str) -> list[str]:
    """The pieces a line may not be broken inside (lines may break after a hyphen)."""
    return [w for w in re.split(r"\s+|(?<=-)", text) if w]


class FitText(QWidget):
    """A block of text drawn as large as fits (up to max_px), centred or left-aligned."""

    def __init__(self, text: str, max_px: float, bold: bool = False, color: QColor = INK,
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter, parent: QWidget | None = None,
                 background: QColor | None = None, min_px: float = 12):
        super().__init__(parent)
        self.text, self.max_px, self.bold, self.color = text, max_px, bold, color
        self.align, self.background, self.min_px = align, background, min_px
        self.painted_px = 0   # the pixel size last drawn (measured by tests and the benchmark)
        self.clipped = False  # the text did not fit at that size
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def sizeHint(self) -> QSize:
        return QSize(100, int(self.max_px * 1.4))

    def minimumSizeHint(self) -> QSize:
        return QSize(50, int(max(self.max_px * 0.9, self.min_px * 1.2)))

    def fitted(self) -> QFont:
        inner = self.rect().adjusted(4, 2, -4, -2)
        return fitted_font(self.text, inner, self.max_px, self.bold, min_px=self.min_px,
                           flags=int(self.align) | int(WRAP))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt)
        p = QPainter(self)
        if self.background is not None:
            p.fillRect(self.rect(), self.background)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        f = self.fitted()
        self.painted_px = f.pixelSize() if self.text.strip() else 0
        self.clipped = not fits(self.text, self.rect().adjusted(4, 2, -4, -2), f,
                                int(self.align) | int(WRAP))
        p.setFont(f)
        p.setPen(self.color)
        p.drawText(self.rect().adjusted(4, 2, -4, -2), int(self.align) | int(WRAP), self.text)
        p.end()


class Tile(QAbstractButton):
    """A big touch tile: optional badge (the ticket prefix) and a label that always fits."""

    def __init__(self, text: str, badge: str = "", max_px: float = 40, min_height: int = 60,
                 accent: bool = False, parent: QWidget | None = None, min_px: float = 12,
                 focused: bool = False):
        super().__init__(parent)
        self.setText(text)
        self.badge, self.max_px, self.accent, self.min_px = badge, max_px, accent, min_px
        self.focused = focused  # the keypad's (or a first touch's) choice: a thick ring
        self.painted_px = 0
        self.clipped = False
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumHeight(min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.siblings: list[Tile] = []  # one grid's tiles share one font size, the largest all fit
        self._fit_cache: tuple[QSize, int] | None = None

    def sizeHint(self) -> QSize:
        return QSize(300, max(self.minimumHeight(), int(self.max_px * 3)))

    def _align(self) -> int:
        if self.badge:
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft) | int(WRAP)
        return int(Qt.AlignmentFlag.AlignCenter) | int(WRAP)

    def fitted_px(self) -> int:
        """The largest pixel size at which this tile's own label fits."""
        if self._fit_cache is None or self._fit_cache[0] != self.size():
            f = fitted_font(self.label(), self.label_rect(), self.max_px, bold=True,
                            min_px=self.min_px, flags=self._align())
            self._fit_cache = (self.size(), f.pixelSize())
        return self._fit_cache[1]

    def ring(self) -> int:
        """Room kept round the tile for the focus ring (so focus never moves the layout)."""
        return max(4, min(10, self.height() // 14))

    def label(self) -> str:
        """The text drawn: without a leading 🔊, which is drawn as a speaker (the bundled font
        has no emoji)."""
        return self.text().removeprefix(SPEAKER).strip() if self.speaker() else self.text()

    def speaker(self) -> bool:
        return self.text().startswith(SPEAKER)

    def label_rect(self) -> QRect:
        k = self.ring()
        r = self.rect().adjusted(14 + k, 8 + k, -14 - k, -8 - k)
        if self.speaker():
            r.setLeft(r.left() + self.icon_size() + 10)
        if self.badge:
            r.setLeft(r.left() + self.badge_size() + 14)
        return r

    def icon_size(self) -> int:
        return int(min((self.height() - 2 * self.ring()) * 0.55, self.max_px * 1.4))

    def _draw_speaker(self, p: QPainter) -> None:
        """A loudspeaker with two sound waves, left of the label."""
        size = self.icon_size()
        x0 = self.ring() + 16
        y0 = (self.height() - size) / 2
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(TILE_INK)
        body = QPolygonF([QPointF(x0, y0 + size * 0.35), QPointF(x0 + size * 0.22, y0 + size * 0.35),
                          QPointF(x0 + size * 0.5, y0 + size * 0.08), QPointF(x0 + size * 0.5, y0 + size * 0.92),
                          QPointF(x0 + size * 0.22, y0 + size * 0.65), QPointF(x0, y0 + size * 0.65)])
        p.drawPolygon(body)
        pen = QPen(TILE_INK, max(2.0, size * 0.08))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for r in (0.22, 0.4):
            arc = QRectF(x0 + size * 0.5 - size * r, y0 + size * 0.5 - size * r, 2 * size * r, 2 * size * r)
            p.drawArc(arc, -45 * 16, 90 * 16)

    def badge_size(self) -> int:
        return int(min((self.height() - 2 * self.ring()) * 0.62, self.max_px * 2.1))

    def label_font(self) -> QFont:
        px = min((t.fitted_px() for t in self.siblings if t.isVisible()), default=self.fitted_px())
        return font(min(px, self.fitted_px()), bold=True)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        fill = ACCENT if self.accent else TILE
        if self.isDown():
            fill = fill.darker(125)
        if not self.isEnabled():
            fill = QColor("#8a94a3")
        k = self.ring()
        if self.focused:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(FOCUS)
            p.drawRoundedRect(QRectF(self.rect()), 22, 22)
            p.setBrush(BACKGROUND)
            p.drawRoundedRect(QRectF(self.rect()).adjusted(k / 2, k / 2, -k / 2, -k / 2), 20, 20)
        p.setPen(QPen(QColor("#000000"), 3))
        p.setBrush(fill)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(k + 2, k + 2, -k - 2, -k - 2), 18, 18)
        if self.badge:
            size = self.badge_size()
            box = QRect(16 + k, (self.height() - size) // 2, size, size)
            p.setBrush(BACKGROUND)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawRoundedRect(QRectF(box), size / 5, size / 5)
            p.setPen(INK)
            p.setFont(font(size * 0.6, bold=True))
            p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), self.badge)
        p.setPen(TILE_INK)
        label_font = self.label_font()
        self.painted_px = label_font.pixelSize()
        self.clipped = not fits(self.label(), self.label_rect(), label_font, self._align())
        p.setFont(label_font)
        p.drawText(self.label_rect(), self._align(), self.label())
        if self.speaker():
            self._draw_speaker(p)
        p.end()


def qr_pixmap(payload: str, target_px: int) -> QPixmap:
    """The QR code with a white quiet zone, as close to target_px as whole modules allow."""
    img = qr_image(payload, max(60, int(target_px * 0.8)), mode="L")
    quiet = max(8, img.width // 8)
    qimg = QImage(img.width + 2 * quiet, img.height + 2 * quiet, QImage.Format.Format_Grayscale8)
    qimg.fill(QColor("white"))
    data = QImage(img.tobytes(), img.width, img.height, img.width, QImage.Format.Format_Grayscale8).copy()
    painter = QPainter(qimg)
    painter.drawImage(quiet, quiet, data)
    painter.end()
    return QPixmap.fromImage(qimg)
