"""The national report's appointments table: each centre's bookings, by channel, folded from
the booking events every centre ships (the national desk's bookings once their centre merged
them, the reception's at once; never a name or a phone) into the facts a centre's own report
reads (shared/reports/bookings.py) — so kept, late, no-show, cancelled, punctuality (called −
slot), the share called within 5 minutes and the seats offered and used are the same figures,
defined once, on both sides. Slots count in the period by their service day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import psycopg

from central.bookings.errors import DeskRefused
from central.bookings.offer import offered_config
from central.health import centre_name, current_generation
from server.shipping.link import SCHEMA
from shared.config.centre import CentreConfig
from shared.core.service_day import day_start
from shared.i18n import tr
from shared.reports.bookings import (
    BOOKING_COLUMNS,
    CAPACITY_COLUMNS,
    CHANNEL_LABELS,
    CHANNELS,
    BookingFact,
    figures,
    offered_seats,
)
from shared.reports.report import Column, Table
from shared.reports.request import ReportRequest

EARLIEST_EVENT_DAYS = 400        # a booking is made at most this long before its slot
STATUS_OF = {"booking_made": "booked", "booking_cancelled": "cancelled",
             "booking_checked_in": "checked_in", "booking_no_show": "no_show",
             "booking_late_walk_in": "late_walk_in"}
FOLD = f"""
WITH raw AS MATERIALIZED (
    SELECT e.id AS eid, e.kind, e.source, e.service, e.ticket_id, e.details::jsonb AS d
    FROM {SCHEMA}.events e
    WHERE e.centre_id = %(centre)s AND e.generation = %(generation)s
      AND e.kind IN ('booking_made', 'booking_cancelled', 'booking_checked_in',
                     'booking_no_show', 'booking_late_walk_in')
      AND e.at >= %(made_from)s AND e.at < %(until)s),
b AS (SELECT eid, kind, source, service, ticket_id, d ->> 'booking' AS booking,
             (d ->> 'slot_start')::float8 AS slot FROM raw),
made AS (SELECT DISTINCT ON (booking) booking, service, source AS channel, slot FROM b
         WHERE kind = 'booking_made' AND slot >= %(since)s AND slot < %(until)s
         ORDER BY booking, eid),
last AS (SELECT DISTINCT ON (booking) booking, kind, ticket_id FROM b ORDER BY booking, eid DESC),
called AS (SELECT ticket_id, min(at) AS at FROM {SCHEMA}.events
           WHERE centre_id = %(centre)s AND generation = %(generation)s AND kind = 'called'
             AND at >= %(since)s AND at < %(until)s GROUP BY ticket_id)
SELECT m.service, m.channel, l.kind, m.slot, c.at
FROM made m JOIN last l USING (booking)
LEFT JOIN called c ON l.kind = 'booking_checked_in' AND c.ticket_id = l.ticket_id
"""


def bookings_tables(conn: psycopg.Connection, request: ReportRequest, centres: Sequence[str],
                    lang: str) -> list[Table]:
    """Appointments by centre and channel ([] when none of these centres takes bookings)."""
    rows: list[dict[str, Any]] = []
    everything: list[BookingFact] = []
    offered_all = 0
    for centre in centres:
        try:
            config = offered_config(conn, centre)
        except DeskRefused:
            continue
        facts = booking_facts(conn, config, request)
        offered = sum(offered_seats(config, request.first_day, request.last_day).values())
        rows.append(_row(centre, centre_name(conn, centre, lang), facts, offered))
        rows += [{"key": f"{centre}:{channel}", "label": "— " + tr(lang, CHANNEL_LABELS[channel]),
                  **figures(group)} for channel in CHANNELS
                 if (group := [f for f in facts if f.channel == channel])]
        everything += facts
        offered_all += offered
    if not rows:
        return []
    if len(centres) > 1:
        rows.append(_row("all", tr(lang, "All together"), everything, offered_all))
    columns = [Column("label", tr(lang, "Centre and channel"), "text"),
               *[Column(k, tr(lang, t), kind) for k, t, kind in BOOKING_COLUMNS + CAPACITY_COLUMNS]]
    return [Table("bookings_centres", tr(lang, "Appointments by centre and channel"), columns,
                  rows)]


def _row(key: str, label: str, facts: list[BookingFact], offered: int) -> dict[str, Any]:
    row = {"key": key, "label": label, **figures(facts)}
    used = row["kept"] + row["late"]
    return row | {"offered": offered, "used": used,
                  "used_pct": 100.0 * used / offered if offered else None}


def booking_facts(conn: psycopg.Connection, config: CentreConfig,
                  request: ReportRequest) -> list[BookingFact]:
    """The centre's bookings whose slot falls in the period, as its shipped events tell them."""
    since = day_start(request.first_day, config.tz, config.day_reset_hour).timestamp()
    until = day_start(request.last_day + timedelta(days=1), config.tz,
                      config.day_reset_hour).timestamp()
    conn.execute("SET work_mem = '64MB'")        # a year's bookings sorted in memory
    rows = conn.execute(FOLD, {"centre": config.centre_id, "since": since, "until": until,
                               "made_from": since - EARLIEST_EVENT_DAYS * 86_400,
                               "generation": current_generation(conn, config.centre_id)}
                        ).fetchall()
    return [BookingFact(str(service), str(channel), STATUS_OF[kind], float(slot),
                        None if called is None else float(called))
            for service, channel, kind, slot, called in rows]
