"""The national desk's bookings on a real PostgreSQL: the national share never overbooked (a
hundred requests at once for ten seats), a retried request booking once, the refusals in plain
words, cancelling, and a centre's own status changes applied through its shipped events."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from central.bookings import desk
from central.bookings.errors import DeskRefused
from shared.bookings.model import BookingStatus, Channel
from tests.central.booking_centre import (
    SERVICE,
    booking_centre,
    closed_day,
    hundred_at_once,
    open_day,
    slot_at,
)
from tests.central.conftest import CentralDb

pytestmark = pytest.mark.slow  # a PostgreSQL cluster


def _req(centre: str, start: float, key: str | None = None, **kw: str) -> desk.BookingRequest:
    return desk.BookingRequest(centre, kw.pop("service", SERVICE), start, kw.pop("lang", "az"),
                               Channel.CALL_CENTRE, "operator-1", request_key=key, **kw)


def _booked(central: CentralDb, centre: str, start: float) -> tuple[int, int]:
    with central.admin() as conn:
        seats = conn.execute("SELECT coalesce(max(booked), 0) FROM novbe.booking_seats WHERE "
                             "centre_id = %s AND slot_start = %s", (centre, start)).fetchone()
        rows = conn.execute("SELECT count(*) FROM novbe.bookings WHERE centre_id = %s AND "
                            "slot_start = %s AND status = 'booked'", (centre, start)).fetchone()
    assert seats is not None and rows is not None
    return int(seats[0]), int(rows[0])


def test_national_share_then_full_then_a_cancelled_seat_again(tmp_path: Path,
                                                              central: CentralDb) -> None:
    """4 seats at half national: two national bookings, the third refused as full; a
    cancellation frees its seat at once."""
    config, _ = booking_centre(tmp_path, central, "nord", seats=4, share=0.5)
    start = slot_at(config, open_day(config))
    with central.admin() as conn:
        first = desk.book(conn, _req("nord", start, name="Aygün Məmmədova", phone="+994 50 123 45 67"))
        desk.book(conn, _req("nord", start))
        with pytest.raises(DeskRefused) as full:
            desk.book(conn, _req("nord", start))
        assert full.value.reason == "slot_full"
        assert "10:00" in full.value.said("en")
        # the nearest slot still free that day is offered (the earlier of 09:30 and 10:30)
        assert "nearest time with a free seat that day is 09:30" in full.value.said("en")
        assert "ən yaxın vaxt: 09:30" in full.value.said("az")
        assert full.value.params["nearest_start"] == slot_at(config, open_day(config), "09:30")
        assert first.phone == "+994501234567" and len(first.code) == 6
        assert desk.find(conn, "nord", first.code.lower()).id == first.id
        assert desk.cancel(conn, "nord", first.code, "operator-2").status == BookingStatus.CANCELLED
        with pytest.raises(DeskRefused) as again:
            desk.cancel(conn, "nord", first.code, "operator-2")
        assert again.value.reason == "not_open"
        desk.book(conn, _req("nord", start))
        history = conn.execute("SELECT status, by_whom FROM novbe.booking_changes WHERE "
                               "booking_id = %s ORDER BY seq", (first.id,)).fetchall()
    assert history == [("booked", "operator-1"), ("cancelled", "operator-2")]
    assert _booked(central, "nord", start) == (2, 2)


def test_a_retried_request_books_once(tmp_path: Path, central: CentralDb) -> None:
    """The same request id twice (a lost answer, a double click) is one booking; used for
    another slot it is refused."""
    config, _ = booking_centre(tmp_path, central, "nord")
    start = slot_at(config, open_day(config))
    with central.admin() as conn:
        one = desk.book(conn, _req("nord", start, key="desk:abc123"))
        two = desk.book(conn, _req("nord", start, key="desk:abc123"))
        with pytest.raises(DeskRefused) as reused:
            desk.book(conn, _req("nord", start + 1800, key="desk:abc123"))
    assert one.id == two.id and one.code == two.code
    assert reused.value.reason == "request_reused"
    assert _booked(central, "nord", start) == (1, 1)


def test_refusals_in_plain_words(tmp_path: Path, central: CentralDb) -> None:
    """A closed day, a service not offered, a time that is no slot, a slot past the national
    cut-off and a centre that takes no bookings are each refused, saying which."""
    config, _ = booking_centre(tmp_path, central, "nord")
    late, _ = booking_centre(tmp_path, central, "sud", cutoff_hours=336)
    booking_centre(tmp_path, central, "west", bookings=False)
    day = open_day(config)
    cases = [(_req("nord", slot_at(config, closed_day(config))), "closed_day"),
             (_req("nord", slot_at(config, day), service="labour"), "no_seats"),
             (_req("nord", slot_at(config, day), service="no-such"), "unknown_service"),
             (_req("nord", slot_at(config, day, "10:10")), "not_a_slot"),
             (_req("sud", slot_at(late, open_day(late))), "past_cutoff"),
             (_req("west", slot_at(config, day)), "no_bookings"),
             (_req("nord", slot_at(config, day), phone="12-ab"), "bad_phone")]
    with central.admin() as conn:
        for req, reason in cases:
            with pytest.raises(DeskRefused) as refused:
                desk.book(conn, req)
            assert refused.value.reason == reason, req
            for lang in ("az", "ru", "en"):
                assert refused.value.said(lang)
        count = conn.execute("SELECT count(*) FROM novbe.bookings").fetchone()
    assert count == (0,)


def test_a_hundred_requests_at_once_for_ten_seats(tmp_path: Path, central: CentralDb) -> None:
    """Ten national seats, a hundred requests together over ten connections: ten bookings,
    ninety refusals as full, the counter row equal to the rows."""
    config, _ = booking_centre(tmp_path, central, "nord", seats=20, share=0.5)
    start = slot_at(config, open_day(config))
    results = hundred_at_once(central, lambda i: _req("nord", start, key=f"desk:req-{i}"))
    assert results.count("booked") == 10 and results.count("slot_full") == 90
    assert _booked(central, "nord", start) == (10, 10)


def test_the_centres_check_in_reaches_the_national_row(tmp_path: Path,
                                                       central: CentralDb) -> None:
    """A booking_checked_in event the centre ships marks the national booking checked in
    (once, with its ticket), and a centre cannot touch another centre's booking."""
    config, _ = booking_centre(tmp_path, central, "nord")
    booking_centre(tmp_path, central, "sud")
    start = slot_at(config, open_day(config))
    with central.admin() as conn:
        booking = desk.book(conn, _req("nord", start))
    details = json.dumps({"booking": booking.id})
    for centre, event_id in (("sud", 1), ("nord", 1), ("nord", 2)):
        with psycopg.connect(central.centre_url(centre), autocommit=True) as conn:
            conn.execute("INSERT INTO novbe.events (centre_id, generation, id, at, kind, code, "
                         "source, details) VALUES (%s, '', %s, %s, 'booking_checked_in', "
                         "'P-007', 'kiosk-1', %s)", (centre, event_id, start - 600, details))
    with central.admin() as conn:
        row = conn.execute("SELECT status, ticket FROM novbe.bookings WHERE id = %s",
                           (booking.id,)).fetchone()
        changes = conn.execute("SELECT status, source, event_id FROM novbe.booking_changes "
                               "WHERE booking_id = %s ORDER BY seq", (booking.id,)).fetchall()
    assert row == ("checked_in", "P-007")
    assert changes == [("booked", "central", None), ("checked_in", "centre", 1)]
    with central.admin() as conn:
        other = desk.book(conn, _req("nord", start))
    assert _booked(central, "nord", start) == (2, 1)
    with psycopg.connect(central.centre_url("nord"), autocommit=True) as conn:
        conn.execute("INSERT INTO novbe.events (centre_id, generation, id, at, kind, staff, "
                     "source, details) VALUES ('nord', '', 3, %s, 'booking_cancelled', 'desk', "
                     "'call_centre', %s)", (start - 86_400, json.dumps({"booking": other.id})))
    assert _booked(central, "nord", start) == (1, 0)     # cancelled at the centre: seat free


