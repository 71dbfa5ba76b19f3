"""Percentiles from (value, count) histograms: the database groups and counts (portable SQL),
this picks the value — the same on SQLite and PostgreSQL.

Definition: linear interpolation between the closest ranks, as PostgreSQL's percentile_cont
(and numpy's default): for n sorted values x₀…xₙ₋₁, P(p) = x_k + (h − k)(x_{k+1} − x_k) with
h = (n − 1)p and k = ⌊h⌋. The median is P(0.5): the middle value, or the mean of the two middle
ones."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any


def percentile(histogram: Iterable[tuple[float, int]], p: float) -> float | None:
    """P(p) of the values a histogram counts ((value, how many) pairs, in any order)."""
    pairs = sorted((v, n) for v, n in histogram if n > 0)
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    h = (total - 1) * p
    k = math.floor(h)
    lower = _nth(pairs, k)
    upper = _nth(pairs, min(k + 1, total - 1))
    return lower + (h - k) * (upper - lower)


def percentile_sorted(values: Sequence[float] | Any, p: float) -> float | None:
    """P(p) of values already sorted ascending (a list or a numpy array)."""
    n = len(values)
    if n == 0:
        return None
    h = (n - 1) * p
    k = math.floor(h)
    lower, upper = float(values[k]), float(values[min(k + 1, n - 1)])
    return lower + (h - k) * (upper - lower)


def _nth(pairs: list[tuple[float, int]], index: int) -> float:
    seen = 0
    for value, n in pairs:
        seen += n
        if index < seen:
            return value
    return pairs[-1][0]
