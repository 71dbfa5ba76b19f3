"""Sizes for one kiosk window, Qt-free: the unit (1 % of the short side), touch targets, how
many tile columns, large text (EN 301 549 5.1.4) and the reach range (EN 301 549 8.3).

The sizes in millimetres assume the kiosk's usual panel, a 21.5-inch 1080×1920 screen (pixels
of 0.248 mm; the short side 268 mm) seen from 50 cm, whatever resolution the window has:
- large text: a capital letter covers at least 0.7° of view at 500 mm → 2·500·tan(0.35°) =
  6.11 mm → 25 px at 1080 px across (24.6 rounded up); the font's pixel size follows from the
  bundled font's cap height (kiosk/widgets.py measures it);
- reach: with the panel's lower edge 900 mm above the floor (a floor-standing kiosk; the
  assumption is stated in docs/accessibility.md), a portrait screen's top edge is at 1,376 mm,
  above the 1,220 mm that EN 301 549 8.3 lets a control sit: no choice is placed in the top
  156 mm (629 px of 1920), so every control is within 380–1,220 mm. In landscape the panel
  is 268 mm tall and its top edge (1,168 mm) is within reach."""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_TARGET_MM = 15
VIEW_DISTANCE_MM = 500
MIN_ANGLE_DEG = 0.7
PANEL_DIAGONAL_MM = 21.5 * 25.4
PANEL_PX = (1080, 1920)
PIXEL_MM = PANEL_DIAGONAL_MM / math.hypot(*PANEL_PX)     # 0.2479 mm
SCREEN_BOTTOM_MM = 900        # assumed: the panel's lower edge above the floor
REACH_LOW_MM, REACH_HIGH_MM = 380, 1220
LARGE_SCALE = 1.35            # large text: every text this much larger, never below the minimum


def min_cap_mm() -> float:
    """The capital letter's height that covers MIN_ANGLE_DEG at VIEW_DISTANCE_MM: 6.11 mm."""
    return 2 * VIEW_DISTANCE_MM * math.tan(math.radians(MIN_ANGLE_DEG / 2))


def pixel_mm(short_side_px: int) -> float:
    """How large one pixel is when the window fills the usual panel (its short side 268 mm)."""
    return PIXEL_MM * PANEL_PX[0] / max(1, short_side_px)


def min_cap_px(short_side_px: int) -> int:
    """The smallest capital letter large text allows, in pixels: 25 at 1080 px across."""
    return math.ceil(min_cap_mm() / pixel_mm(short_side_px) - 1e-9)


def reach_top_px(width: int, height: int) -> int:
    """How far down from the top a control must start so that it is within reach (0 when the
    whole screen is)."""
    px = pixel_mm(min(width, height))
    top_mm = SCREEN_BOTTOM_MM + height * px
    return max(0, math.ceil((top_mm - REACH_HIGH_MM) / px))


@dataclass(frozen=True)
class Metrics:
    """Sizes for one window: `u` is 1 % of the short side; `mm` converts millimetres to px."""

    width: int
    height: int
    dpi: float = 96.0
    large: bool = False
    cap_ratio: float = 0.73       # the font's cap height ÷ its pixel size (DejaVu Sans: 0.729)

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

    @property
    def min_text(self) -> int:
        """The smallest font pixel size allowed: in large text the 0.7° rule, else 12 px."""
        if not self.large:
            return 12
        return math.ceil(min_cap_px(min(self.width, self.height)) / self.cap_ratio)

    def text(self, units: float) -> float:
        """The largest pixel size for a text of `units` % of the short side (larger in large
        text, and never below the minimum)."""
        px = units * self.u * (LARGE_SCALE if self.large else 1)
        return max(px, self.min_text)

    @property
    def reach_top(self) -> int:
        return reach_top_px(self.width, self.height)

    @property
    def bar_height(self) -> int:
        """The bottom bar's and the navigation row's buttons."""
        two_lines = round(self.min_text * 1.3 * 2 + 40) if self.large else 0
        return max(self.target, round(10 * self.u), two_lines)


def columns(count: int, m: Metrics) -> int:
    """How many tile columns suit this many tiles on this screen shape."""
    if m.portrait:
        return 2 if count > (8 if m.large else 6) else 1   # large text: a page is one column
    if count > 6:
        return 4 if count > 9 and m.width >= 1.7 * m.height else 3
    if count == 3:
        return 3
    return 2 if count > 1 else 1
