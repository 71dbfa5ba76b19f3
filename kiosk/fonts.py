"""The bundled fonts (DejaVu Sans): every Azerbaijani letter and Cyrillic, on paper and screen."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
AZERBAIJANI_LETTERS = "əƏşŞçÇğĞıİöÖüÜ"


def font_path(bold: bool = False) -> Path:
    """The bundled regular or bold font file."""
    return BOLD if bold else REGULAR


@cache
def pil_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The bundled font at a pixel size, for PIL drawing (cached)."""
    return ImageFont.truetype(str(font_path(bold)), size)
