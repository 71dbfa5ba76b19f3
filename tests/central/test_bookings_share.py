"""A `national_share` lowered after national bookings exist, over a real PostgreSQL: nothing is
cancelled, no seat is sold twice — the centre's own seats grow only once central books under the
new share and the centre has pulled after it, and a slot keeps every national booking it had;
the national desk says why it books no more there; the centre's start and desk say it too."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from central.bookings import desk
from central.bookings.errors import DeskRefused
from server.shipping import bookings_link
from server.shipping.bookings_link import BookingLink, state_path_for
from shared.bookings.model import BookingStatus, Channel
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.central.booking_centre import (
    SERVICE,
    booking_centre,
    open_day,
    record_config,
    slot_at,
    with_share,
)
from tests.central.conftest import CentralDb

pytestmark = pytest.mark.slow  # a PostgreSQL cluster


def _book(central: CentralDb, start: float) -> desk.Booking:
    with central.admin() as conn:
        return desk.book(conn, desk.BookingRequest("lower", SERVICE, start, "az",
                                                   Channel.CALL_CENTRE, "operator-1"))


def test_a_lowered_share_keeps_every_seat_sold(tmp_path: Path, central: CentralDb,
                                               caplog: pytest.LogCaptureFixture) -> None:
    """4 seats a slot, 2 national; the desk books both of one slot and one of another. Lowered to
    1 national seat: the centre's seats stay 2 until central has the new config and the centre
    has pulled; then the full slot keeps its 2 national bookings (2 left to the centre, not 3)
    and the other gives the centre 3; the desk refuses the full slot saying why, and after a
    cancellation there still books nothing beyond the new seat. Nothing is ever cancelled."""
    config, db_path = booking_centre(tmp_path, central, "lower", seats=4, share=0.5)
    day = open_day(config)
    full, half = slot_at(config, day, "10:00"), slot_at(config, day, "11:00")
    first, second, third = _book(central, full), _book(central, full), _book(central, half)
    clock = FakeClock(datetime.now(config.tz))
    queue = LocalQueue(db_path, config, clock)
    assert config.central is not None
    BookingLink(queue.bookings, config.central, state_path_for(db_path)).sync()
    queue.close()

    lowered = with_share(config, tmp_path, 0.25)
    assert lowered.central is not None
    queue = LocalQueue(db_path, lowered, clock)
    link = BookingLink(queue.bookings, lowered.central, state_path_for(db_path))
    try:
        record_config(db_path, lowered, ship=False)    # in force here, not on central yet
        free = dict(queue.bookings.free_slots(SERVICE, day))
        assert (free[full], free[half]) == (2, 2)       # central still books under 0.5
        note = queue.bookings.share_lowered()
        assert note is not None and note.central == 0.5 and note.slots_over == 1
        assert "none is cancelled" in note.said("en")
        with caplog.at_level(logging.WARNING, logger=bookings_link.__name__):
            started = bookings_link.start_for(queue, db_path)
            assert started is not None
            started.stop()
        assert "3 national bookings for coming slots stay booked" in caplog.text

        record_config(db_path, lowered, ship=True)     # central books under 0.25 now
        with pytest.raises(DeskRefused) as refused:
            _book(central, full)
        assert refused.value.reason == "share_lowered"
        assert "2 booked before stay booked" in refused.value.said("en")
        with pytest.raises(DeskRefused) as refused:
            _book(central, half)                        # 1 booked = the 1 seat it now has
        assert refused.value.reason == "slot_full"

        link.sync()
        free = dict(queue.bookings.free_slots(SERVICE, day))
        assert (free[full], free[half]) == (2, 3)
        now_lowered = queue.bookings.share_lowered()
        assert now_lowered is not None and now_lowered.central is None
        assert {queue.bookings.find(b.code).status for b in (first, second, third)} == \
            {BookingStatus.BOOKED}

        with central.admin() as conn:
            desk.cancel(conn, "lower", first.code, "operator-2")
        with pytest.raises(DeskRefused):
            _book(central, full)                        # 1 booked: the new share's 1 seat
        link.sync()
        assert dict(queue.bookings.free_slots(SERVICE, day))[full] == 3
        for _ in range(3):
            queue.bookings.book_local(SERVICE, full, "az", "reception-1")
        assert dict(queue.bookings.free_slots(SERVICE, day))[full] == 0
        local, national = _taken(queue, full)
        assert local + national == 4                    # every seat of the slot, once
    finally:
        link.stop()
        queue.close()


def _taken(queue: LocalQueue, start: float) -> tuple[int, int]:
    from shared.bookings import rows
    return queue._read(lambda tx: rows.seats_taken(tx, SERVICE, start))
