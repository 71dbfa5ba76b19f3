"""The centre's bookings link over a real PostgreSQL: national bookings pulled and merged into
the centre's file, its own free seats pushed, the unused national share the centre's once the
list is final, a check-in at the centre applied to the national row through shipped events,
and the centre going on alone while the link is cut."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from central.bookings import desk
from novbe.cli import main
from server.shipping.bookings_link import (
    BookingLink,
    read_state,
    seats_now,
    state_path_for,
    status_line,
)
from server.shipping.link import CentralUnavailable
from server.shipping.seats_push import seats_path_for
from server.shipping.shipper import Shipper
from shared.bookings.model import BookingStatus, Channel
from shared.config.central import CentralSettings
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.central.booking_centre import SERVICE, booking_centre, open_day, slot_at
from tests.central.conftest import CentralDb
from tests.central.pg_cluster import free_port

pytestmark = pytest.mark.slow  # a PostgreSQL cluster


def _national(central: CentralDb, centre: str, start: float, **kw: str) -> desk.Booking:
    with central.admin() as conn:
        return desk.book(conn, desk.BookingRequest(centre, SERVICE, start, "ru",
                                                   Channel.CALL_CENTRE, "operator-1", **kw))


def _local_seats(central: CentralDb, centre: str, start: float) -> int | None:
    with central.admin() as conn:
        row = conn.execute("SELECT free FROM novbe.local_seats WHERE centre_id = %s AND "
                           "service = %s AND slot_start = %s", (centre, SERVICE, start)).fetchone()
    return None if row is None else int(row[0])


def _queue(config, db_path: Path) -> tuple[LocalQueue, FakeClock]:  # type: ignore[no-untyped-def]
    clock = FakeClock(datetime.now(config.tz))
    return LocalQueue(db_path, config, clock), clock


def test_pull_merge_push_and_a_check_in_back(tmp_path: Path, central: CentralDb,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Two national bookings reach the centre with name and phone; its free seats are pushed
    (local share less its own booking); the visitor checks in at the centre and the national
    row says so once the events are shipped; a national cancellation reaches the centre."""
    config, db_path = booking_centre(tmp_path, central, "nord", seats=4, share=0.5)
    start = slot_at(config, open_day(config))
    first = _national(central, "nord", start, name="Aygün", phone="+994501234567")
    second = _national(central, "nord", start)
    queue, clock = _queue(config, db_path)
    assert config.central is not None
    link = BookingLink(queue.bookings, config.central, state_path_for(db_path))
    try:
        assert link.sync() == 2
        here = queue.bookings.find(first.code)
        assert (here.id, here.name, here.phone, here.channel) == \
            (first.id, "Aygün", "+994501234567", Channel.CALL_CENTRE)
        assert _local_seats(central, "nord", start) == 2
        queue.bookings.book_local(SERVICE, start, "az", "reception-1")
        assert link.sync() == 0
        assert _local_seats(central, "nord", start) == 1
        with central.admin() as conn:
            desk.cancel(conn, "nord", second.code, "operator-2")
        assert link.sync() == 1
        assert queue.bookings.find(second.code).status == BookingStatus.CANCELLED
        clock.set(datetime.fromtimestamp(start - 300, config.tz))
        assert queue.bookings.check_in(first.code).booking is not None
        shipper = Shipper(db_path, config.central, config)
        try:
            shipper.ship_pending()
        finally:
            shipper.close()
        with central.admin() as conn:
            row = conn.execute("SELECT status, ticket IS NOT NULL FROM novbe.bookings WHERE "
                               "id = %s", (first.id,)).fetchone()
        assert row == ("checked_in", True)
        assert read_state(state_path_for(db_path)).reachable is True
        capsys.readouterr()
        main(["central", "status", central.admin_url])
        assert "nord: " in (said := capsys.readouterr().out)
        assert "bookings: national list last pulled 0 min ago, free seats last pushed 0 min" \
            in said
    finally:
        link.stop()
        queue.close()


def test_the_unused_national_share_is_the_centres_once_final(tmp_path: Path,
                                                             central: CentralDb) -> None:
    """A slot past its national cut-off: after a pull the centre may book all four seats
    (its two and the two the national desk did not use); before any pull only its two."""
    config, db_path = booking_centre(tmp_path, central, "sud", seats=4, share=0.5,
                                     cutoff_hours=336)
    day = open_day(config)
    start = slot_at(config, day)
    queue, _ = _queue(config, db_path)
    assert config.central is not None
    link = BookingLink(queue.bookings, config.central, state_path_for(db_path))
    try:
        assert dict(queue.bookings.free_slots(SERVICE, day))[start] == 2
        link.sync()
        assert dict(queue.bookings.free_slots(SERVICE, day))[start] == 4
        assert _local_seats(central, "sud", start) == 4
    finally:
        link.stop()
        queue.close()


