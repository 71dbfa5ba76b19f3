"""Whether a report page prints on A4: laid out for print at the width of an A4 page's printed
area (210 mm less Chromium's default 10 mm margins, at 96 px per inch), no table runs past it."""

from __future__ import annotations

from typing import Any

A4_PRINTED_WIDTH_PX = round((210 - 2 * 10) / 25.4 * 96)   # 718


def tables_past_a4(page: Any) -> list[str]:
    """The ids of the report sections whose tables would be cut off on A4 (empty: none)."""
    size = page.viewport_size
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_PRINTED_WIDTH_PX, "height": 1000})
    try:
        return page.evaluate("""() => [...document.querySelectorAll("table")]
            .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(t => (t.closest("section") || t).id || "?")""")
    finally:
        page.emulate_media(media="null")      # back to no emulation: page.pdf() prints as print
        page.set_viewport_size(size)
