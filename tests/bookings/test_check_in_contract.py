"""Check-in through the queue contract: the same outcomes on the centre's file and from a remote
kiosk over real uvicorn (RemoteQueue → /api/bookings/check-in)."""

from __future__ import annotations

import pytest

from shared.bookings.checkin import CheckInOutcome
from shared.core.local_queue import LocalQueue
from tests.bookings.conftest import PENSION, baku
from tests.queue_impls import QUEUE_KINDS, make_queue


@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.slow) if k == "remote" else k
                                  for k in QUEUE_KINDS])      # remote: a real uvicorn
def test_check_in_over_either_queue(kind, db_path, config, clock):
    """Unknown, too early, then checked in with the slot's ticket, then the same ticket again."""
    with make_queue(kind, db_path, config, clock) as queue:
        desk = LocalQueue(db_path, config, clock)
        try:
            booking = desk.bookings.book_local(PENSION, baku("2026-11-23 11:00"), "en", "r",
                                               name="Elnur", phone="+994551234567")
        finally:
            desk.close()
        assert queue.check_in("NOVBE:QQQQQQ").outcome == CheckInOutcome.UNKNOWN
        early = queue.check_in(booking.code)
        assert early.outcome == CheckInOutcome.EARLY
        assert early.come_back_at == baku("2026-11-23 10:30")
        assert early.booking is not None and early.booking.name is None
        clock.set("2026-11-23T06:45:00+00:00")
        done = queue.check_in(f"https://dost.gov.az/b/{booking.code}")
        assert done.outcome == CheckInOutcome.CHECKED_IN
        assert done.ticket is not None and done.ticket.slot_at is not None
        assert done.ticket.slot_at.timestamp() == booking.slot_start and done.ticket.token
        again = queue.check_in(booking.code)
        assert again.outcome == CheckInOutcome.ALREADY and again.ticket.code == done.ticket.code
