"""Time spans of the report fold: a counter's open spans from its mode changes, union,
subtraction and overlap of spans, and a span cut into local hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

Span = tuple[float, float]


def open_spans(changes: list[tuple[float, str, str | None]],
                until: float) -> list[tuple[Span, str | None]]:
    spans: list[tuple[Span, str | None]] = []
    since: float | None = None
    staff: str | None = None
    for at, state, who in sorted(changes, key=lambda c: c[0]):
        if since is not None and at > since:
            spans.append(((since, at), staff))
        if state == "open":
            since, staff = at, who
        else:
            since = None
    if since is not None and until > since:
        spans.append(((since, until), staff))
    return spans


def union(spans: list[Span]) -> list[Span]:
    merged: list[list[float]] = []
    for a, b in sorted(spans):
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def subtract(spans: list[tuple[Span, str | None]],
              holes: list[Span]) -> list[tuple[Span, str | None]]:
    out: list[tuple[Span, str | None]] = []
    for (a, b), staff in spans:
        cursor = a
        for h0, h1 in holes:
            if h1 <= cursor or h0 >= b:
                continue
            if h0 > cursor:
                out.append(((cursor, h0), staff))
            cursor = max(cursor, h1)
        if cursor < b:
            out.append(((cursor, b), staff))
    return out


def by_hour(a: float, b: float, tz: ZoneInfo) -> list[tuple[int, float]]:
    """The seconds of [a, b) in each local hour."""
    out = []
    while a < b:
        local = datetime.fromtimestamp(a, tz)
        top = local.replace(minute=0, second=0, microsecond=0).timestamp() + 3600
        out.append((local.hour, min(b, top) - a))
        a = min(b, top)
    return out


def overlap(span: Span, merged: list[Span]) -> float:
    a, b = span
    return sum(max(0.0, min(b, y) - max(a, x)) for x, y in merged)
