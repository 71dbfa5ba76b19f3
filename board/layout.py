"""Where each part of the board goes, for any screen size (landscape or portrait).

Pure geometry, no Qt: rectangles are (x, y, w, h) tuples in pixels, computed from the screen
size so that 1920x1080, 3840x2160 and 1080x1920 all get proportionally large text."""

from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[float, float, float, float]

MIN_TEXT_FRACTION = 1 / 40
"""The sizing rule of the board, read from across the lobby (3–10 m): no text is smaller than
1/40 of the screen's shorter side (its height in landscape) — 27 px on a 1080-line screen, about
1.7 cm on a 55-inch TV. The view never shrinks a text below it (a text that still does not fit
is cut with "…", which tests forbid for the bundled config), and the layout gives every text a
box at least that big. The same TV turned to portrait keeps the same floor (same pixels)."""


@dataclass(frozen=True)
class Layout:
    """The rectangles of the board's parts and the base text size (`unit`, in pixels)."""

    width: int
    height: int
    portrait: bool
    unit: float  # 1/100 of the screen's shorter side
    pad: float
    min_text: float  # the smallest text allowed (MIN_TEXT_FRACTION of the shorter side), px
    header: Rect
    now: Rect
    recent: Rect
    recent_cols: int
    recent_rows: int
    waiting: Rect
    alerts: Rect
    ticker: Rect


def board_layout(width: int, height: int, history: int = 8, alerts: bool = False) -> Layout:
    """Split the screen into header, now-calling panel, recent calls, waiting list, the staff
    line (alerts for staff, only while there are some) and ticker."""
    w, h = float(width), float(height)
    portrait = h > w
    unit = min(w, h) / 100
    min_text = min(w, h) * MIN_TEXT_FRACTION
    pad = 1.6 * unit
    header_h = 10.5 * unit if portrait else 9.0 * unit
    ticker_h = 6.0 * unit
    # the staff line: one line of the smallest text (two on a narrow portrait screen)
    alerts_h = (3.4 if portrait else 1.8) * min_text if alerts else 0.0
    header = (0, 0, w, header_h)
    ticker = (0, h - ticker_h, w, ticker_h)
    alerts_r = (0, h - ticker_h - alerts_h, w, alerts_h)
    top = header_h + pad
    bottom = h - ticker_h - alerts_h - pad
    cols = 2
    rows = max(1, (history + 1) // 2)
    if portrait:
        avail = bottom - top
        now = (pad, top, w - 2 * pad, avail * 0.22)
        recent = (pad, now[1] + now[3] + pad, w - 2 * pad, avail * 0.28)
        wy = recent[1] + recent[3] + pad
        waiting = (pad, wy, w - 2 * pad, bottom - wy)
    else:
        left_w = (w - 3 * pad) * 0.57
        avail = bottom - top
        now = (pad, top, left_w, avail * 0.44)
        recent = (pad, now[1] + now[3] + pad, left_w, bottom - (now[1] + now[3] + pad))
        waiting = (2 * pad + left_w, top, w - 3 * pad - left_w, avail)
    return Layout(width, height, portrait, unit, pad, min_text, header, now, recent, cols, rows,
                  waiting, alerts_r, ticker)
