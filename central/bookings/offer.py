"""What a centre offers the national desk: its newest shipped config (with its `[bookings]`
section and opening hours), each slot's national seats and cut-off, and its slots of a day
with the seats still free on both sides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from central.bookings.errors import DeskRefused, NotFound
from central.bookings.raise_guard import RaiseGuard
from central.health import current_generation
from central.screening import ConfigRefused, parse_body
from server.shipping.link import SCHEMA
from shared.bookings import slots as centre_slots
from shared.bookings.seats import SlotSeats, national_free
from shared.config.centre import CentreConfig


@dataclass(frozen=True)
class SlotOffer:
    """One slot of a service as the national desk sees it."""

    slot_start: float
    seats: SlotSeats
    cutoff_at: float
    national_booked: int
    national_free: int
    local_free: int | None        # as the centre last pushed it (None: never pushed)
    local_as_of: float | None     # the centre's last push (it pushes only what changed)
    past_cutoff: bool


def db_now(conn: psycopg.Connection) -> float:
    """The database's clock (the one the cut-off is checked against)."""
    row = conn.execute("SELECT extract(epoch FROM clock_timestamp())::float8").fetchone()
    assert row is not None
    return float(row[0])


def offered_config(conn: psycopg.Connection, centre: str) -> CentreConfig:
    """The centre's newest shipped config of its current history, which says what it offers;
    DeskRefused when the centre is unknown or takes no bookings."""
    known = conn.execute(f"SELECT 1 FROM {SCHEMA}.centres WHERE centre_id = %s",
                         (centre,)).fetchone()
    if known is None:
        raise NotFound("unknown_centre", centre=centre)
    body = latest_body(conn, centre)
    if body is None:
        raise DeskRefused("no_bookings", centre=centre)
    try:
        config = parse_body(body, f"central:{centre}")
    except ConfigRefused:
        raise DeskRefused("no_bookings", centre=centre) from None
    if not config.bookings.enabled:
        raise DeskRefused("no_bookings", centre=config.name("en"))
    return config


def latest_body(conn: psycopg.Connection, centre: str) -> Any:
    """The centre's newest shipped config body of its current history (None: none yet)."""
    row = conn.execute(f"SELECT body FROM {SCHEMA}.config_versions WHERE centre_id = %s AND "
                       "generation = %s ORDER BY from_event_id DESC, recorded_at DESC LIMIT 1",
                       (centre, current_generation(conn, centre))).fetchone()
    return None if row is None else row[0]


def sends_sms(conn: psycopg.Connection, centre: str) -> bool:
    """Whether the centre said, with its config, that it sends SMS reminders."""
    body = latest_body(conn, centre)
    return isinstance(body, dict) and body.get("sms_reminders") is True


def check_slot(config: CentreConfig, service: str, slot_start: float, lang: str = "en"
               ) -> tuple[SlotSeats, float]:
    """The slot's seats and national cut-off, or DeskRefused: a service the centre does not
    offer, a closed day, a time that is no slot of the day."""
    name = config.name(lang)
    if service not in config.services:
        raise DeskRefused("unknown_service", centre=name, service=service)
    day = centre_slots.slot_day(config, slot_start)
    starts = centre_slots.slot_starts(config, day)
    if not starts:
        raise DeskRefused("closed_day", centre=name, day=day.isoformat())
    if slot_start not in starts:
        raise DeskRefused("not_a_slot", centre=name, time=local_time(config, slot_start))
    return (centre_slots.seats(config, service, slot_start),
            centre_slots.national_cutoff(config, slot_start))


def day_offer(conn: psycopg.Connection, config: CentreConfig, service: str, day: date,
              now: float, lang: str = "en") -> list[SlotOffer]:
    """Every slot of `service` on `day` with a seat in all, with what is free on each side."""
    if service not in config.services:
        raise DeskRefused("unknown_service", centre=config.name(lang), service=service)
    starts = centre_slots.slot_starts(config, day)
    if not starts:
        raise DeskRefused("closed_day", centre=config.name(lang), day=day.isoformat())
    centre = config.centre_id
    booked: dict[float, int] = dict(conn.execute(
        f"SELECT slot_start, booked FROM {SCHEMA}.booking_seats WHERE centre_id = %s AND "
        "service = %s AND slot_start BETWEEN %s AND %s",
        (centre, service, starts[0], starts[-1])).fetchall())
    guard = RaiseGuard(conn, config)
    local = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
        f"SELECT l.slot_start, l.free, coalesce(p.pushed_at, l.as_of), l.booked FROM "
        f"{SCHEMA}.local_seats"
        f" l LEFT JOIN {SCHEMA}.booking_pulls p USING (centre_id) WHERE l.centre_id = %s AND "
        "l.service = %s AND l.slot_start BETWEEN %s AND %s",
        (centre, service, starts[0], starts[-1])).fetchall()}
    out = []
    for start in starts:
        free_local, as_of, local_booked = local.get(start, (None, None, 0))
        seats = guard.national(service, start, local_booked if guard.reported else 0).seats
        if seats.capacity == 0:
            continue
        cutoff = centre_slots.national_cutoff(config, start)
        taken = int(booked.get(start, 0))
        past = now >= cutoff
        out.append(SlotOffer(start, seats, cutoff, taken, national_free(seats, taken, past),
                             free_local, as_of, past))
    return out


def local_time(config: CentreConfig, at: float) -> str:
    """A slot's start as the centre's local date and time, e.g. 2026-12-08 09:30."""
    from datetime import datetime

    return datetime.fromtimestamp(at, config.tz).strftime("%Y-%m-%d %H:%M")
