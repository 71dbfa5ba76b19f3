"""A `national_share` raised while the centre's own desk has booked past its new local seats,
over a real PostgreSQL: the national desk never books a slot beyond its capacity, whether the
config reaches central before or after the centre's push, the link is cut between, the centre
restarts from an older state file or central is restored; a slot with room gets the raised
seats; a hundred requests at once never overbook; the centre's start and desk say it."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path

import psycopg
import pytest

from central.bookings import desk
from central.bookings.errors import DeskRefused
from server.pages.desk import share_line
from server.shipping import bookings_link, seats_push
from server.shipping.bookings_link import BookingLink, state_path_for
from server.shipping.link import CentralUnavailable
from shared.bookings import rows
from shared.bookings.model import Channel
from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.core.queue_tx import Tx
from tests.central.booking_centre import (
    SERVICE,
    booking_centre,
    hundred_at_once,
    open_day,
    record_config,
    slot_at,
    with_share,
)
from tests.central.conftest import CentralDb

pytestmark = pytest.mark.slow  # a PostgreSQL cluster


def _book(central: CentralDb, centre: str, start: float) -> str:
    """One national booking: "booked", or the refusal's reason."""
    try:
        with central.admin() as conn:
            desk.book(conn, desk.BookingRequest(centre, SERVICE, start, "az",
                                                Channel.CALL_CENTRE, "operator-1"))
        return "booked"
    except DeskRefused as exc:
        return exc.reason


def _taken(tx: Tx, start: float) -> tuple[int, int]:
    return rows.seats_taken(tx, SERVICE, start)


def _national(central: CentralDb, centre: str, start: float) -> int:
    with central.admin() as conn:
        row = conn.execute("SELECT count(*) FROM novbe.bookings WHERE centre_id = %s AND "
                           "service = %s AND slot_start = %s AND status = 'booked'",
                           (centre, SERVICE, start)).fetchone()
    return int(row[0]) if row else 0


class Centre:
    """A centre with 4 seats a slot, 1 of them national (share 0.25), whose own desk booked 3
    seats of 10:00 and 1 of 11:00, pushed to central; then run with the share raised to 0.75
    (3 national, 1 local): 10:00 has 3 local bookings, 11:00 has room."""

    def __init__(self, tmp_path: Path, central: CentralDb, centre_id: str):
        self.central, self.id = central, centre_id
        config, self.db_path = booking_centre(tmp_path, central, centre_id, seats=4, share=0.25)
        day = open_day(config)
        self.day, self.full, self.room = day, slot_at(config, day, "10:00"), \
            slot_at(config, day, "11:00")
        self.clock = FakeClock(datetime.now(config.tz))
        queue = LocalQueue(self.db_path, config, self.clock)
        for start in (self.full, self.full, self.full, self.room):
            queue.bookings.book_local(SERVICE, start, "az", "reception-1")
        self.link_for(queue, config).sync()             # reported under 0.25
        queue.close()
        self.raised = with_share(config, tmp_path, 0.75)
        self.queue = LocalQueue(self.db_path, self.raised, self.clock)
        self.link = self.link_for(self.queue, self.raised)

    def link_for(self, queue: LocalQueue, config: CentreConfig) -> BookingLink:
        assert config.central is not None
        return BookingLink(queue.bookings, config.central, state_path_for(self.db_path))

    def book(self, start: float) -> str:
        return _book(self.central, self.id, start)

    def never_beyond_capacity(self) -> None:
        """Every slot's local and national bookings together within its 4 seats."""
        for start in (self.full, self.room):
            local, _ = self.queue._read(partial(_taken, start=start))
            assert local + _national(self.central, self.id, start) <= 4

    def close(self) -> None:
        self.link.stop()
        self.queue.close()


@pytest.fixture
def centre(tmp_path: Path, central: CentralDb) -> Iterator[Centre]:
    made = Centre(tmp_path, central, "raise")
    yield made
    made.close()


def test_config_shipped_first_books_the_older_share_until_the_centre_reports(
        centre: Centre, caplog: pytest.LogCaptureFixture) -> None:
    """The raised config reaches central before any push under it: the desk books each slot
    only the older share's 1 seat, saying why; once the centre has pushed under the raised
    share, the slot with room gets 3 national seats and the slot with 3 local bookings only
    the 1 its capacity leaves. The centre itself books no local seat past its new 1."""
    record_config(centre.db_path, centre.raised, ship=True)
    free = dict(centre.queue.bookings.free_slots(SERVICE, centre.day))
    assert (free[centre.full], free[centre.room]) == (0, 0)
    note = centre.queue.bookings.share_raised()
    assert note is not None and note.older == 0.25 and note.slots_over == 1
    assert [centre.book(centre.full) for _ in range(2)] == ["booked", "share_raised"]
    assert [centre.book(centre.room) for _ in range(2)] == ["booked", "share_raise_pending"]
    centre.never_beyond_capacity()

    with caplog.at_level(logging.WARNING, logger=bookings_link.__name__):
        started = bookings_link.start_for(centre.queue, centre.db_path)   # its round pushes
        assert started is not None
        started.stop()
    assert "1 coming slot already has more bookings made here" in caplog.text
    assert "no more than 25% of each slot" in caplog.text
    centre.link.sync()                                  # reported under 0.75
    assert [centre.book(centre.room) for _ in range(3)] == ["booked", "booked", "slot_full"]
    with pytest.raises(DeskRefused) as refused, centre.central.admin() as conn:
        desk.book(conn, desk.BookingRequest(centre.id, SERVICE, centre.full, "en",
                                            Channel.CALL_CENTRE, "operator-1"))
    assert refused.value.reason == "share_raised"
    assert "had booked 3 of the 4 seats" in refused.value.said("en")
    assert "3 из 4 мест" in refused.value.said("ru")
    centre.link.sync()
    centre.never_beyond_capacity()
    note = centre.queue.bookings.share_raised()
    assert note is not None and note.older is None and note.slots_over == 1


