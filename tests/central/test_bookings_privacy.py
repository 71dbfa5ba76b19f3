"""Personal data: a planted phone number and name never appear in the events a centre ships,
in the centre's or the national report exports, or in the logs; both sides erase names and
phones `erase_after_days` after the slot."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from central.bookings import desk
from central.bookings.erasure import erase_due as erase_central
from novbe.cli import main
from server.shipping.bookings_link import BookingLink, state_path_for
from server.shipping.shipper import Shipper
from shared.bookings.model import Channel
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.central.booking_centre import SERVICE, booking_centre, open_day, slot_at
from tests.central.conftest import CentralDb

pytestmark = pytest.mark.slow  # a PostgreSQL cluster

NATIONAL_PHONE, LOCAL_PHONE = "+994551112233", "+994557778899"
NAME = "Gülnarə Xəlilova"


def test_planted_phones_and_names_go_nowhere_and_are_erased(
        tmp_path: Path, central: CentralDb, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    """A national and a reception booking with a name and phone: after pull, check-in and
    shipping, neither phone nor the name is in the central events, the exports or the logs;
    31 days after the slot both sides hold neither."""
    caplog.set_level(logging.DEBUG)
    config, db_path = booking_centre(tmp_path, central, "nord")
    day = open_day(config)
    start = slot_at(config, day)
    with central.admin() as conn:
        national = desk.book(conn, desk.BookingRequest(
            "nord", SERVICE, start, "az", Channel.CALL_CENTRE, "op", NAME, NATIONAL_PHONE))
    clock = FakeClock(datetime.now(config.tz))
    queue = LocalQueue(db_path, config, clock)
    assert config.central is not None
    link = BookingLink(queue.bookings, config.central, state_path_for(db_path))
    try:
        link.sync()
        queue.bookings.book_local(SERVICE, start, "ru", "reception-1", NAME, LOCAL_PHONE)
        clock.set(datetime.fromtimestamp(start - 120, config.tz))
        queue.bookings.check_in(national.code)
        shipper = Shipper(db_path, config.central, config)
        try:
            shipper.ship_pending()
        finally:
            shipper.close()
        with central.admin() as conn:
            shipped = conn.execute("SELECT string_agg(concat_ws('|', kind, code, service, staff, "
                                   "source, details), E'\\n') FROM novbe.events").fetchone()
        assert shipped is not None and "booking_made" in shipped[0]
        capsys.readouterr()
        assert main(["--db", str(db_path), "--config", str(config.source), "report",
                     "--from", str(day), "--to", str(day), "--format", "json"]) == 0
        assert main(["report", "--central", central.admin_url, "--centres", "all", "--from",
                     str(day), "--to", str(day), "--format", "csv"]) == 0
        exports = capsys.readouterr().out
        logs = "\n".join(r.getMessage() for r in caplog.records)
        for text in (shipped[0], exports, logs):
            for secret in ("1112233", "7778899", "Gülnarə", "Xəlilova"):
                assert secret not in text
        later = start + 31 * 86_400
        assert queue.bookings.erase_personal_data(later) == 2
        with central.admin() as conn:
            assert erase_central(conn, later) == 1
            held = conn.execute("SELECT name, phone, erased_at IS NOT NULL FROM novbe.bookings"
                                ).fetchall()
        assert held == [(None, None, True)]
        assert {(b.name, b.phone) for b in queue.bookings.day_bookings(day)} == {(None, None)}
        assert queue.bookings.erase_personal_data(later) == 0
    finally:
        link.stop()
        queue.close()


def test_an_erasure_on_the_central_copy_reaches_the_centre(tmp_path: Path,
                                                           central: CentralDb) -> None:
    """A national booking pulled with a name and phone: once the central copy erases them (its
    own erase_after_days), the next pull erases the centre's copy too — before the centre's
    own erasure would."""
    config, db_path = booking_centre(tmp_path, central, "nord")
    start = slot_at(config, open_day(config))
    with central.admin() as conn:
        national = desk.book(conn, desk.BookingRequest(
            "nord", SERVICE, start, "az", Channel.CALL_CENTRE, "op", NAME, "055 111 22 33"))
    assert national.phone == NATIONAL_PHONE
    queue = LocalQueue(db_path, config, FakeClock(datetime.now(config.tz)))
    assert config.central is not None
    link = BookingLink(queue.bookings, config.central, state_path_for(db_path))
    try:
        link.sync()
        assert (queue.bookings.find(national.code).name,
                queue.bookings.find(national.code).phone) == (NAME, NATIONAL_PHONE)
        with central.admin() as conn:
            assert erase_central(conn, start + 31 * 86_400) == 1
        assert link.sync() == 1
        here = queue.bookings.find(national.code)
        assert (here.name, here.phone) == (None, None)
        assert link.sync() == 0
    finally:
        link.stop()
        queue.close()
