"""The national side of bench/appointments.py (issue 20), run by it unless --no-national.

Starts a throwaway PostgreSQL (Debian's binaries, as in the tests) and measures:
  race: double_bookings, lost_bookings,  100 booking requests at once for one slot of 10 seats
        race_booked, race_booked_national (race_requests, race_capacity, race_link_cuts),
        race_request_p50_ms/_p99_ms      half to the national desk's API (`novbe central
                                         serve`), half to the centre's reception desk (`novbe
                                         serve`), every tenth sent twice, the centre's link cut
                                         and restored twice (tests/central/booking_race.py);
                                         the times include queueing behind the other 99
        booking_request_p50_ms/_p99_ms   then 100 requests one at a time, alternately to each
                                         desk: what one booking costs
  seats_push_*                           rows the bookings link writes on central per push
                                         of the centre's free seats: before (every slot,
                                         every round) and now (first, unchanged, one booking)
  national_report_*                      the national report's appointments table over a year
                                         of 1,000 bookings a day on every open day (256,000
                                         bookings, ~486,000 events): seconds to fold them
Each section is a function of its own (SECTIONS). Prints nothing itself; passes or fails
nothing.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from central import schema as central_schema  # noqa: E402
from tests.central.booking_race import race  # noqa: E402
from tests.central.conftest import CentralDb  # noqa: E402
from tests.central.pg_cluster import Cluster, make_cluster  # noqa: E402


def fresh_central(cluster: Cluster, name: str) -> CentralDb:
    """A new initialised central database on the cluster."""
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = CentralDb(cluster, name)
    central_schema.init(db.admin_url, lambda _: None)
    return db


def race_section(cluster: Cluster, quick: bool) -> dict[str, Any]:
    """The bookings race: 0 double and 0 lost bookings expected; request times."""
    with tempfile.TemporaryDirectory(prefix="novbe-race-") as tmp:
        found = race(Path(tmp), fresh_central(cluster, "race"),
                     requests=40 if quick else 100, seats=10, cuts=2,
                     steady=20 if quick else 100)
    return found.figures()


def national_report_section(cluster: Cluster, quick: bool) -> dict[str, Any]:
    """The national report's bookings tables over a year of `per_day` bookings a day (their
    events written as a centre ships them, bulk-copied): seconds to fold them."""
    import random
    import time
    import uuid
    from datetime import date, timedelta

    from central.bookings.report import bookings_tables
    from shared.bookings.slots import slot_starts
    from shared.reports.request import make_request
    from tests.central.booking_centre import SERVICE, booking_centre

    per_day = 200 if quick else 1000
    db = fresh_central(cluster, "report")
    rnd = random.Random(20)
    with tempfile.TemporaryDirectory(prefix="novbe-report-") as tmp:
        config, _ = booking_centre(Path(tmp), db, "year", seats=100, share=0.5)
    first = date(2025, 12, 1)
    last = first + timedelta(days=364)
    ends = (["booking_checked_in"] * 70 + ["booking_no_show"] * 8 + ["booking_late_walk_in"] * 4
            + ["booking_cancelled"] * 8 + [None] * 10)
    rows, eid, day, made = [], 0, first, 0
    while day <= last:
        starts = slot_starts(config, day)
        for n in range(per_day if starts else 0):
            slot = starts[n % len(starts)]
            booking, channel = str(uuid.uuid4()), rnd.choice(("call_centre", "reception", "api"))
            details = f'{{"booking": "{booking}", "booking_code": "X", "slot_start": {slot}}}'
            eid += 1
            rows.append((eid, slot - rnd.uniform(3600, 20 * 86400), "booking_made", SERVICE,
                         channel, details))
            end = rnd.choice(ends)
            if end is not None:
                eid += 1
                rows.append((eid, slot + 600, end, SERVICE, channel, details))
            made += 1
        day += timedelta(days=1)
    with db.admin() as conn:
        generation = conn.execute("SELECT generation FROM novbe.generations WHERE centre_id = "
                                  "'year'").fetchone()[0]
        with conn.cursor().copy("COPY novbe.events (centre_id, generation, id, at, kind, "
                                "service, source, details) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(("year", generation, *r))
        conn.execute("ANALYZE novbe.events")
        request = make_request(config, first, last, "service")
        started = time.perf_counter()
        tables = bookings_tables(conn, request, ["year"], "en")
        took = time.perf_counter() - started
    centre_row = next(r for r in tables[0].rows if r["key"] == "year")
    return {"bookings": made, "events": len(rows), "seconds": round(took, 2),
            "bookings_counted": centre_row["bookings"]}


def seats_push_section(cluster: Cluster, quick: bool) -> dict[str, Any]:
    """Rows the bookings link writes on central per push of the centre's free seats: the first
    (whole), a round with nothing changed, a round after one booking at reception — beside the
    rows every round wrote before pushes became changes only (every slot, every 15 s)."""
    from datetime import datetime

    from server.shipping.bookings_link import BookingLink, seats_now, state_path_for
    from shared.core.clock import FakeClock
    from shared.core.local_queue import LocalQueue
    from tests.central.booking_centre import SERVICE, booking_centre, open_day, slot_at

    db = fresh_central(cluster, "push")
    with tempfile.TemporaryDirectory(prefix="novbe-push-") as tmp:
        config, db_path = booking_centre(Path(tmp), db, "push", seats=4, share=0.5)
        assert config.central is not None
        queue = LocalQueue(db_path, config, FakeClock(datetime.now(config.tz)))
        link = BookingLink(queue.bookings, config.central, state_path_for(db_path))
        try:
            every = len(seats_now(queue.bookings, queue.clock.now().timestamp()))
            rows = []
            for booked in (False, False, True, False):
                if booked:
                    queue.bookings.book_local(SERVICE, slot_at(config, open_day(config)), "az",
                                              "reception-1")
                link.sync()
                rows.append(link.state.push_rows)
        finally:
            link.stop()
            queue.close()
    return {"rows_before": every, "rows_first": rows[0], "rows_unchanged": rows[1],
            "rows_after_one_booking": rows[2], "rows_unchanged_again": rows[3]}


SECTIONS: dict[str, Callable[[Cluster, bool], dict[str, Any]]] = {
    "race": race_section,
    "national_report": national_report_section,
    "seats_push": seats_push_section,
}


def national_figures(quick: bool = False, only: list[str] | None = None) -> dict[str, Any]:
    """Every national section on one throwaway PostgreSQL, as one flat dict of figures."""
    cluster = make_cluster()
    out: dict[str, Any] = {}
    try:
        for name, section in SECTIONS.items():
            if only and name not in only:
                continue
            figures = section(cluster, quick)
            out.update(figures if name == "race" else {f"{name}_{k}": v
                                                       for k, v in figures.items()})
    finally:
        cluster.destroy()
    return out
