"""The first wait estimate: people ahead × recent median service time / counters serving them."""

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


def estimate_wait_min(ahead: int, service_min: float, open_counters: int,
                      serving_counters: int = 1) -> int:
    """Whole minutes a visitor with `ahead` people before them will likely wait: shared by the
    open counters that serve the service or, when none is open (before staff sign in, a lunch
    pause), by the `serving_counters` configured to serve it, which are expected to open."""
    if ahead <= 0:
        return 0
    counters = open_counters if open_counters > 0 else serving_counters
    return math.ceil(ahead * service_min / max(1, counters))
