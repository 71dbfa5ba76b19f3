"""The first wait estimate: people ahead × recent median service time / open counters."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

RECENT_VISITS = 30
MIN_SAMPLES = 3
LOOKBACK_SECONDS = 14 * 24 * 3600


def median_service_minutes(durations_s: Sequence[float], fallback_min: float) -> float:
    """The median of recent visit durations, or the configured minutes when too few are known."""
    usable = [d for d in durations_s if d and d > 0]
    if len(usable) < MIN_SAMPLES:
        return fallback_min
    return statistics.median(usable) / 60


def estimate_wait_min(ahead: int, service_min: float, open_counters: int) -> int:
    """Whole minutes a visitor with `ahead` people before them will likely wait."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead * service_min / max(1, open_counters))
