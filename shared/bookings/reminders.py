"""Booking reminders: which SMS each booking with a phone number gets — on booking, the day
before, an hour before — and when, with its text in the booking's language (the outbox that
keeps them until sent: shared/bookings/outbox.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.bookings.model import Booking
from shared.i18n import tr

# kind → (seconds before the slot it is due, None: at once; its text)
KINDS: dict[str, tuple[float | None, str]] = {
    "booked": (None, "DOST: {service}, {time}, {centre}. Your booking code: {code}. Type it at "
                     "the centre's kiosk."),
    "day_before": (86_400.0, "DOST: tomorrow at {time} you are booked for {service} at "
                             "{centre}. Code: {code}."),
    "hour_before": (3_600.0, "DOST: at {time} you are booked for {service} at {centre}. "
                             "Code: {code}."),
}


def text_of(kind: str, booking: Booking, config: Any) -> str:
    """A reminder's text in the booking's language."""
    lang = booking.lang
    when = datetime.fromtimestamp(booking.slot_start, config.tz).strftime("%H:%M")
    if kind == "booked":
        when = datetime.fromtimestamp(booking.slot_start, config.tz).strftime("%Y-%m-%d %H:%M")
    service = config.services[booking.service].name(lang) \
        if booking.service in config.services else booking.service
    return tr(lang, KINDS[kind][1], service=service, time=when, centre=config.name(lang),
              code=booking.code)


def due_kinds(booking: Booking, now: float) -> list[tuple[str, float]]:
    """The reminders a booking gets and when each is due: the ones whose time came before the
    booking was made are left out (the message on booking says it all)."""
    out = []
    for kind, (before, _) in KINDS.items():
        due = booking.created_at if before is None else booking.slot_start - before
        if before is not None and due <= booking.created_at:
            continue
        if due < booking.slot_start and now < booking.slot_start:
            out.append((kind, due))
    return out
