"""The one percentile definition of Növbə — reports, the planner, learning from history and the
benches all use it, so "p90" means one thing on every page and in every figure.

Definition: linear interpolation between the closest ranks, as PostgreSQL's percentile_cont
and numpy's default ("linear"): for n sorted values x₀…xₙ₋₁, P(p) = x_k + (h − k)(x_{k+1} − x_k)
with h = (n − 1)p and k = ⌊h⌋. The median is P(0.5): the middle value, or the mean of the two
middle ones. Reports count values per value in portable SQL (a histogram) and pick here, so a
figure is the same on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any


def percentile_of(values: Iterable[float], p: float) -> float | None:
    """P(p) (0 ≤ p ≤ 1) of values in any order; None for no values."""
    return percentile_sorted(sorted(values), p)


def percentile_sorted(values: Sequence[float] | Any, p: float) -> float | None:
    """P(p) of values already sorted ascending (a list or a numpy array)."""
    return _at(len(values), p, lambda k: float(values[k]))


def percentile(histogram: Iterable[tuple[float, int]], p: float) -> float | None:
    """P(p) of the values a histogram counts ((value, how many) pairs, in any order)."""
    pairs = sorted((v, n) for v, n in histogram if n > 0)
    return _at(sum(n for _, n in pairs), p, lambda k: _nth(pairs, k))


def _at(n: int, p: float, nth: Callable[[int], float]) -> float | None:
    """The definition itself, over n sorted values that nth(k) reads."""
    if not 0 <= p <= 1:
        raise ValueError(f"a percentile is asked for 0 ≤ p ≤ 1, got {p}")
    if n == 0:
        return None
    h = (n - 1) * p
    k = math.floor(h)
    lower, upper = nth(k), nth(min(k + 1, n - 1))
    return lower + (h - k) * (upper - lower)


def _nth(pairs: list[tuple[float, int]], index: int) -> float:
    seen = 0
    for value, n in pairs:
        seen += n
        if index < seen:
            return value
    return pairs[-1][0]
