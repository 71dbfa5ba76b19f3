"""The national report's appointments table over a real PostgreSQL, folded from the events the
centre ships into the facts a centre's own report reads: by centre and channel, kept / late /
no-show / cancelled, and the seats offered against those used — each figure explained."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from central.bookings import desk
from novbe.cli import main
from server.shipping.bookings_link import BookingLink, state_path_for
from server.shipping.shipper import Shipper
from shared.bookings.model import Channel
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.explain import EXPLANATIONS
from tests.central.booking_centre import SERVICE, booking_centre, open_day, slot_at
from tests.central.conftest import CentralDb

pytestmark = pytest.mark.slow  # a PostgreSQL cluster


def test_bookings_by_channel_and_how_they_ended(tmp_path: Path, central: CentralDb,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Two national bookings (one kept, one cancelled nationally) and two at reception (one a
    no-show, one still booked) come out as such; seats offered are the day's slots × seats."""
    config, db_path = booking_centre(tmp_path, central, "nord", seats=4, share=0.5)
    day = open_day(config)
    ten, eleven = slot_at(config, day), slot_at(config, day, "11:00")
    with central.admin() as conn:
        kept, dropped = (desk.book(conn, desk.BookingRequest(
            "nord", SERVICE, ten, "az", Channel.CALL_CENTRE, "op")) for _ in range(2))
    clock = FakeClock(datetime.now(config.tz))
    queue = LocalQueue(db_path, config, clock)
    assert config.central is not None
    link = BookingLink(queue.bookings, config.central, state_path_for(db_path))
    try:
        link.sync()
        queue.bookings.book_local(SERVICE, ten, "az", "reception-1")
        queue.bookings.book_local(SERVICE, eleven, "az", "reception-1")
        with central.admin() as conn:
            desk.cancel(conn, "nord", dropped.code, "op")
        link.sync()
        clock.set(datetime.fromtimestamp(ten - 300, config.tz))
        queue.bookings.check_in(kept.code)
        clock.set(datetime.fromtimestamp(ten + 20 * 60, config.tz))
        assert queue.bookings.expire_no_shows() == 1
        shipper = Shipper(db_path, config.central, config)
        try:
            shipper.ship_pending()
        finally:
            shipper.close()
    finally:
        link.stop()
        queue.close()
    capsys.readouterr()
    assert main(["report", "--central", central.admin_url, "--centres", "nord", "--from",
                 str(day), "--to", str(day), "--format", "json", "--lang", "en"]) == 0
    tables = {t["id"]: t for t in json.loads(capsys.readouterr().out)["tables"]}
    rows = {r["key"]: r for r in tables["bookings_centres"]["rows"]}
    pick = ("bookings", "kept", "late", "no_show_b", "cancelled_b", "held")
    assert [rows["nord:call_centre"][k] for k in pick] == [2, 1, 0, 0, 1, 1]
    assert [rows["nord:reception"][k] for k in pick] == [2, 0, 0, 1, 0, 2]
    pensions = [s for s in config.services.values() if s.category == "pensions"]
    centre = rows["nord"]
    assert (centre["bookings"], centre["offered"], centre["used"]) == \
        (4, 16 * 4 * len(pensions), 1)
    for column in tables["bookings_centres"]["columns"][1:]:
        assert column["key"] in EXPLANATIONS
