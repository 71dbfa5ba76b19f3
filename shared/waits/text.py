"""How a printed wait reads, the same on ticket, kiosk, board and phone: "about 7 minutes", or a
range ("10–15 minutes") when the estimate gave one (shared/waits/replay.py), in the visitor's language."""

from __future__ import annotations

from shared.i18n import ntr, tr


def wait_phrase(lang: str, minutes: int, low: int = 0, high: int = 0) -> str:
    """"about 7 minutes" / "10–15 minutes" in `lang`."""
    if high > low:
        return tr(lang, "{low}–{high} minutes", low=low, high=high)
    return ntr(lang, "about {n} minute", "about {n} minutes", minutes)


def short_wait(lang: str, minutes: int, low: int = 0, high: int = 0) -> str:
    """The board's short form: "~7 min" / "10–15 min"."""
    if high > low:
        return tr(lang, "{low}–{high} min", low=low, high=high)
    return tr(lang, "~{n} min", n=minutes)
