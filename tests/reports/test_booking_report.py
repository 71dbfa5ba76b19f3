"""The centre's appointment figures in the manager's report: by channel and by service, kept /
late / no-show / cancelled, punctuality (called − slot), called within 5 minutes, seats offered
and used — and no name or phone in the report or its exports."""

from __future__ import annotations

from datetime import date

import pytest

from shared.bookings.model import Booking, Channel
from shared.reports.bookings import booking_tables, with_bookings
from shared.reports.export import to_csv, to_json
from shared.reports.facts import FactStore, open_queue_reader
from shared.reports.report import build_report
from shared.reports.request import ReportRequest
from tests.bookings.conftest import PENSION, baku

MONDAY = date(2026, 11, 23)


@pytest.fixture
def monday(local_queue, clock):
    """Five pension bookings on Monday: two kept (called 2 and 9 minutes after their slot), one
    late walk-in, one no-show, one cancelled; one of them made by the 142 call centre."""
    ledger = local_queue.bookings
    ledger.merge_national([], final_through=baku("2026-11-23 16:00"))    # all seats the centre's
    ledger.merge_national([Booking(
        id="n1", centre="dost-abseron", service=PENSION, slot_start=baku("2026-11-23 12:00"),
        code="ACDEFG", lang="az", channel=Channel.CALL_CENTRE, made_by="142:aysel",
        name="Secret Name", phone="+994500000001", created_at=1, updated_at=1)],
        final_through=baku("2026-11-23 16:00"))
    a = ledger.book_local(PENSION, baku("2026-11-23 11:00"), "az", "r", name="Secret Name",
                          phone="+994509999999")
    b = ledger.book_local(PENSION, baku("2026-11-23 11:30"), "az", "r")
    ledger.book_local(PENSION, baku("2026-11-23 13:00"), "az", "r")          # no-show
    c = ledger.book_local(PENSION, baku("2026-11-23 14:00"), "az", "r")
    ledger.cancel(c.code, "r")
    local_queue.open_counter("4", "emil")
    clock.set("2026-11-23T06:50:00+00:00")
    ledger.check_in(a.code)
    clock.set("2026-11-23T07:02:00+00:00")                                 # 11:02
    local_queue.call_next("4")
    clock.set("2026-11-23T07:20:00+00:00")
    ledger.check_in(b.code)
    clock.set("2026-11-23T07:39:00+00:00")                                 # 11:39
    local_queue.call_next("4")
    clock.set("2026-11-23T08:30:00+00:00")
    assert ledger.check_in("ACDEFG").outcome.value == "late_walk_in"
    clock.set("2026-11-23T10:00:00+00:00")
    assert ledger.expire_no_shows() == 1
    return local_queue


def test_booking_figures_by_channel_and_service(monday, config):
    """The centre's row counts every outcome; punctuality is the calls' lateness after the slot."""
    conn = open_queue_reader(monday.path)
    try:
        by_channel, by_service = booking_tables(conn, config, ReportRequest(MONDAY, MONDAY), "en")
    finally:
        conn.close()
    total = by_channel.rows[0]
    assert (total["bookings"], total["kept"], total["late"], total["no_show_b"],
            total["cancelled_b"]) == (5, 2, 1, 1, 1)
    assert total["punctual_median_s"] == pytest.approx(330)       # 2 and 9 minutes
    assert total["within5_slot_pct"] == pytest.approx(50)
    assert [r["key"] for r in by_channel.rows] == ["all", "call_centre", "reception"]
    pension = next(r for r in by_service.rows if r["key"] == PENSION)
    assert pension["offered"] == 16 * 2 and pension["used"] == 3
    assert by_channel.columns[0].label == "Channel"


def test_no_name_or_phone_in_the_report_or_its_exports(monday, config, tmp_path):
    """The whole report, its CSV and JSON carry no visitor's name or phone number."""
    facts = FactStore(monday.path, config)
    try:
        facts.refresh()
        report = build_report(facts.conn, config, ReportRequest(MONDAY, MONDAY), "ru")
    finally:
        facts.close()
    report = with_bookings(report, monday.path, config)
    assert report.table("bookings_channel").title == "Записи по каналам"
    text = str(to_json(report)) + to_csv(report, "bookings_service") + \
        to_csv(report, "bookings_channel")
    assert "Secret" not in text and "99450" not in text
    assert report.table("bookings_channel").rows[0]["bookings"] == 5
