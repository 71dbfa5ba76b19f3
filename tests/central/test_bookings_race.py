"""A hundred booking requests at once for ten seats, from the national desk's API and the
centre's reception desk over HTTP (real uvicorn for both, real PostgreSQL), some retried, with
the centre's link cut and restored twice: no slot booked beyond its seats, no answered booking
missing (tests/central/booking_race.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.central.booking_race import race
from tests.central.conftest import CentralDb

pytestmark = pytest.mark.slow  # a PostgreSQL cluster and two servers


def test_a_hundred_at_once_for_ten_seats_with_the_link_cut_twice(tmp_path: Path,
                                                                  central: CentralDb) -> None:
    """0 double and 0 lost bookings; all ten seats booked (five on each side)."""
    found = race(tmp_path, central, requests=100, seats=10, cuts=2)
    figures = found.figures()
    assert figures["double_bookings"] == 0 and figures["lost_bookings"] == 0, figures
    assert figures["race_booked"] == 10 and figures["race_booked_national"] == 5, figures
    assert figures["race_link_cuts"] == 2
    assert sum(1 for a in found.answers if a.code) == 10
