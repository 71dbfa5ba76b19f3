"""The first wait estimate: people ahead × service minutes / the counters that will serve them."""

from __future__ import annotations

from shared.waits.simple import estimate_wait_min, median_service_minutes


def test_no_one_ahead_no_wait():
    """Nobody ahead means no wait, whatever the counters."""
    assert estimate_wait_min(0, 8, 0, 4) == 0


def test_open_counters_share_the_wait():
    """With serving counters open, the wait is divided by those open, rounded up."""
    assert estimate_wait_min(4, 8, 1, 4) == 32
    assert estimate_wait_min(3, 8, 2, 4) == 12


def test_with_no_counter_open_the_configured_counters_share_the_wait():
    """With none of its counters open (before sign-in, lunch), the counters configured to serve
    the service are expected to open and share the wait."""
    assert estimate_wait_min(4, 8, 0, 4) == 8
    assert estimate_wait_min(4, 8, 0, 0) == 32  # no counter at all: one assumed


def test_median_needs_three_visits():
    """Fewer than three measured visits fall back to the configured minutes."""
    assert median_service_minutes([240, 300], 8) == 8
    assert median_service_minutes([240, 300, 0, 360], 8) == 5
