"""The ticket as the kiosk shows (and in audio mode says) it: code, service, priority class,
people ahead, wait, QR code, the printer's news."""

from __future__ import annotations

from datetime import datetime

from kiosk.qr import qr_payload
from kiosk.screens import TicketScreen
from kiosk.spoken import CALLED_BY_VOICE
from shared.config.centre import CentreConfig
from shared.core.errors import CentreClosed, DailyCapReached
from shared.core.model import Ticket
from shared.i18n import ntr, tr
from shared.waits.text import wait_text


def ticket_screen(config: CentreConfig, ticket: Ticket, state: str,
                  booking_note: str = "") -> TicketScreen:
    """The ticket screen in the ticket's language; `state` is printing | printed | failed;
    `booking_note`: a booked visitor's line (kiosk/appointments.py)."""
    lang = ticket.language
    svc = config.service(ticket.service)
    prio = config.priority(ticket.priority)
    ahead = (ntr(lang, "{n} person ahead", "{n} people ahead", ticket.ahead) if ticket.ahead
             else tr(lang, "No one ahead of you"))
    wait = (f"{tr(lang, 'Estimated wait')}: {wait_text(lang, ticket)}"
            if (ticket.estimated_wait_min or ticket.no_counter_open) and not ticket.slot_at
            else "")                       # a booked visitor is told their time instead
    message = {
        "printing": tr(lang, "Printing your ticket…"),
        "printed": tr(lang, "Please take your ticket"),
        "failed": tr(lang, "The printer is not working. Please take a photo of this screen: "
                           "your number is valid."),
    }[state]
    payload = qr_payload(ticket, config)
    return TicketScreen(
        lang=lang, ticket=ticket, code=ticket.code, service=svc.name(lang),
        priority=prio.name(lang) if prio else "", your_number=tr(lang, "Your number"),
        ahead=ahead, wait=wait, qr_payload=payload,
        qr_caption=tr(lang, "Scan to follow your turn on your phone") if payload else "",
        print_state=state, print_message=message, done=tr(lang, "Done (leave the ticket screen)"),
        called_by_voice=tr(lang, CALLED_BY_VOICE), booking_note=booking_note)


def refusal(config: CentreConfig, exc: BaseException, lang: str, now: datetime) -> tuple[str, str]:
    """(kind, sentence) said instead of a ticket the queue refused: the daily cap, a service
    that cannot be given before closing, or any other error."""
    if isinstance(exc, DailyCapReached):
        return "daily_cap", tr(lang, "No more tickets for this service today. Please come again tomorrow.")
    if isinstance(exc, CentreClosed):
        closing = config.hours.closing_time(now)
        return "past_closing", tr(
            lang, "The centre closes at {time}: this service can no longer be provided today. "
                  "Please come again tomorrow.", time=f"{closing:%H:%M}" if closing else "")
    return "error", tr(lang, "Something went wrong. Please ask a staff member.")