def test_push_first_then_config(centre: Centre) -> None:
    """The centre pushes under the raised share before central has the raised config: central
    books under the older share until the config arrives, then the raised seats at once."""
    record_config(centre.db_path, centre.raised, ship=False)
    centre.link.sync()
    assert [centre.book(centre.room) for _ in range(2)] == ["booked", "slot_full"]
    assert centre.book(centre.full) == "booked"
    record_config(centre.db_path, centre.raised, ship=True)
    assert [centre.book(centre.room) for _ in range(3)] == ["booked", "booked", "slot_full"]
    assert centre.book(centre.full) == "share_raised"
    centre.never_beyond_capacity()


def test_link_cut_between_pull_and_push(centre: Centre, monkeypatch: pytest.MonkeyPatch) -> None:
    """The raised config is on central and the centre pulls, but the link is cut before its
    push: central keeps the older share; the next whole round gives the raised seats."""
    record_config(centre.db_path, centre.raised, ship=True)

    def cut(*_: object, **__: object) -> None:
        raise psycopg.OperationalError("connection lost")
    with monkeypatch.context() as patched:
        patched.setattr(seats_push, "push", cut)
        with pytest.raises(CentralUnavailable):
            centre.link.sync()
    assert [centre.book(centre.room) for _ in range(2)] == ["booked", "share_raise_pending"]
    centre.link.sync()
    assert [centre.book(centre.room) for _ in range(3)] == ["booked", "booked", "slot_full"]
    assert [centre.book(centre.full) for _ in range(2)] == ["booked", "share_raised"]
    centre.never_beyond_capacity()


def test_restart_from_an_older_state_file_and_central_restored(centre: Centre) -> None:
    """The centre restarts with a seats file older than central's (its push whole again), and
    central is put back to its rows from before the raised push: the national desk books under
    the older share until the next push, never past capacity."""
    seats_file = seats_push.seats_path_for(state_path_for(centre.db_path))
    older = seats_file.with_name("older.json")
    shutil.copy(seats_file, older)
    with centre.central.admin() as conn:
        before = conn.execute("SELECT push_token, push_config, push_generation FROM "
                              "novbe.booking_pulls WHERE centre_id = %s", (centre.id,)).fetchone()
    assert before is not None
    record_config(centre.db_path, centre.raised, ship=True)
    centre.link.sync()
    centre.link.stop()
    shutil.copy(older, seats_file)                      # restarted from an older state file
    centre.link = centre.link_for(centre.queue, centre.raised)
    centre.link.sync()
    assert centre.link.state.push_whole
    assert [centre.book(centre.room) for _ in range(2)] == ["booked", "booked"]

    with centre.central.admin() as conn:                # central restored: the older push
        conn.execute("UPDATE novbe.booking_pulls SET push_token = %s, push_config = %s, "
                     "push_generation = %s WHERE centre_id = %s", (*before, centre.id))
    assert centre.book(centre.room) == "share_raise_pending"
    assert [centre.book(centre.full) for _ in range(2)] == ["booked", "share_raised"]
    centre.link.sync()
    assert centre.link.state.push_whole
    assert [centre.book(centre.room) for _ in range(2)] == ["booked", "slot_full"]
    centre.never_beyond_capacity()


def test_the_desk_note_says_what_a_raise_means(centre: Centre) -> None:
    """The reception desk's note says the raise in the visitor-facing languages."""
    record_config(centre.db_path, centre.raised, ship=False)
    assert "qaldırılıb" in (share_line(centre.queue.bookings, "az") or "")
    assert "повышена до 75%" in (share_line(centre.queue.bookings, "ru") or "")
    assert "raised to 75%" in (share_line(centre.queue.bookings, "en") or "")


def test_a_hundred_requests_at_once_after_a_raise(tmp_path: Path, central: CentralDb) -> None:
    """10 seats, 2 national; the centre books 6; raised to 8 national: a hundred national
    requests at once book the 4 seats the capacity leaves, and refuse 96 saying why."""
    config, db_path = booking_centre(tmp_path, central, "crowd", seats=10, share=0.2)
    start = slot_at(config, open_day(config))
    clock = FakeClock(datetime.now(config.tz))
    queue = LocalQueue(db_path, config, clock)
    for _ in range(6):
        queue.bookings.book_local(SERVICE, start, "az", "reception-1")
    queue.close()
    raised = with_share(config, tmp_path, 0.8)
    assert raised.central is not None
    record_config(db_path, raised, ship=True)
    queue = LocalQueue(db_path, raised, clock)
    BookingLink(queue.bookings, raised.central, state_path_for(db_path)).sync()
    try:
        results = hundred_at_once(central, lambda i: desk.BookingRequest(
            "crowd", SERVICE, start, "az", Channel.CALL_CENTRE, "operator-1",
            request_key=f"desk:req-{i}"))
    finally:
        queue.close()
    assert results.count("booked") == 4 and results.count("share_raised") == 96
    assert _national(central, "crowd", start) == 4
