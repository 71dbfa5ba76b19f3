"""The board's staff line as pages: every alert is shown whole. When they all fit, one page
("For staff: A · B"); when they do not, the count leads each page ("For staff: 3 alerts (1/2):
A · B") and the board turns the pages every few seconds — never an alert cut with "…"."""

from __future__ import annotations

from collections.abc import Callable

SEPARATOR = "  ·  "
PAGE_SECONDS = 5.0


def staff_pages(label: str, heading: str, alerts: list[str],
                fits: Callable[[str], bool]) -> list[str]:
    """The texts to show in turn. `heading` is the count ("3 alerts"); `fits(text)` says
    whether a text fits the staff line. An alert too long even alone gets a page of its own
    (the view then wraps or shrinks it as for any text)."""
    if not alerts:
        return []
    whole = f"{label} " + SEPARATOR.join(alerts)
    if fits(whole):
        return [whole]
    groups: list[list[str]] = []
    for alert in alerts:     # greedy, leaving room for the widest "(n/m)" mark
        trial = [*groups[-1], alert] if groups else [alert]
        if groups and fits(_page(label, heading, trial, len(alerts), len(alerts))):
            groups[-1] = trial
        else:
            groups.append([alert])
    return [_page(label, heading, g, i + 1, len(groups)) for i, g in enumerate(groups)]


def _page(label: str, heading: str, alerts: list[str], number: int, pages: int) -> str:
    return f"{label} {heading} ({number}/{pages}): " + SEPARATOR.join(alerts)
