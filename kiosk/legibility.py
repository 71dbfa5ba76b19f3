"""How large the kiosk's letters really are on screen (EN 301 549 5.1.4): the smallest text a
page drew, and the height in pixels of a capital H drawn at that size with the kiosk's font —
counted from the ink of the rendered letter. Used by the tests and bench/kiosk.py."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

from kiosk.widgets import FitText, Tile, font


@dataclass(frozen=True)
class SmallestText:
    """The smallest text a page drew: its widget, font pixel size and capital height."""

    widget: str
    text: str
    font_px: int
    cap_px: int


def cap_height_px(font_px: int, bold: bool = True) -> int:
    """Rows of ink of a capital H drawn at `font_px` (the kiosk's font), measured."""
    size = font_px * 2
    img = QImage(size, size, QImage.Format.Format_Grayscale8)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setFont(font(font_px, bold))
    p.setPen(QColor("black"))
    p.drawText(img.rect(), int(Qt.AlignmentFlag.AlignCenter), "H")
    p.end()
    rows = [y for y in range(size) if any(img.pixelColor(x, y).value() < 128 for x in range(size))]
    return rows[-1] - rows[0] + 1 if rows else 0


def clipped_texts(page: QWidget) -> list[str]:
    """Texts a page drew that did not fit their box (grab the page first)."""
    found = [w.objectName() or w.text for w in page.findChildren(FitText) if w.isVisible() and w.clipped]
    return found + [t.objectName() or t.text() for t in page.findChildren(Tile)
                    if t.isVisible() and t.clipped]


def smallest_text(page: QWidget) -> SmallestText | None:
    """The smallest text drawn on a page, after it was painted (grab it first). Texts that are
    only a symbol or a figure (the ticket code's "A-015", the PIN dots) count as well."""
    found: list[tuple[int, str, str, bool]] = []
    for w in page.findChildren(FitText):
        if w.isVisible() and w.painted_px and w.text.strip():
            found.append((w.painted_px, w.objectName() or "text", w.text, w.bold))
    for t in page.findChildren(Tile):
        if t.isVisible() and t.painted_px and t.text().strip():
            found.append((t.painted_px, t.objectName(), t.text(), True))
    if not found:
        return None
    px, name, text, bold = min(found, key=lambda f: (f[0], not f[3]))
    return SmallestText(name, text, px, cap_height_px(px, bold))