def test_with_the_link_cut_the_centre_goes_on(tmp_path: Path, central: CentralDb) -> None:
    """The central database unreachable: the link says so (state kept for status), the centre
    still checks in the national booking it knows and books its own share; restored, the
    link catches up."""
    config, db_path = booking_centre(tmp_path, central, "west")
    start = slot_at(config, open_day(config))
    known = _national(central, "west", start)
    queue, clock = _queue(config, db_path)
    assert config.central is not None
    good = BookingLink(queue.bookings, config.central, state_path_for(db_path))
    good.sync()
    good.stop()
    cut = CentralSettings(url=f"postgresql://nobody@127.0.0.1:{free_port()}/x",
                          centre_id="west")
    broken = BookingLink(queue.bookings, cut, state_path_for(db_path))
    try:
        with pytest.raises(CentralUnavailable):
            broken.sync()
        state = read_state(state_path_for(db_path))
        assert state.reachable is False and state.pulled_at is not None
        line = status_line(db_path, state.pulled_at + 120)
        assert "last pulled 2 min ago; NOT reachable now" in line
        local = queue.bookings.book_local(SERVICE, start, "az", "reception-1")
        clock.set(datetime.fromtimestamp(start - 60, config.tz))
        assert queue.bookings.check_in(known.code).booking.status == BookingStatus.CHECKED_IN
        assert local.code[0].isalpha() and known.code[0].isdigit()
    finally:
        broken.stop()
    again = BookingLink(queue.bookings, config.central, state_path_for(db_path))
    try:
        again.sync()
        assert read_state(state_path_for(db_path)).reachable is True
    finally:
        again.stop()
        queue.close()


def _central_seats(central: CentralDb, centre: str) -> dict[tuple[str, float], int]:
    with central.admin() as conn:
        return {(s, float(at)): int(free) for s, at, free in conn.execute(
            "SELECT service, slot_start, free FROM novbe.local_seats WHERE centre_id = %s",
            (centre,)).fetchall()}


def _centre_seats(queue: LocalQueue) -> dict[tuple[str, float], int]:
    """The centre's free seats of every slot it pushes (today and PUSH_DAYS ahead)."""
    return {k: free for k, (free, _) in seats_now(queue.bookings,
                                                  queue.clock.now().timestamp()).items()}


def test_only_changed_seats_are_pushed_and_nothing_is_lost_when_cut(tmp_path: Path,
                                                                   central: CentralDb) -> None:
    """The first push writes every slot, an unchanged round none, a local booking one row; a
    booking made while the link is cut reaches central on the next round; a restart keeps the
    diff going, and a state file older than central's (a commit the centre never heard of)
    makes the next push whole: central's copy equals the centre's free seats after each."""
    config, db_path = booking_centre(tmp_path, central, "east", seats=4, share=0.5)
    day = open_day(config)
    queue, clock = _queue(config, db_path)
    assert config.central is not None
    state = state_path_for(db_path)

    def link_to(settings: CentralSettings) -> BookingLink:
        return BookingLink(queue.bookings, settings, state,
                           wall_clock=lambda: clock.now().timestamp())

    def pushed(link: BookingLink) -> tuple[int, bool]:
        link.sync()
        assert _central_seats(central, "east") == _centre_seats(queue)
        return link.state.push_rows, link.state.push_whole

    link = link_to(config.central)
    try:
        whole, _ = pushed(link)
        assert link.state.push_whole and whole == len(_centre_seats(queue)) > 100
        assert pushed(link) == (0, False)
        queue.bookings.book_local(SERVICE, slot_at(config, day), "az", "reception-1")
        assert pushed(link) == (1, False)
        older = seats_path_for(state).read_text()
    finally:
        link.stop()
    queue.bookings.book_local(SERVICE, slot_at(config, day, "11:00"), "az", "reception-1")
    cut = link_to(CentralSettings(url=f"postgresql://nobody@127.0.0.1:{free_port()}/x",
                                  centre_id="east"))
    with pytest.raises(CentralUnavailable):
        cut.sync()
    cut.stop()
    again = link_to(config.central)                 # a restart: the diff from the saved state
    try:
        assert pushed(again) == (1, False)
        queue.bookings.book_local(SERVICE, slot_at(config, day, "12:00"), "az", "reception-1")
        assert pushed(again) == (1, False)
    finally:
        again.stop()
    seats_path_for(state).write_text(older)         # central committed what the centre forgot
    queue.bookings.book_local(SERVICE, slot_at(config, day, "13:00"), "az", "reception-1")
    restarted = link_to(config.central)
    try:
        assert pushed(restarted) == (whole, True)
        clock.set(datetime.fromtimestamp(slot_at(config, day, "10:00") + 3 * 86400, config.tz))
        rows, is_whole = pushed(restarted)          # days gone by: their rows leave central
        assert not is_whole and rows > 0
    finally:
        restarted.stop()
        queue.close()
