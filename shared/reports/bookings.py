"""The centre's appointment figures over a report's period, read from the bookings in the queue
file (a few hundred a day: read directly, no facts cache) and added to the manager's report as
tables of their own: bookings by channel and by service — kept, late, no-shows, cancelled,
punctuality (called − slot: median, p90), share called within 5 minutes of the slot, seats
offered and used. Names and phone numbers are never read."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from shared.bookings.slots import capacity, slot_starts
from shared.config.centre import CentreConfig
from shared.core.service_day import day_start
from shared.i18n import tr
from shared.percentile import percentile_of
from shared.reports.facts import open_queue_reader
from shared.reports.report import Column, Labeller, Report, Table
from shared.reports.request import ReportRequest

ON_TIME_S = 5 * 60          # "called within 5 minutes of the slot"
BOOKING_COLUMNS = [
    ("bookings", "Bookings", "count"), ("kept", "Checked in on time", "count"),
    ("late", "Came late (walk-in ticket)", "count"), ("no_show_b", "Did not come", "count"),
    ("cancelled_b", "Cancelled", "count"),
    ("punctual_median_s", "Called − slot, median", "signed"),
    ("punctual_p90_s", "Called − slot, p90", "signed"),
    ("within5_slot_pct", "Called within 5 min of the slot", "percent"),
]
CAPACITY_COLUMNS = [("offered", "Seats offered", "count"), ("used", "Seats used", "count"),
                    ("used_pct", "Share of seats used", "percent")]
CHANNELS = ("call_centre", "reception", "api")
CHANNEL_LABELS = {"call_centre": "Call centre 142", "reception": "Reception", "api": "Portal"}


@dataclass(frozen=True)
class BookingFact:
    """One booking as reports read it: no name, no phone."""

    service: str
    channel: str
    status: str
    slot_start: float
    called_at: float | None     # its ticket's first call (checked in on time only)


def booking_facts(conn: sqlite3.Connection, config: CentreConfig, first: date,
                  last: date) -> list[BookingFact]:
    """The bookings whose slot falls in the service days first…last."""
    start = day_start(first, config.tz, config.day_reset_hour).timestamp()
    end = day_start(last + timedelta(days=1), config.tz, config.day_reset_hour).timestamp()
    rows = conn.execute(
        "SELECT b.service, b.channel, b.status, b.slot_start, t.called_at FROM bookings b "
        "LEFT JOIN tickets t ON t.id = b.ticket_id AND b.status = 'checked_in' "
        "WHERE b.slot_start >= ? AND b.slot_start < ?", (start, end)).fetchall()
    return [BookingFact(*r) for r in rows]


def figures(facts: list[BookingFact]) -> dict[str, Any]:
    """The booking figures of a group of bookings."""
    by_status: dict[str, int] = defaultdict(int)
    for f in facts:
        by_status[f.status] += 1
    late = [f.called_at - f.slot_start for f in facts if f.called_at is not None]
    within = sum(1 for d in late if d <= ON_TIME_S)
    held = len(facts) - by_status["cancelled"]
    return {"bookings": len(facts), "kept": by_status["checked_in"],
            "late": by_status["late_walk_in"], "no_show_b": by_status["no_show"],
            "cancelled_b": by_status["cancelled"], "held": held,
            "punctual_median_s": percentile_of(late, 0.5), "punctual_p90_s": percentile_of(late, 0.9),
            "within5_slot_pct": 100.0 * within / len(late) if late else None}


def offered_seats(config: CentreConfig, first: date, last: date) -> dict[str, int]:
    """Seats the config offered per service over the period (every slot's capacity)."""
    out: dict[str, int] = defaultdict(int)
    day = first
    while day <= last:
        for start in slot_starts(config, day):
            for service in config.services:
                out[service] += capacity(config, service, start)
        day += timedelta(days=1)
    return {s: n for s, n in out.items() if n}


def booking_tables(conn: sqlite3.Connection, config: CentreConfig, request: ReportRequest,
                   lang: str, services: set[str] | None = None) -> list[Table]:
    """The report's appointment tables: by channel (with the centre's total) and by service
    (with the seats offered and used); only `services` when given."""
    facts = [f for f in booking_facts(conn, config, request.first_day, request.last_day)
             if services is None or f.service in services]
    offered = {s: n for s, n in offered_seats(config, request.first_day, request.last_day).items()
               if services is None or s in services}
    if not facts and not offered:
        return []
    label = Labeller(config, lang)
    cols = [Column("label", tr(lang, "Channel"), "text"),
            *[Column(k, tr(lang, t), kind) for k, t, kind in BOOKING_COLUMNS]]
    rows = [{"key": "all", "label": config.name(lang), **figures(facts)}]
    for channel in CHANNELS:
        group = [f for f in facts if f.channel == channel]
        if group:
            rows.append({"key": channel, "label": tr(lang, CHANNEL_LABELS[channel]),
                         **figures(group)})
    by_channel = Table("bookings_channel", tr(lang, "Appointments by channel"), cols, rows)
    svc_cols = [Column("label", tr(lang, "Service"), "text"),
                *[Column(k, tr(lang, t), kind) for k, t, kind in BOOKING_COLUMNS + CAPACITY_COLUMNS]]
    svc_rows = []
    for service in [s for s in config.services if s in offered or any(f.service == s for f in facts)]:
        group = [f for f in facts if f.service == service]
        row = {"key": service, "label": label("service", service), **figures(group)}
        used = row["kept"] + row["late"]
        row.update(offered=offered.get(service, 0), used=used,
                   used_pct=100.0 * used / offered[service] if offered.get(service) else None)
        svc_rows.append(row)
    by_service = Table("bookings_service", tr(lang, "Appointments by service"), svc_cols, svc_rows)
    return [by_channel, by_service]


def with_bookings(report: Report, queue_path: str | Path, config: CentreConfig) -> Report:
    """The centre's report with its appointment tables (read from the queue file) added; a
    report narrowed to services or categories counts only their bookings."""
    request = report.request
    conn = open_queue_reader(queue_path)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'bookings'").fetchone() is None:
            return report                       # a file from before appointments
        wanted = set(request.services) | {s for s in config.services
                                          if config.service(s).category in request.categories}
        tables = booking_tables(conn, config, request, report.lang, wanted or None)
    finally:
        conn.close()
    report.tables.extend(tables)
    return report
