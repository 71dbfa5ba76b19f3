"""The national report's bookings tables, folded from the booking events every centre ships
(every booking — the national desk's once its centre has merged it, the reception's at once —
has its `booking_made` event and one per change; no name, no phone): bookings by centre and
channel, how they ended (kept, late, no-show, cancelled, still open), and the seats each centre
offered against those booked. Slots count in the period by their service day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import psycopg

from central.bookings.errors import DeskRefused
from central.bookings.offer import offered_config
from central.health import centre_name, current_generation
from server.shipping.link import SCHEMA
from shared.bookings import slots
from shared.config.centre import CentreConfig
from shared.core.service_day import day_start
from shared.i18n import tr
from shared.reports.report import Column, Table
from shared.reports.request import ReportRequest

EARLIEST_EVENT_DAYS = 400        # a booking is made at most this long before its slot
CHANNELS = {"call_centre": "142 call centre", "reception": "Reception", "api": "Portal"}
OUTCOMES = (("bookings_made", "Booked"), ("bookings_kept", "Kept"),
            ("bookings_late", "Came late"), ("bookings_no_show", "Did not come"),
            ("bookings_cancelled", "Cancelled"), ("bookings_open", "Still booked"))
FOLD = f"""
WITH b AS (
    SELECT e.id AS eid, e.kind, e.source, (e.details::jsonb ->> 'booking') AS booking,
           (e.details::jsonb ->> 'slot_start')::float8 AS slot
    FROM {SCHEMA}.events e
    WHERE e.centre_id = %(centre)s AND e.generation = %(generation)s
      AND e.kind IN ('booking_made', 'booking_cancelled', 'booking_checked_in',
                     'booking_no_show', 'booking_late_walk_in')
      AND e.at >= %(made_from)s AND e.at < %(until)s),
made AS (SELECT DISTINCT ON (booking) booking, source AS channel, slot FROM b
         WHERE kind = 'booking_made' AND slot >= %(since)s AND slot < %(until)s
         ORDER BY booking, eid),
last AS (SELECT DISTINCT ON (booking) booking, kind FROM b ORDER BY booking, eid DESC)
SELECT m.channel, count(*),
       count(*) FILTER (WHERE l.kind = 'booking_checked_in'),
       count(*) FILTER (WHERE l.kind = 'booking_late_walk_in'),
       count(*) FILTER (WHERE l.kind = 'booking_no_show'),
       count(*) FILTER (WHERE l.kind = 'booking_cancelled'),
       count(*) FILTER (WHERE l.kind = 'booking_made')
FROM made m JOIN last l USING (booking) GROUP BY m.channel ORDER BY m.channel
"""


def bookings_tables(conn: psycopg.Connection, request: ReportRequest, centres: Sequence[str],
                    lang: str) -> list[Table]:
    """The two bookings tables over these centres ([] when none of them takes bookings)."""
    outcome_rows: list[dict[str, Any]] = []
    capacity_rows: list[dict[str, Any]] = []
    total = {key: 0 for key, _ in OUTCOMES}
    for centre in centres:
        try:
            config = offered_config(conn, centre)
        except DeskRefused:
            continue
        name = centre_name(conn, centre, lang)
        per_channel = _fold(conn, config, request)
        for channel, figures in per_channel.items():
            outcome_rows.append({"key": f"{centre}:{channel}", "label": f"{name} — "
                                 f"{tr(lang, CHANNELS.get(channel, channel))}", **figures})
            for key in total:
                total[key] += figures[key]
        offered = seats_offered(config, request)
        used = sum(f["bookings_made"] - f["bookings_cancelled"] for f in per_channel.values())
        capacity_rows.append({"key": centre, "label": name, "seats_offered": offered,
                              "seats_booked": used,
                              "seats_used_pct": round(100 * used / offered, 1) if offered else None})
    if not capacity_rows:
        return []
    outcome_rows.append({"key": "all", "label": tr(lang, "All together"), **total})
    outcome_columns = [Column("label", tr(lang, "Centre and channel"), "text"),
                       *[Column(k, tr(lang, label), "count") for k, label in OUTCOMES]]
    capacity_columns = [Column("label", tr(lang, "Centre"), "text"),
                        Column("seats_offered", tr(lang, "Seats offered"), "count"),
                        Column("seats_booked", tr(lang, "Seats booked"), "count"),
                        Column("seats_used_pct", tr(lang, "Seats used"), "percent")]
    return [Table("bookings", tr(lang, "Bookings by centre and channel"), outcome_columns,
                  outcome_rows),
            Table("booking_capacity", tr(lang, "Booking seats offered and used"),
                  capacity_columns, capacity_rows)]


def _fold(conn: psycopg.Connection, config: CentreConfig,
          request: ReportRequest) -> dict[str, dict[str, int]]:
    since = day_start(request.first_day, config.tz, config.day_reset_hour).timestamp()
    until = day_start(request.last_day + timedelta(days=1), config.tz,
                      config.day_reset_hour).timestamp()
    rows = conn.execute(FOLD, {"centre": config.centre_id, "since": since, "until": until,
                               "made_from": since - EARLIEST_EVENT_DAYS * 86_400,
                               "generation": current_generation(conn, config.centre_id)}
                        ).fetchall()
    return {str(r[0]): dict(zip((k for k, _ in OUTCOMES), map(int, r[1:]), strict=True))
            for r in rows}


def seats_offered(config: CentreConfig, request: ReportRequest) -> int:
    """Every seat of every bookable slot of every service over the period's open days."""
    services = list(config.services)
    offered, day = 0, request.first_day
    while day <= request.last_day:
        for start in slots.slot_starts(config, day):
            offered += sum(slots.capacity(config, s, start) for s in services)
        day += timedelta(days=1)
    return offered
