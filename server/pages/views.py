"""What the pages show, as plain data in the reader's language: a phone's view of its ticket
and a counter console's view of its counter (both also sent live as JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.served_queue import ServedQueue
from shared.config.centre import CentreConfig
from shared.core.alerts import alert_text
from shared.core.call_order import BACKUP, PRIMARY
from shared.core.errors import NovbeError
from shared.core.model import DEVICE_ALERT_KINDS, CounterState, Snapshot, Status, Ticket
from shared.core.profile_text import choices, profile_line
from shared.i18n import ntr, tr
from shared.waits.text import no_counter_phrase
from shared.waits.text import wait_text as printed_wait_text

WAITING_SHOWN = 12
ERROR_TEXTS = {
    "NoTicketWaiting": "Nobody is waiting for this counter",
    "IllegalTransition": "Not possible now: the ticket is not in the right state",
    "QueueUnavailable": "The queue is unavailable; try again",
    "NotAuthorised": "Your session has ended; sign in again",
    "Forbidden": "Not allowed; reload the page",
    "CounterChanged": "Changed elsewhere meanwhile (another tab or computer); nothing was done — look again",
    "TicketNotFound": "This ticket was not found. Open the link of your ticket again (scan its QR code).",
    "TooManyAttempts": "Too many attempts; wait a minute and try again",
    "Busy": "The server is busy with other requests; try again in a moment",
    "UnknownProfile": "That work profile cannot run at this counter",
}
GENERIC_ERROR = "Something went wrong. Please ask a staff member."
MODE_TEXTS = {"open": "Open", "paused": "Paused", "closed": "Closed"}
LEVEL_TEXTS = {PRIMARY: "primary", BACKUP: "backup"}    # a listed ticket's level at the counter


def _epoch(value: datetime | None) -> float | None:
    return value.timestamp() if value else None


def service_name(config: CentreConfig, service: str, lang: str) -> str:
    try:
        return config.service(service).name(lang)
    except NovbeError:
        return service


def priority_name(config: CentreConfig, priority: str | None, lang: str) -> str | None:
    if not priority:
        return None
    try:
        found = config.priority(priority)
    except NovbeError:
        return priority
    return found.name(lang) if found else None


def phone_view(ticket: Ticket, config: CentreConfig, lang: str) -> dict[str, Any]:
    """A phone's view of its own ticket: nothing about any other ticket or any staff member."""
    status = str(ticket.status)
    waiting = ticket.status == Status.WAITING
    at_counter = ticket.status in (Status.CALLED, Status.SERVING) and ticket.counter
    # The values stand under their labels ("People ahead", "Estimated wait"): they do not say
    # again what the label says ("Qarşınızda: 1 nəfər", not "Qarşınızda: Qarşınızda 1 nəfər var").
    # Nobody ahead but every counter busy still has a wait (issue 13); a range reads as one.
    if waiting and (ticket.ahead or ticket.estimated_wait_min or ticket.no_counter_open):
        ahead_text = (ntr(lang, "{n} person", "{n} people", ticket.ahead) if ticket.ahead
                      else tr(lang, "nobody"))
        wait_text = printed_wait_text(lang, ticket, least=1)
    elif waiting:
        ahead_text, wait_text = tr(lang, "nobody"), ""
    else:
        ahead_text, wait_text = "", ""
    if ticket.status == Status.CALLED:
        headline = tr(lang, "Please go to counter {counter}", counter=ticket.counter)
    elif ticket.status == Status.SERVING:
        headline = tr(lang, "You are being served at counter {counter}", counter=ticket.counter)
    elif ticket.status == Status.DONE:
        headline = tr(lang, "Your visit is over")
    elif waiting and ticket.no_counter_open:
        headline = no_counter_phrase(lang, ticket.opens_at)
    elif waiting and not ticket.ahead:
        headline = tr(lang, "You are next")
    elif waiting:
        headline = tr(lang, "Please wait, your number will be called")
    else:
        headline = tr(lang, status)
    return {
        "code": ticket.code,
        "service": service_name(config, ticket.service, lang),
        "priority": priority_name(config, ticket.priority, lang),
        "status": status,
        "status_text": tr(lang, status),
        "headline": headline,
        "ahead": ticket.ahead if waiting else None,
        "ahead_text": ahead_text,
        "wait_text": wait_text,
        "counter": ticket.counter if at_counter else None,
        "counter_text": tr(lang, "Counter {counter}", counter=ticket.counter) if at_counter else "",
        "calls": 1 + ticket.recalls if ticket.status == Status.CALLED else 0,   # each call alerts
        "can_rate": ticket.status == Status.DONE and ticket.rating is None,
        "rating": ticket.rating,
    }


def _ticket_row(ticket: Ticket, config: CentreConfig, lang: str) -> dict[str, Any]:
    return {
        "code": ticket.code,
        "service": service_name(config, ticket.service, lang),
        "service_id": ticket.service,
        "priority": priority_name(config, ticket.priority, lang),
        "status": str(ticket.status),
        "status_text": tr(lang, str(ticket.status)),
        "issued_at": _epoch(ticket.issued_at),
        "called_at": _epoch(ticket.called_at),
        "started_at": _epoch(ticket.started_at),
        "recalled_at": _epoch(ticket.recalled_at),
        "transfers": ticket.transfers,
        "recalls": ticket.recalls,
    }


def alert_texts(snapshot: Snapshot, lang: str) -> list[dict[str, Any]]:
    out = []
    for alert in snapshot.alerts:
        if alert.kind not in DEVICE_ALERT_KINDS:
            continue
        out.append({"source": alert.source, "kind": alert.kind, "text": alert_text(lang, alert),
                    "message": alert.message, "at": _epoch(alert.at)})
    return out


def console_view(queue: ServedQueue, counter: str, now: datetime, lang: str) -> dict[str, Any]:
    """Everything the console of one counter shows, read from the queue now: its waiting list
    is what its profile may call, in the order its Next would call them, backups marked."""
    config = queue.config
    state: CounterState = queue.counter_state(counter)
    waiting = queue.counter_waiting(counter, limit=WAITING_SHOWN)
    snapshot = queue.snapshot()
    profiles, _ = queue.profiles_now()
    return {
        "now": now.timestamp(),
        "counter": counter,
        "mode": str(state.mode),
        "mode_text": tr(lang, MODE_TEXTS[str(state.mode)]),
        "staff": state.staff,
        "ticket": _ticket_row(state.ticket, config, lang) if state.ticket else None,
        "waiting_count": waiting.count,
        "waiting_text": ntr(lang, "{n} waiting", "{n} waiting", waiting.count),
        "oldest_issued_at": waiting.oldest_issued_at,
        "priority_count": waiting.priority_count,
        "waiting": [{**_ticket_row(c.ticket, config, lang), "level": c.level,
                     "level_text": tr(lang, LEVEL_TEXTS[c.level])} for c in waiting.calls],
        "waiting_order_text": tr(lang, "In the order Next calls them"),
        "alerts": alert_texts(snapshot, lang),
        "last_event_id": snapshot.last_event_id,
        "walk_up_s": config.visits.walk_up_s,   # what Next will record (shared/core/visits.py)
        "undo_s": config.visits.undo_s,
        "profile": profile_line(config, profiles[counter], lang),   # its work profile now
        "profile_choices": choices(config, counter, lang, manager=False),
    }
