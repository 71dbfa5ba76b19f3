"""What the booking desk (/desk) shows, as plain data in the reader's language: the bookable
services, a day's slots with the seats the centre may still book, a day's bookings, one booking
with the QR code of its code, and a check-in's outcome."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from server.pages.assist_view import qr_svg
from shared.bookings.checkin import CheckIn, CheckInOutcome
from shared.bookings.ledger import BookingLedger
from shared.bookings.model import Booking
from shared.bookings.slots import capacity, slot_starts
from shared.collation import sorted_by_name
from shared.config.centre import CentreConfig
from shared.i18n import tr

STATUS_LABELS = {"booked": "Booked", "cancelled": "Cancelled", "checked_in": "Checked in",
                 "no_show": "Did not come", "late_walk_in": "Came late: walk-in ticket"}
CHANNEL_LABELS = {"call_centre": "Call centre 142", "reception": "Reception", "api": "Portal"}
OUTCOME_TEXTS = {
    CheckInOutcome.CHECKED_IN: "Checked in: ticket {ticket}, called at {time}.",
    CheckInOutcome.ALREADY: "Checked in already: ticket {ticket}.",
    CheckInOutcome.EARLY: "Too early for {time}: check-in opens at {back}.",
    CheckInOutcome.EARLY_WALK_IN: "Too early: walk-in ticket {ticket} given instead.",
    CheckInOutcome.LATE_WALK_IN: "Too late for {time}: walk-in ticket {ticket} given.",
    CheckInOutcome.UNKNOWN: "No booking has this code.",
    CheckInOutcome.CANCELLED: "This booking was cancelled.",
}
QR_PREFIX = "NOVBE:"     # what the printout's QR code carries: the kiosk's scanner reads it


def bookable_services(config: CentreConfig, lang: str) -> list[dict[str, str]]:
    """The services some slot takes bookings for, in `lang`'s alphabetical order."""
    found = []
    for c in config.categories:
        for s in c.services:
            if any(e.service in (s.id, c.id, "*") and e.seats > 0 for e in config.bookings.capacity):
                found.append({"id": s.id, "name": s.name(lang), "category": c.name(lang)})
    return sorted_by_name(found, lambda s: s["name"], lang)


def _local(config: CentreConfig, at: float) -> datetime:
    return datetime.fromtimestamp(at, config.tz)


def slots_view(ledger: BookingLedger, service: str, day: date) -> list[dict[str, Any]]:
    """The day's bookable slots of a service with the seats the centre may still book."""
    config = ledger.config
    return [{"start": f"{start:.0f}", "time": f"{_local(config, start):%H:%M}", "free": free,
             "capacity": capacity(config, service, start)}
            for start, free in ledger.free_slots(service, day)]


def closed_day(config: CentreConfig, day: date) -> bool:
    return not slot_starts(config, day)


def booking_view(b: Booking, config: CentreConfig, lang: str) -> dict[str, Any]:
    """One booking as the desk lists it (name and phone only while they are kept)."""
    local = _local(config, b.slot_start)
    return {"code": b.code, "service": config.service(b.service).name(lang),
            "date": f"{local:%d.%m.%Y}", "time": f"{local:%H:%M}", "status": b.status.value,
            "status_text": tr(lang, STATUS_LABELS[b.status.value]),
            "channel": tr(lang, CHANNEL_LABELS[b.channel.value]), "name": b.name or "",
            "phone": b.phone or "", "ticket": b.ticket or "", "open": b.status.value == "booked",
            "lang": b.lang}


def printout_view(b: Booking, config: CentreConfig, lang: str) -> dict[str, Any]:
    """A booking's printout for the visitor, in `lang` (the booking's own language): its code
    large, the QR code the kiosk's scanner reads, when, and the check-in window."""
    view = booking_view(b, config, lang)
    view["qr_svg"] = qr_svg(QR_PREFIX + b.code)
    rules = config.bookings
    view["window"] = tr(lang, "Check in at the kiosk from {early} minutes before to {late} "
                              "minutes after your time.", early=rules.early_min, late=rules.late_min)
    view["title"] = tr(lang, "Your appointment")
    view["code_label"] = tr(lang, "Booking code")
    view["qr_label"] = tr(lang, "QR code of booking {code}", code=b.code)
    return view


def check_in_text(result: CheckIn, config: CentreConfig, lang: str) -> str:
    """A check-in's outcome in one sentence for the desk or the console."""
    b, t = result.booking, result.ticket
    when = f"{_local(config, b.slot_start):%H:%M}" if b else ""
    back = f"{_local(config, result.come_back_at):%H:%M}" if result.come_back_at else ""
    return tr(lang, OUTCOME_TEXTS[result.outcome], ticket=t.code if t else "", time=when,
              back=back)