def test_a_centre_reads_only_its_own_bookings(tmp_path: Path, central: CentralDb) -> None:
    """Row-level security: a centre's login sees its bookings, not another centre's, and
    cannot write any."""
    config, _ = booking_centre(tmp_path, central, "nord")
    booking_centre(tmp_path, central, "sud")
    start = slot_at(config, open_day(config))
    with central.admin() as conn:
        desk.book(conn, _req("nord", start))
    with psycopg.connect(central.centre_url("sud"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM novbe.bookings").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE novbe.bookings SET status = 'cancelled'")
    with psycopg.connect(central.centre_url("nord"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM novbe.bookings").fetchone() == (1,)


def test_a_full_slot_offers_the_nearest_one_the_desk_can_still_book(tmp_path: Path,
                                                                    central: CentralDb) -> None:
    """10:00 and 09:30 full: the refusal of 10:00 names 10:30 (09:30 is as near but full); a
    day with every slot full names none."""
    config, _ = booking_centre(tmp_path, central, "south", seats=2, share=0.5)
    day = open_day(config)
    with central.admin() as conn:
        for hhmm in ("10:00", "09:30"):
            desk.book(conn, _req("south", slot_at(config, day, hhmm)))
        with pytest.raises(DeskRefused) as full:
            desk.book(conn, _req("south", slot_at(config, day, "10:00")))
        assert full.value.params["nearest"] == "10:30"
        assert full.value.params["nearest_at"].startswith(f"{day.isoformat()}T10:30:00")
        from central.bookings.offer import day_offer
        for offer in day_offer(conn, config, SERVICE, day, 0.0):
            if offer.national_free:
                desk.book(conn, _req("south", offer.slot_start))
        with pytest.raises(DeskRefused) as none_left:
            desk.book(conn, _req("south", slot_at(config, day, "10:00")))
        assert "nearest" not in none_left.value.params
        assert "nearest" not in none_left.value.said("en")

