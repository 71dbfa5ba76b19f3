"""How a printed wait reads, the same on ticket, kiosk, board and phone: "about 7 minutes", or a
range ("10–15 minutes") when the estimate gave one (shared/waits/replay.py), in the visitor's
language — and words, not minutes, when no counter for the service is open yet ("service
starts at 09:00" / "no counter is open yet"; the estimate's `no_counter_open`)."""

from __future__ import annotations

from typing import Protocol

from shared.i18n import ntr, tr


class PrintedWait(Protocol):
    """What a wait is read from: a ticket, or a board's service load."""

    estimated_wait_min: int
    wait_low_min: int
    wait_high_min: int
    no_counter_open: bool
    opens_at: str | None


def no_counter_phrase(lang: str, opens_at: str | None) -> str:
    """"Service starts at 09:00" (the centre opens later today) / "No counter is open yet"."""
    if opens_at:
        return tr(lang, "Service starts at {time}", time=opens_at)
    return tr(lang, "No counter is open yet")


def wait_text(lang: str, wait: PrintedWait, least: int = 0) -> str:
    """The wait of a ticket (or a new one) as ticket, kiosk and phone say it: the opening words
    when no counter is open, else "about N minutes" (at least `least`) or the range."""
    if wait.no_counter_open:
        return no_counter_phrase(lang, wait.opens_at)
    return wait_phrase(lang, max(least, wait.estimated_wait_min), wait.wait_low_min,
                       wait.wait_high_min)


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
