"""Fixtures of the bookings tests: the DOST config's bookings, a queue on a fake clock, slots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.bookings.ledger import BookingLedger
from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue

BAKU = ZoneInfo("Asia/Baku")
PENSION = "pensions.age"         # 2 seats a slot 09:00–17:00: 1 national, 1 the centre's
ASSESSMENT = "disability.assessment"   # 1 seat 10:00–16:00: national (rounded up)


def baku(text: str) -> float:
    """Epoch seconds of a local Baku time "2026-11-23 11:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=BAKU).timestamp()


@pytest.fixture
def booking_queue(tmp_path: Path, config: CentreConfig, clock: FakeClock) -> Iterator[LocalQueue]:
    q = LocalQueue(tmp_path / "queue.sqlite", config, clock)
    yield q
    q.close()


@pytest.fixture
def ledger(booking_queue: LocalQueue) -> BookingLedger:
    return booking_queue.bookings
