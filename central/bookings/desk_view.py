"""What the 142 call centre's page shows, as plain data: the centres that take bookings, a
centre's services, and a day's slots with the national seats free now and the centre's own free
seats as of its link's last push."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import psycopg

from central.bookings.errors import DeskRefused
from central.bookings.offer import SlotOffer, day_offer, db_now, offered_config, sends_sms
from server.shipping.link import SCHEMA
from shared.bookings.model import Booking
from shared.config.centre import CentreConfig
from shared.core.service_day import service_day
from shared.i18n import tr


@dataclass(frozen=True)
class SlotRow:
    """One slot on the page."""

    slot_start: float
    time: str                   # "09:30", the centre's local time
    national_free: int
    national: int
    local_free: int | None
    local_as_of: str | None     # "08:41" (today) or "2026-12-06 17:02"
    state: str                  # open | full | past_cutoff
    said: str                   # the state in words


@dataclass
class DeskView:
    """The page's choices and what they show."""

    centres: list[tuple[str, str]]
    centre: str | None = None
    services: list[tuple[str, str]] | None = None
    service: str | None = None
    day: date | None = None
    slots: list[SlotRow] | None = None
    refusal: str | None = None
    pulled_at: str | None = None
    sms: bool = True


def booking_centres(conn: psycopg.Connection, lang: str) -> list[tuple[str, str]]:
    """(id, name) of every centre whose newest config takes bookings, by name."""
    out = []
    for (centre,) in conn.execute(f"SELECT centre_id FROM {SCHEMA}.centres ORDER BY 1").fetchall():
        try:
            out.append((centre, offered_config(conn, centre).name(lang)))
        except DeskRefused:
            continue
    return sorted(out, key=lambda c: c[1].casefold())


def services_of(config: CentreConfig, lang: str) -> list[tuple[str, str]]:
    """(id, name) of the centre's services."""
    return [(s.id, s.name(lang)) for s in config.services.values()]


def desk_view(conn: psycopg.Connection, lang: str, centre: str | None, service: str | None,
              day: date | None) -> DeskView:
    """The page for the choices made so far; a refusal (closed day…) said in `lang`."""
    view = DeskView(booking_centres(conn, lang))
    if not centre:
        return view
    try:
        config = offered_config(conn, centre)
    except DeskRefused as exc:
        view.refusal = exc.said(lang)
        return view
    now = db_now(conn)
    view.centre, view.services = centre, services_of(config, lang)
    view.service = service if service in config.services else view.services[0][0]
    view.day = day or service_day(datetime.fromtimestamp(now, config.tz), config.tz,
                                  config.day_reset_hour)
    view.pulled_at = last_pull(conn, config)
    view.sms = sends_sms(conn, centre)
    try:
        offers = day_offer(conn, config, view.service, view.day, now, lang)
    except DeskRefused as exc:
        view.refusal, view.slots = exc.said(lang), []
        return view
    view.slots = [slot_row(config, o, now, lang) for o in offers]
    return view


def slot_row(config: CentreConfig, offer: SlotOffer, now: float, lang: str) -> SlotRow:
    """A slot as a row of the page."""
    if offer.past_cutoff:
        state, said = "past_cutoff", tr(lang, "Booked at the centre only now")
    elif offer.national_free == 0:
        state, said = "full", tr(lang, "Full")
    else:
        state, said = "open", tr(lang, "{n} free", n=offer.national_free)
    hhmm = datetime.fromtimestamp(offer.slot_start, config.tz).strftime("%H:%M")
    return SlotRow(offer.slot_start, hhmm, offer.national_free,
                   offer.seats.national, offer.local_free,
                   None if offer.local_as_of is None else clock(config, offer.local_as_of, now),
                   state, said)


def describe(conn: psycopg.Connection, booking: Booking, lang: str) -> str:
    """What was booked, in words: the service, the slot's local date and time, the centre."""
    config = offered_config(conn, booking.centre)
    when = datetime.fromtimestamp(booking.slot_start, config.tz).strftime("%Y-%m-%d %H:%M")
    service = config.services[booking.service].name(lang) \
        if booking.service in config.services else booking.service
    return tr(lang, "{service}, {time}, {centre}", service=service, time=when,
              centre=config.name(lang))


def clock(config: CentreConfig, at: float, now: float) -> str:
    """A time in the centre's zone: "09:30" on the same day as `now`, else with its date."""
    when, today = datetime.fromtimestamp(at, config.tz), datetime.fromtimestamp(now, config.tz)
    return when.strftime("%H:%M" if when.date() == today.date() else "%Y-%m-%d %H:%M")


def last_pull(conn: psycopg.Connection, config: CentreConfig) -> str | None:
    """When the centre's link last pulled its national list (None: never)."""
    row = conn.execute(f"SELECT pulled_at FROM {SCHEMA}.booking_pulls WHERE centre_id = %s",
                       (config.centre_id,)).fetchone()
    return None if row is None else clock(config, float(row[0]), db_now(conn))


def pull_lines(conn: psycopg.Connection, now: float) -> dict[str, str]:
    """Per centre that takes national bookings: when its link last pulled and pushed."""
    out = {}
    for centre, pulled, pushed in conn.execute(
            f"SELECT centre_id, pulled_at, pushed_at FROM {SCHEMA}.booking_pulls").fetchall():
        pushed_said = "never" if pushed is None else f"{(now - float(pushed)) / 60:.0f} min ago"
        out[centre] = (f"bookings: national list last pulled {(now - float(pulled)) / 60:.0f} "
                       f"min ago, free seats last pushed {pushed_said}")
    return out
